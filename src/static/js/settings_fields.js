// Two kinds of field the Settings tab uses in several places: a secret (an API key, a token) shown as
// dots until "Show", with "Copy"; and path mappings as rows of Remote/Local with Add/Remove, kept in a
// hidden input as the same JSON the setting takes ([{"remote": ..., "local": ...}]).

import { el } from "./format.js";

const MASK = "********"; // how the server shows a saved secret: the browser never gets it

// Wraps `input` (type password from now on) with Show/Hide and Copy; returns the wrapper.
export function secretField(input, what) {
  input.type = "password";
  input.autocomplete = "off";
  const show = el("button", { type: "button", className: "btn btn-secondary btn-small secret-show",
    "aria-pressed": "false", "aria-label": `Show ${what}`, text: "Show" });
  const copy = el("button", { type: "button", className: "btn btn-secondary btn-small secret-copy",
    "aria-label": `Copy ${what}`, text: "Copy" });
  show.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    show.textContent = shown ? "Hide" : "Show";
    show.setAttribute("aria-label", `${shown ? "Hide" : "Show"} ${what}`);
    show.setAttribute("aria-pressed", String(shown));
  });
  copy.addEventListener("click", () => copyText(input.value));
  // A saved secret comes masked: there is nothing to copy (the app it belongs to shows it).
  const update = () => {
    copy.disabled = input.value === "" || input.value.startsWith(MASK);
    copy.title = input.value.startsWith(MASK) ? "The saved key is never sent to the browser: copy it from its app" : "";
  };
  input.addEventListener("input", update);
  input.addEventListener("secret-filled", update);
  const wrapper = el("div", { className: "inline-controls secret-field" });
  input.replaceWith(wrapper);
  wrapper.append(input, show, copy);
  update();
  return wrapper;
}

// After the form set a secret's value from code (no input event): its Copy button follows.
export function secretFilled(input) {
  input.dispatchEvent(new Event("secret-filled"));
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API outside secure contexts: the old way, through a selected field.
    const scratch = el("textarea", { className: "visually-hidden", "aria-hidden": "true" });
    scratch.value = text;
    document.body.append(scratch);
    scratch.select();
    document.execCommand("copy");
    scratch.remove();
  }
}

// Path mappings editor bound to `hidden` (an <input type=hidden> holding the JSON list). Rows the person
// left half-filled are kept as they are, so that the server's message says what is missing.
export function mappingsEditor(hidden, label) {
  const rows = el("div", { className: "mapping-rows" });
  const add = el("button", { type: "button", className: "btn btn-secondary btn-small mapping-add",
    text: "Add a mapping" });
  const box = el("div", { className: "mappings", role: "group", "aria-label": label }, rows, add);
  hidden.after(box);

  function write() {
    const list = Array.from(rows.querySelectorAll(".mapping-row")).map((row) => ({
      remote: row.querySelector(".mapping-remote").value.trim(),
      local: row.querySelector(".mapping-local").value.trim(),
    })).filter((m) => m.remote !== "" || m.local !== "");
    hidden.value = list.length ? JSON.stringify(list) : "";
    hidden.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function row(mapping) {
    const remote = el("input", { type: "text", className: "mono mapping-remote", spellcheck: "false",
      "aria-label": `Remote path (as the app names it), ${label}`, placeholder: "Remote: /tv" });
    const local = el("input", { type: "text", className: "mono mapping-local", spellcheck: "false",
      "aria-label": `Local path (here), ${label}`, placeholder: "Local: /medias/Series" });
    remote.value = mapping.remote || "";
    local.value = mapping.local || "";
    const remove = el("button", { type: "button", className: "btn btn-secondary btn-small mapping-remove",
      "aria-label": `Remove this mapping, ${label}`, text: "Remove" });
    const line = el("div", { className: "mapping-row" }, remote, el("span", { className: "muted", "aria-hidden": "true", text: "→" }),
      local, remove);
    remove.addEventListener("click", () => {
      line.remove();
      write();
    });
    remote.addEventListener("input", write);
    local.addEventListener("input", write);
    return line;
  }

  // The rows again from the hidden input's value (after the form was filled from the server).
  function render() {
    let list = [];
    try { list = hidden.value.trim() ? JSON.parse(hidden.value) : []; } catch { list = []; }
    rows.replaceChildren(...(Array.isArray(list) ? list : []).map((m) => row(m && typeof m === "object" ? m : {})));
  }

  add.addEventListener("click", () => {
    const line = row({});
    rows.append(line);
    line.querySelector("input").focus();
  });
  render();
  return { render, focus: () => (rows.querySelector("input") || add).focus() };
}
