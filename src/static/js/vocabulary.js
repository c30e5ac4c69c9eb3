// The enumerations the server defines once (linkdoctor/web/vocabulary.py): categories,
// states and their labels, modes, depths. The page carries them in a JSON data block.

const block = document.getElementById("vocabulary");

export const VOCABULARY = Object.freeze(block ? JSON.parse(block.textContent) : {
  categories: [], state_labels: {}, active_states: [], job_active_states: [], job_kinds: [],
  modes: [], depths: [], decode_modes: [], per_page: { choices: [50], default: 50 },
});

export const CATEGORY_KEYS = VOCABULARY.categories.map((c) => c.key);

export function categoryOf(key) {
  return VOCABULARY.categories.find((c) => c.key === key) || null;
}
