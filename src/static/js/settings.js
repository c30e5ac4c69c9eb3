// Settings: the form bound to GET/POST /api/symlink/config, and the service buttons.
//
// Only the fields the user changed are sent. API keys arrive masked ("********abcd");
// an untouched key is therefore never sent (the server would ignore the mask anyway).
// Validation is the server's: its 400 message is shown as it is, and the field it
// names is marked invalid.

import { ApiError, get, post } from "./api.js";
import { initArrSettings } from "./arr_settings.js";
import { initMediaSettings } from "./media_settings.js";
import { formatDate } from "./format.js";
import { mappingsEditor, secretField, secretFilled } from "./settings_fields.js";

const SECTION_KEY = "linkdoctor.settings.section"; // the section last shown, for this browser tab

export function initSettings(ctx) {
  const $ = (id) => document.getElementById(id);
  const form = $("settings-form");
  const fields = Array.from(form.querySelectorAll("[data-kind]"));
  let loaded = null;
  const arr = initArrSettings({ $, getLoaded: () => loaded, onApplied: (config) => fill(config), showError: ctx.showError });
  const media = initMediaSettings({ $, showError: ctx.showError });
  const secrets = fields.filter((input) => input.dataset.secret);
  for (const input of secrets) secretField(input, input.dataset.secret);
  const mappings = new Map(fields.filter((input) => input.dataset.mappings)
    .map((input) => [input, mappingsEditor(input, input.dataset.mappings)]));

  // Sections: one shown at a time; the Save bar stays with the form's sections, and with any other once
  // something is unsaved.
  const sectionButtons = Array.from(document.querySelectorAll("#settings-sections [data-section]"));
  const formSections = new Set(Array.from(form.querySelectorAll("[data-settings-section]"), (n) => n.dataset.settingsSection));
  let section = "general";

  function showSection(name) {
    if (!sectionButtons.some((b) => b.dataset.section === name)) name = "general";
    section = name;
    for (const node of document.querySelectorAll("#panel-settings [data-settings-section]")) {
      node.hidden = node.dataset.settingsSection !== name;
    }
    for (const button of sectionButtons) {
      if (button.dataset.section === name) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    try { sessionStorage.setItem(SECTION_KEY, name); } catch { /* storage refused: the first section next time */ }
    showAddress();
    showDirty();
  }

  // While Settings is shown, the address names its section ("#/settings/arr"): a reload or a shared link
  // opens the same one. A section is not a step of the history (Back leaves Settings, as for a tab).
  function showAddress() {
    if (document.body.dataset.tab === "settings" && window.location.hash !== `#/settings/${section}`) {
      history.replaceState(null, "", `#/settings/${section}`);
    }
  }

  // Shows the section holding `node` (a field with an error, the Services block the Dashboard links to).
  function reveal(node) {
    const holder = node && node.closest("[data-settings-section]");
    if (holder && holder.dataset.settingsSection !== section) showSection(holder.dataset.settingsSection);
  }

  for (const button of sectionButtons) button.addEventListener("click", () => showSection(button.dataset.section));
  // Other tabs lead to a setting (the Dashboard to Services, Maintenance to the TMDB key) with this event.
  $("panel-settings").addEventListener("settings-reveal", (event) => reveal(event.target));

  function readField(input) {
    const kind = input.dataset.kind;
    if (kind === "bool") return input.checked;
    if (kind === "list") {
      return input.value.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    }
    if (kind === "json") {
      // Text that is not JSON is sent as it is: the server's 400 says what is wrong with it.
      const text = input.value.trim();
      if (text === "") return [];
      try { return JSON.parse(text); } catch { return input.value; }
    }
    if (kind === "int" || kind === "float") {
      const text = input.value.trim();
      if (text === "") return null; // empty, or text the browser could not read as a number
      const value = Number(text);
      return Number.isFinite(value) ? value : text;
    }
    return input.value;
  }

  function writeField(input, value) {
    const kind = input.dataset.kind;
    if (kind === "bool") input.checked = Boolean(value);
    else if (kind === "list") input.value = Array.isArray(value) ? value.join("\n") : "";
    else if (kind === "json") input.value = Array.isArray(value) && value.length === 0 ? "" : JSON.stringify(value);
    else input.value = value === null || value === undefined ? "" : String(value);
  }

  // Key order does not matter (the server may sort an object's keys).
  function canonical(value) {
    return JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
  }

  function sameValue(a, b) {
    return canonical(a) === canonical(b);
  }

  function markValid(input) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    const note = document.getElementById(`${input.id}-error`);
    if (note) note.remove();
  }

  function clearInvalid() {
    for (const input of fields) markValid(input);
  }

  function hideMessages() {
    $("settings-error").hidden = true;
    $("settings-saved").hidden = true;
  }

  // What each field reads as right after filling it: an edit is a difference from this, so that
  // a value the form shows differently (null as "", a list as lines) never counts as a change.
  let shown = {};

  function fill(config) {
    loaded = config;
    for (const input of fields) writeField(input, config[input.name]);
    for (const input of secrets) secretFilled(input);
    for (const editor of mappings.values()) editor.render();
    arr.render(config.arr_instances);
    arr.sync();
    media.render(config.media_servers);
    media.sync();
    shown = Object.fromEntries(fields.map((input) => [input.name, readField(input)]));
    clearInvalid();
    // Set by LINKDOCTOR_MEDIA_PATH: shown, not editable, and the note says where to change it.
    const mediaPath = $("cfg-media_path");
    mediaPath.readOnly = Boolean(config.media_path_locked);
    $("media-path-locked").hidden = !config.media_path_locked;
    $("media-path-locked").textContent = config.media_path_locked ? `Read-only: ${config.media_path_locked}.` : "";
    const saved = config.updated_at && config.updated_at !== config.created_at;
    $("settings-updated").textContent = saved ? `Last saved ${formatDate(config.updated_at)}` : "Defaults, never saved";
    showDirty();
  }

  function changes() {
    arr.sync();
    media.sync();
    const body = {};
    for (const input of fields) {
      const value = readField(input);
      if (!loaded || !sameValue(value, shown[input.name])) body[input.name] = value;
    }
    return body;
  }

  // The API's messages start with the setting's name ("max_workers must be between 1 and 64").
  function fieldOfMessage(message) {
    const named = fields
      .filter((input) => message.startsWith(input.name + " ") || message.includes(`'${input.name}'`))
      .sort((a, b) => b.name.length - a.name.length);
    return named[0] || null;
  }

  // The field's label in the person's words ("Workers"), not its key ("max_workers").
  function labelOf(input) {
    const label = form.querySelector(`label[for="${input.id}"]`);
    const text = label ? label.childNodes[0].textContent.trim() : (input.dataset.mappings || "");
    return text || input.name;
  }

  function inWords(input, message) {
    return message.startsWith(input.name) ? labelOf(input) + message.slice(input.name.length) : message;
  }

  function markInvalid(input, message) {
    const note = document.createElement("p");
    note.id = `${input.id}-error`;
    note.className = "field-error";
    note.textContent = inWords(input, message);
    (input.closest(".field") || input.parentElement).append(note);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
  }

  // The server answers every invalid field at once ({fields: {name: message}}): each is shown
  // beside its field, and the first one gets the focus.
  function showFormError(err) {
    const box = $("settings-error");
    const named = (err.body && err.body.fields) || {};
    const marked = [];
    for (const [name, message] of Object.entries(named)) {
      const input = fields.find((candidate) => candidate.name === name);
      if (input) {
        markInvalid(input, message);
        marked.push(input);
      }
    }
    if (!marked.length) {
      const input = fieldOfMessage(err.message);
      if (input) {
        markInvalid(input, err.message);
        marked.push(input);
      }
    }
    box.textContent = marked.length > 1
      ? `${marked.length} settings need attention: ${marked.map(labelOf).join(", ")}.`
      : (marked.length ? inWords(marked[0], err.message) : err.message);
    box.hidden = false;
    if (marked.length) {
      reveal(marked[0]);
      if (mappings.has(marked[0])) mappings.get(marked[0]).focus();
      else marked[0].focus();
    }
  }

  // Unsaved edits are never lost silently: the form says it is changed, and leaving the tab,
  // the page or discarding asks first.
  function isDirty() {
    return loaded !== null && Object.keys(changes()).length > 0;
  }

  function showDirty() {
    const dirty = isDirty();
    form.dataset.dirty = String(dirty);
    $("settings-dirty").hidden = !dirty;
    $("settings-footer").dataset.dirty = String(dirty);
    // (Outside the form's sections the bar shows while there is something to save or to say about a save.)
    $("settings-footer").hidden = !dirty && !formSections.has(section) && $("settings-saved").hidden
      && $("settings-error").hidden;
  }

  function mayLeave() {
    return !isDirty() || window.confirm("Your settings have unsaved changes. Leave without saving them?");
  }

  async function load() {
    try {
      fill(await get("/config"));
    } catch (err) {
      ctx.showError(err);
    }
    media.loadUrls();
  }

  async function save(event) {
    event.preventDefault();
    hideMessages();
    clearInvalid();
    const body = changes();
    if (Object.keys(body).length === 0) {
      $("settings-saved").textContent = "Nothing to save: no setting was changed.";
      $("settings-saved").hidden = false;
      return;
    }
    $("settings-save").disabled = true;
    try {
      const config = await post("/config", body);
      const mediaChanged = loaded && config.media_path !== loaded.media_path;
      fill(config);
      $("settings-saved").textContent = `Settings saved (${Object.keys(body).join(", ")}).`;
      $("settings-saved").hidden = false;
      showDirty();
      ctx.onConfigSaved({ mediaChanged });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) showFormError(err);
      else ctx.showError(err);
      showDirty();
    } finally {
      $("settings-save").disabled = false;
    }
  }

  function describeServices(path, answer) {
    if (path === "/services/detect") {
      arr.showSuggestions(answer);
      return answer.message;
    }
    arr.showVerdicts(answer.services);
    if (answer.services.length === 0) return "no Sonarr or Radarr instance is enabled";
    const ok = answer.services.filter((s) => s.ok).length;
    return `${ok} of ${answer.services.length} instance(s) answer`;
  }

  async function serviceAction(button, path, what) {
    const box = $("services-result");
    box.hidden = true;
    button.disabled = true;
    try {
      const answer = await post(path);
      // Docker absent or refused ("available": false) is news, not a success: a warning, not a green box.
      box.className = `banner ${answer.available === false ? "banner-warning" : "banner-ok"} inline-banner`;
      box.textContent = `${what}: ${describeServices(path, answer)}`;
    } catch (err) {
      const notYet = err instanceof ApiError && err.status === 501;
      box.className = `banner ${notYet ? "banner-warning" : "banner-error"} inline-banner`;
      box.textContent = notYet ? `${what}: ${err.message}.` : `${what} failed: ${err.message}`;
    } finally {
      box.hidden = false;
      button.disabled = false;
    }
  }

  form.addEventListener("submit", save);
  const edited = (event) => {
    if (event.target.hasAttribute && event.target.hasAttribute("aria-invalid")) markValid(event.target);
    $("settings-saved").hidden = true; // a "saved" banner is stale once the form is edited again
    showDirty();
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  $("settings-reset").addEventListener("click", () => {
    if (isDirty() && !window.confirm("Discard your unsaved changes to the settings?")) return;
    hideMessages();
    if (loaded) fill(loaded);
    showDirty();
  });
  window.addEventListener("beforeunload", (event) => {
    if (isDirty()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  $("services-test").addEventListener("click", (e) => serviceAction(e.currentTarget, "/test/services", "Test services"));
  $("services-detect").addEventListener("click", (e) => serviceAction(e.currentTarget, "/services/detect", "Detect via Docker"));

  let remembered = null;
  try { remembered = sessionStorage.getItem(SECTION_KEY); } catch { remembered = null; }
  showSection(remembered || "general");
  load();
  return { load, mayLeave, reveal, showSection, showAddress };
}
