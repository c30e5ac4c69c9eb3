// The counter cards of a scan (analysed, healthy, broken, …): the Dashboard's latest scan
// and the Scanner tab's status panel show the same cards.

import { el, formatNumber } from "./format.js";
import { VOCABULARY } from "./vocabulary.js";

// Where each problem category's count is in a scan's statistics.
const PROBLEM_VALUES = {
  broken: (s) => s.phase1_broken,
  inaccessible: (s) => s.phase1_inaccessible,
  small: (s) => s.phase1_small,
  io_error: (s) => (s.phase1_io_error || 0) + (s.phase2_io_error || 0),
  timeout: (s) => (s.phase1_timeout || 0) + (s.phase2_timeout || 0),
  corrupted: (s) => s.phase2_corrupted,
};

// Cards in display order: the categories in the server's order. `timeout` adds phase 1 (link check) and phase 2 (ffprobe) timeouts,
// as the findings' "timeout" category holds both.
export const COUNTERS = [
  { key: "analysed", label: "analysed", value: (s) => s.total_analyzed },
  { key: "healthy", label: "healthy", value: (s) => s.healthy },
  ...VOCABULARY.categories.map((category) => ({
    key: category.key, label: category.label, problem: true, description: category.description,
    value: PROBLEM_VALUES[category.key],
    title: category.key === "timeout"
      ? (s) => `link checks: ${formatNumber(s.phase1_timeout || 0)}, ffprobe: ${formatNumber(s.phase2_timeout || 0)}`
      : () => category.description,
  })),
  // Links an ignore rule matched: left out of the scan. Shown only when there are some.
  { key: "ignored", label: "ignored", value: (s) => s.ignored, onlyWhenAny: true,
    title: () => "links an ignore rule matched: not checked, never findings (Settings > Ignored links)" },
];

export function problemCount(stats) {
  if (!stats) return null;
  return COUNTERS.filter((c) => c.problem).reduce((sum, c) => sum + (c.value(stats) || 0), 0);
}

// `findingsOf(category)`, when given, is the address of the scan's findings of that category:
// a problem counter above zero is then a link to them.
export function renderCounters(container, stats, findingsOf = null) {
  const data = stats || {};
  const shown = COUNTERS.filter((counter) => !counter.onlyWhenAny || counter.value(data) > 0);
  const cards = shown.map((counter) => {
    const value = counter.value(data);
    const linked = Boolean(findingsOf && counter.problem && value > 0);
    const card = el(linked ? "a" : "div", {
      className: "counter" + (counter.problem && value > 0 ? " counter-alert" : "") + (linked ? " counter-link" : ""),
      dataset: { counter: counter.key },
      title: counter.title ? counter.title(data) : null,
      href: linked ? findingsOf(counter.key) : null,
      "aria-label": linked ? `${formatNumber(value)} ${counter.label}: show these findings` : null,
    },
    el("span", { className: "counter-value num", text: formatNumber(value ?? 0) }), " ",
    el("span", { className: "counter-label", text: counter.label }));
    return card;
  });
  container.replaceChildren(...cards);
}
