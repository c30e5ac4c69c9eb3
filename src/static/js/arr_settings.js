// Sonarr/Radarr in the Settings tab: the further instances' editor, a Test button per
// instance (its verdict shown next to it), and Docker detection with an Apply button per
// suggestion. Applying saves that suggestion at once (POST /config); nothing else is saved
// until the form is saved. Test sends what the form holds, unsaved (as Sonarr's Connect dialog
// does); a masked key means the saved one.

import { post } from "./api.js";
import { mappingsEditor, secretField } from "./settings_fields.js";

const FIELDS = [
  ["name", "Name", "text"], ["scheme", "Protocol", "scheme"], ["host", "Host", "text"], ["port", "Port", "int"],
  ["url_base", "URL base", "text"], ["api_key", "API key", "secret"], ["path_mappings", "Path mappings", "json"],
];
const APP = { sonarr: "Sonarr", radarr: "Radarr" };

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

export function initArrSettings({ $, getLoaded, onApplied, showError }) {
  const list = $("arr-instances");
  const hidden = $("cfg-arr_instances");
  let counter = 0;

  function row(instance) {
    counter += 1;
    const box = element("fieldset", { className: "arr-instance" });
    box.dataset.kind = instance.kind;
    box.append(element("legend", { textContent: instance.kind === "sonarr" ? "Sonarr" : "Radarr" }));
    const enabled = element("input", { type: "checkbox", id: `arr-${counter}-enabled`, checked: instance.enabled !== false });
    enabled.dataset.field = "enabled";
    box.append(element("div", { className: "field check" }, [enabled,
      element("label", { htmlFor: enabled.id, textContent: "Enabled" })]));
    for (const [key, label, kind] of FIELDS) {
      const id = `arr-${counter}-${key}`;
      let input;
      if (kind === "scheme") {
        input = element("select", { id }, [element("option", { value: "http", textContent: "http" }),
          element("option", { value: "https", textContent: "https" })]);
      } else if (kind === "json") {
        input = element("input", { id, type: "hidden" });
      } else {
        input = element("input", { id, type: kind === "int" ? "number" : "text", spellcheck: false });
      }
      const value = instance[key];
      input.value = kind === "json" ? (value && value.length ? JSON.stringify(value) : "") : (value ?? (kind === "scheme" ? "http" : ""));
      input.dataset.field = key;
      input.dataset.kind = kind;
      const wide = kind === "json" ? " wide" : "";
      const title = kind === "json" ? element("span", { className: "field-label", textContent: label })
        : element("label", { htmlFor: id, textContent: label });
      box.append(element("div", { className: `field${wide}` }, [title, input]));
      if (kind === "secret") secretField(input, `${APP[instance.kind]} API key`);
      if (kind === "json") mappingsEditor(input, `path mappings of this ${APP[instance.kind]}`);
    }
    const test = element("button", { type: "button", className: "btn btn-secondary arr-test", textContent: "Test" });
    const result = element("span", { className: "arr-test-result", role: "status" });
    const remove = element("button", { type: "button", className: "btn btn-secondary arr-remove", textContent: "Remove" });
    remove.addEventListener("click", () => {
      box.remove();
      list.dispatchEvent(new Event("change", { bubbles: true })); // the form counts it as an edit
    });
    test.addEventListener("click", () => testOne(test, () => readRow(box), result));
    box.append(element("div", { className: "actions arr-test-row" }, [test, result, remove]));
    return box;
  }

  function render(instances) {
    list.replaceChildren(...(instances || []).map(row));
  }

  function readRow(box) {
    const read = {};
    for (const input of box.querySelectorAll("[data-kind]")) {
      const text = input.value.trim();
      if (input.dataset.kind === "int") read[input.dataset.field] = text === "" ? null : Number(text);
      else if (input.dataset.kind === "json") {
        try { read[input.dataset.field] = text === "" ? [] : JSON.parse(text); } catch { read[input.dataset.field] = text; }
      } else read[input.dataset.field] = input.value.trim();
    }
    const enabled = box.querySelector("[data-field='enabled']").checked;
    return { kind: box.dataset.kind, name: read.name, scheme: read.scheme, host: read.host, port: read.port,
      url_base: read.url_base, api_key: read.api_key, enabled, path_mappings: read.path_mappings };
  }

  // Called before the form reads its fields: the editor's rows become the arr_instances setting.
  function sync() {
    hidden.value = JSON.stringify(Array.from(list.querySelectorAll(".arr-instance")).map(readRow));
  }

  function showVerdict(node, verdict) {
    node.className = `arr-test-result ${verdict && verdict.ok ? "ok-text" : "error-text"}`;
    node.textContent = verdict ? `${verdict.ok ? "✓" : "✗"} ${verdict.message}`
      : "not tested: enable it and save the settings first";
  }

  // One instance as the form holds it now: POST /test/services {"instance": ...}, nothing saved.
  async function testOne(button, instanceOf, resultNode) {
    button.disabled = true;
    resultNode.className = "arr-test-result muted";
    resultNode.textContent = "testing…";
    try {
      const { kind, name, scheme, host, port, url_base, api_key } = instanceOf();
      const answer = await post("/test/services", { instance: { kind, name, scheme, host, port, url_base, api_key } });
      showVerdict(resultNode, answer.services[0]);
    } catch (err) {
      resultNode.className = "arr-test-result error-text";
      resultNode.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  // The seed fieldsets' Test buttons.
  for (const button of document.querySelectorAll(".arr-test[data-arr-first]")) {
    const kind = button.dataset.arrKind;
    const node = document.querySelector(`.arr-test-result[data-arr-first][data-arr-kind='${kind}']`);
    const value = (field) => document.getElementById(`cfg-${kind}_${field}`).value.trim();
    const seed = () => {
      const port = value("port");
      return { kind, name: value("name"), scheme: value("scheme"), host: value("host"),
        port: port === "" ? null : Number(port), url_base: value("url_base"), api_key: value("api_key") };
    };
    button.addEventListener("click", () => testOne(button, seed, node));
  }

  // Every verdict of a "Test services" answer next to its instance.
  function showVerdicts(services) {
    const loaded = getLoaded() || {};
    for (const kind of ["sonarr", "radarr"]) {
      const node = document.querySelector(`.arr-test-result[data-arr-first][data-arr-kind='${kind}']`);
      const verdict = services.find((s) => s.kind === kind && s.name === loaded[`${kind}_name`]);
      if (verdict) showVerdict(node, verdict);
    }
    for (const box of list.querySelectorAll(".arr-instance")) {
      const name = box.querySelector("[data-field='name']").value;
      const verdict = services.find((s) => s.kind === box.dataset.kind && s.name === name);
      if (verdict) showVerdict(box.querySelector(".arr-test-result"), verdict);
    }
  }

  async function apply(button, suggestion, note) {
    // Only the container is named: the server reads its API key again (this page sees it masked).
    button.disabled = true;
    try {
      const applied = await post("/services/apply", { container: suggestion.container });
      onApplied(applied.config);
      note.className = "ok-text";
      note.textContent = applied.message;
    } catch (err) {
      button.disabled = false;
      note.className = "error-text";
      note.textContent = err.message;
    }
  }

  function showSuggestions(answer) {
    const box = $("services-detected");
    box.replaceChildren(...answer.services.map((s) => {
      const where = s.host ? `${s.host}:${s.port}${s.url_base ? `/${s.url_base}` : ""}` : "no address";
      const button = element("button", { type: "button", className: "btn btn-secondary detect-apply", textContent: "Apply" });
      const note = element("span", { className: "muted" });
      button.addEventListener("click", () => apply(button, s, note));
      button.disabled = !s.host;
      const item = element("li", { className: "detected" }, [
        element("strong", { textContent: `${s.kind} ${s.container}` }), ` (${s.image}) ${where}: `,
        element("span", { className: s.verified ? "ok-text" : "error-text", textContent: s.message }), " ", button, " ", note,
      ]);
      item.dataset.container = s.container;
      return item;
    }));
    box.hidden = answer.services.length === 0;
  }

  function add(kind, port) {
    const box = row({ kind, port, path_mappings: [] });
    list.append(box);
    box.querySelector("[data-field='name']").focus();
    list.dispatchEvent(new Event("change", { bubbles: true }));
  }
  $("arr-add-sonarr").addEventListener("click", () => add("sonarr", 8989));
  $("arr-add-radarr").addEventListener("click", () => add("radarr", 7878));

  return { render, sync, showVerdicts, showSuggestions, showError };
}
