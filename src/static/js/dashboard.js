// Dashboard: the latest scan's summary and the history of kept scans.
// Also exports the formatting helpers and the counter cards the Scanner tab reuses.
// API strings only ever reach the page through textContent, never as HTML.

import { get } from "./api.js";

// --- small DOM and formatting helpers (shared with scanner.js) -------------

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const numberFormat = new Intl.NumberFormat();

export function formatNumber(value) {
  return typeof value === "number" && Number.isFinite(value) ? numberFormat.format(value) : "—";
}

// The API sends naive UTC timestamps ("2025-11-21T10:31:00.123456"): read them as UTC.
export function parseApiDate(text) {
  if (!text) return null;
  const iso = /([zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : text + "Z";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function formatDate(text) {
  const date = parseApiDate(text);
  return date ? dateFormat.format(date) : "—";
}

export function formatDuration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  return `${m} min ${String(s).padStart(2, "0")} s`;
}

const STATUS_LABELS = {
  pending: "pending",
  running: "running",
  completed: "completed",
  cancelled: "cancelled",
  error: "error",
  awaiting_confirmation: "waiting for confirmation",
};

export function statusLabel(status) {
  return STATUS_LABELS[status] || String(status || "unknown");
}

// A path shown relative to the media root ("Movies/Film (2020)"); the root itself is "whole library".
export function relativeTo(root, path) {
  if (!root || typeof path !== "string") return path;
  const base = root.replace(/\/+$/, "");
  if (path === base || path === root) return "whole library";
  return path.startsWith(base + "/") ? path.slice(base.length + 1) : path;
}

export function describeScope(root, paths) {
  if (!Array.isArray(paths) || paths.length === 0) return "whole library";
  return paths.map((p) => relativeTo(root, p)).join(", ");
}

export function setStatusPill(node, status) {
  node.textContent = statusLabel(status);
  node.dataset.status = status || "";
}

export const ACTIVE_STATES = ["pending", "running"];

export function isActive(status) {
  return ACTIVE_STATES.includes(status);
}

// --- counters --------------------------------------------------------------

// Cards in display order. `timeout` adds phase 1 (link check) and phase 2 (ffprobe) timeouts,
// as the findings' "timeout" category holds both.
export const COUNTERS = [
  { key: "analysed", label: "analysed", value: (s) => s.total_analyzed },
  { key: "healthy", label: "healthy", value: (s) => s.healthy },
  { key: "broken", label: "broken", problem: true, value: (s) => s.phase1_broken },
  { key: "inaccessible", label: "inaccessible", problem: true, value: (s) => s.phase1_inaccessible },
  { key: "small", label: "small", problem: true, value: (s) => s.phase1_small },
  { key: "io_error", label: "io_error", problem: true, value: (s) => s.phase1_io_error },
  {
    key: "timeout", label: "timeout", problem: true,
    value: (s) => (s.phase1_timeout || 0) + (s.phase2_timeout || 0),
    title: (s) => `link checks: ${formatNumber(s.phase1_timeout || 0)}, ffprobe: ${formatNumber(s.phase2_timeout || 0)}`,
  },
  { key: "corrupted", label: "corrupted", problem: true, value: (s) => s.phase2_corrupted },
];

export function problemCount(stats) {
  if (!stats) return null;
  return COUNTERS.filter((c) => c.problem).reduce((sum, c) => sum + (c.value(stats) || 0), 0);
}

export function renderCounters(container, stats) {
  const data = stats || {};
  const cards = COUNTERS.map((counter) => {
    const value = counter.value(data);
    const card = el("div", {
      className: "counter" + (counter.problem && value > 0 ? " counter-alert" : ""),
      dataset: { counter: counter.key },
      title: counter.title ? counter.title(data) : null,
    },
    el("span", { className: "counter-value num", text: formatNumber(value ?? 0) }),
    el("span", { className: "counter-label", text: counter.label }));
    return card;
  });
  container.replaceChildren(...cards);
}

// --- the Dashboard tab -----------------------------------------------------

export function initDashboard(ctx) {
  const $ = (id) => document.getElementById(id);
  let requestNo = 0;
  let mediaRoot = null;
  let lastScans = null;

  function renderLatest(scan) {
    $("latest-empty").hidden = Boolean(scan);
    $("latest-scan").hidden = !scan;
    if (!scan) return;
    $("latest-id").textContent = `#${scan.scan_id}`;
    setStatusPill($("latest-status"), scan.status);
    $("latest-date").textContent = formatDate(scan.scan_date);
    $("latest-mode").textContent = scan.mode || "—";
    $("latest-depth").textContent = scan.verification_depth || "—";
    const scope = describeScope(mediaRoot, scan.selected_paths);
    $("latest-scope").textContent = scope;
    $("latest-scope").className = scope === "whole library" ? "" : "mono path";
    $("latest-scope").title = (scan.selected_paths || []).join("\n");
    $("latest-duration").textContent = isActive(scan.status) ? "running…" : formatDuration(scan.duration);
    renderCounters($("latest-counters"), scan.statistics);
    const error = $("latest-error");
    error.hidden = !scan.error_message;
    error.textContent = scan.error_message || "";
  }

  function scopeCell(scan) {
    const scope = describeScope(mediaRoot, scan.selected_paths);
    return el("td", {
      className: scope === "whole library" ? null : "mono path",
      text: scope, title: (scan.selected_paths || []).join("\n"),
    });
  }

  function renderHistory(scans) {
    const rows = scans.map((scan) => {
      const open = () => ctx.openScan(scan.scan_id);
      const button = el("button", {
        type: "button", className: "link-button",
        "aria-label": `Show the findings of scan ${scan.scan_id}`, text: `#${scan.scan_id}`,
        onclick: (event) => { event.stopPropagation(); open(); },
      });
      const pill = el("span", { className: "status-pill" });
      setStatusPill(pill, scan.status);
      const cells = [
        ["Scan", el("td", {}, button)],
        ["Date", el("td", { text: formatDate(scan.scan_date) })],
        ["Status", el("td", {}, pill)],
        ["Mode", el("td", { text: scan.mode || "—" })],
        ["Depth", el("td", { text: scan.verification_depth || "—" })],
        ["Scope", scopeCell(scan)],
        ["Analysed", el("td", { className: "num", text: formatNumber(scan.statistics ? scan.statistics.total_analyzed : null) })],
        ["Problems", el("td", { className: "num", text: formatNumber(problemCount(scan.statistics)) })],
        ["Duration", el("td", { className: "num", text: isActive(scan.status) ? "running…" : formatDuration(scan.duration) })],
      ];
      for (const [label, cell] of cells) cell.dataset.label = label;
      return el("tr", { className: "clickable", dataset: { scanId: scan.scan_id }, onclick: open },
        ...cells.map(([, cell]) => cell));
    });
    $("history-body").replaceChildren(...rows);
    $("history-empty").hidden = scans.length > 0;
    $("history-table").hidden = scans.length === 0;
  }

  function render() {
    if (lastScans === null) return;
    renderLatest(lastScans[0] || null);
    renderHistory(lastScans);
  }

  // The Scanner tab tells the media root once its tree is loaded: scopes are shown relative to it.
  function setMediaRoot(root) {
    mediaRoot = root;
    render();
  }

  async function refresh() {
    const mine = ++requestNo;
    try {
      const data = await get("/scans/history");
      if (mine !== requestNo) return;
      lastScans = Array.isArray(data.scans) ? data.scans : [];
      render();
    } catch (err) {
      if (mine === requestNo) ctx.showError(err);
    }
  }

  $("dashboard-refresh").addEventListener("click", refresh);
  return { refresh, setMediaRoot };
}
