// Small DOM and formatting helpers shared by the tabs: building elements, numbers, dates,
// durations, paths relative to the media root, and the scan status pills.
// API strings only ever reach the page through textContent, never as HTML.

import { VOCABULARY, stateTone } from "./vocabulary.js";

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

// "1 link", "1,204 links", "0 findings".
export function formatCount(count, noun) {
  return `${formatNumber(count)} ${noun}${count === 1 ? "" : "s"}`;
}

export function formatLinks(count) {
  return formatCount(count, "link");
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

// "just now", "5 min ago", "3 h ago", then the date: how long ago an API timestamp was.
export function formatAgo(text, now = new Date()) {
  const date = parseApiDate(text);
  if (!date) return "—";
  const seconds = Math.max(0, (now.getTime() - date.getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatDate(text);
}

// A path shown relative to the media root ("Movies/Film (2020)"); the root itself is "whole library".
export function relativeTo(root, path) {
  if (!root || typeof path !== "string") return path;
  const base = root.replace(/\/+$/, "");
  if (path === base || path === root) return "whole library";
  return path.startsWith(base + "/") ? path.slice(base.length + 1) : path;
}

// A path with a line-break opportunity (<wbr>) after each "/": a long path wraps between its folders
// rather than inside a name. Its text stays the path; the .path class's overflow-wrap still breaks a
// single name that is wider than the whole line.
export function pathWithBreaks(path) {
  const fragment = document.createDocumentFragment();
  const parts = String(path ?? "").split("/");
  parts.forEach((part, index) => {
    if (part) fragment.append(part);
    if (index < parts.length - 1) fragment.append("/", document.createElement("wbr"));
  });
  return fragment;
}

// The same for a path shown relative to the media root.
export function relativePathWithBreaks(root, path) {
  return pathWithBreaks(relativeTo(root, path));
}

// A listed link's path with its file name first in importance: the name (and the SxxEyy or year in it)
// is never cut; the folder before it shrinks, cut at its start with "…" ("…Season 01/Show.S01E05.mkv"),
// and on a narrow screen the name goes onto its own line. The full path is the tooltip.
// `root` shortens the path relative to the media root (null or "" to show it as given).
export function namedPath(root, path, { full = path, className = "" } = {}) {
  const shown = String((root ? relativeTo(root, path) : path) ?? "");
  const cut = shown.replace(/\/+$/, "").lastIndexOf("/");
  const folder = cut >= 0 ? shown.slice(0, cut + 1) : "";
  const name = cut >= 0 ? shown.slice(cut + 1) : shown;
  return el("span", { className: `named-path ${className}`.trim(), title: full || null },
    folder ? el("span", { className: "named-path-folder" }, el("bdi", { dir: "ltr", text: folder })) : null,
    el("span", { className: "named-path-name", text: name || "—" }));
}

export function describeScope(root, paths) {
  if (!Array.isArray(paths) || paths.length === 0) return "whole library";
  return paths.map((p) => relativeTo(root, p)).join(", ");
}

// --- scan status ---------------------------------------------------------------

const STATUS_LABELS = VOCABULARY.state_labels;

export function statusLabel(status) {
  return STATUS_LABELS[status] || String(status || "unknown");
}

// The pill's colour comes from the state's tone (ok, active, warning, failed, neutral), as the server says.
export function setStatusPill(node, status) {
  node.textContent = statusLabel(status);
  node.dataset.status = status || "";
  node.dataset.tone = stateTone(status);
}

export const ACTIVE_STATES = VOCABULARY.active_states;

export function isActive(status) {
  return ACTIVE_STATES.includes(status);
}
