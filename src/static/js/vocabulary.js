// The enumerations the server defines once (linkdoctor/web/vocabulary.py): categories,
// states and their labels and tones, job kinds, modes, depths. The page carries them in a JSON data block.
// No other file names a state: they ask the helpers below.

const block = document.getElementById("vocabulary");

export const VOCABULARY = Object.freeze(block ? JSON.parse(block.textContent) : {
  categories: [], state_labels: {}, state_tones: {}, active_states: [], job_active_states: [],
  job_finished_states: [], job_kinds: [], job_names: {}, waiting_state: "",
  modes: [], depths: [], decode_modes: [], per_page: { choices: [50], default: 50 },
});

export const CATEGORY_KEYS = VOCABULARY.categories.map((c) => c.key);

export function categoryOf(key) {
  return VOCABULARY.categories.find((c) => c.key === key) || null;
}

// --- states: of scans and of jobs ---------------------------------------------------

const ACTIVE = new Set([...VOCABULARY.active_states, ...VOCABULARY.job_active_states]);

// Pending or running: a poller keeps asking.
export function isActiveState(state) {
  return ACTIVE.has(state);
}

// "ok", "active", "warning", "failed" or "neutral": how the state looks, as the server says.
export function stateTone(state) {
  return VOCABULARY.state_tones[state] || "neutral";
}

// It ended and did everything asked (not cancelled, not failed, no problems).
export function endedWell(state) {
  return stateTone(state) === "ok";
}

// It ended in an error or was interrupted.
export function endedInFailure(state) {
  return stateTone(state) === "failed";
}

// A real scan whose proposal waits for the user's confirmation.
export function isWaitingForConfirmation(state) {
  return Boolean(state) && state === VOCABULARY.waiting_state;
}

// A job's name in the page: "Scan #6" (a scan's id), "Import job 6", "Follow-up job 12": two kinds never read alike.
export function jobName(kind, id) {
  return (VOCABULARY.job_names[kind] || `${kind} job {id}`).replace("{id}", String(id));
}
