// Settings > Ignored links: the ignore rules (GET /ignores), removing one (DELETE /ignores/<id>),
// and a small form adding a folder of the library or a target prefix (POST /ignores {prefix, note});
// a prefix that would hide more than one link asks first, with the count GET /ignores/preview finds.
//
// Each add or removal is its own request, apart from the settings form: it never marks the
// settings as changed, and the settings' leave and discard questions do not cover it.

import { ApiError, api, get, post } from "./api.js";
import { el, formatDate, formatLinks, relativeTo, pathWithBreaks } from "./format.js";
import { VOCABULARY } from "./vocabulary.js";

const KIND_LABELS = Object.fromEntries((VOCABULARY.ignore_kinds || []).map((kind) => [kind.key, kind.label]));

export function initIgnores(ctx) {
  const $ = (id) => document.getElementById(id);
  const form = $("ignores-form");
  const inputs = { prefix: $("ignore-prefix"), note: $("ignore-note") };
  let mediaRoot = null;

  // Link and folder rules are inside the library: shown relative to it. Target prefixes are elsewhere.
  function shownValue(rule) {
    return rule.kind === "target" ? rule.value : relativeTo(mediaRoot, rule.value);
  }

  function say(text, tone = "ok") {
    const box = $("ignores-result");
    box.className = `banner banner-${tone} inline-banner`;
    box.textContent = text;
    box.hidden = false;
  }

  function row(rule) {
    const shown = shownValue(rule);
    return el("li", { className: "ignore-rule", dataset: { ruleId: rule.id, kind: rule.kind } },
      el("div", { className: "ignore-what" },
        el("span", { className: "ignore-kind", text: KIND_LABELS[rule.kind] || rule.kind }),
        " ",
        el("span", { className: "ignore-value mono path", title: rule.value }, pathWithBreaks(shown))),
      rule.note ? el("p", { className: "ignore-note", text: rule.note }) : null,
      el("p", { className: "ignore-date muted small", text: `added ${formatDate(rule.created_at)}` }),
      el("button", {
        type: "button", className: "btn btn-secondary btn-small ignore-remove", text: "Stop ignoring",
        "aria-label": `Stop ignoring ${shown}`,
        onclick: (event) => remove(rule, event.currentTarget),
      }));
  }

  function render(rules) {
    $("ignores-list").replaceChildren(...rules.map(row));
    $("ignores-list").hidden = rules.length === 0;
    $("ignores-empty").hidden = rules.length > 0;
  }

  async function load() {
    try {
      const answer = await get("/ignores");
      mediaRoot = answer.media_root;
      render(answer.ignores);
    } catch (err) {
      ctx.showError(err);
    }
  }

  async function remove(rule, button) {
    const shown = shownValue(rule);
    const question = `Stop ignoring ${KIND_LABELS[rule.kind] || rule.kind} ${shown}? Its links are checked again from the next scan on.`;
    if (!window.confirm(question)) return;
    button.disabled = true;
    try {
      await api(`/ignores/${rule.id}`, { method: "DELETE" });
      say(`No longer ignored: ${shown}. Its links come back in the next scan.`);
    } catch (err) {
      // Gone already (removed in another tab or with the CLI): the refreshed list says so.
      if (err instanceof ApiError && err.status === 404) say(`${shown} was not ignored any more.`, "warning");
      else ctx.showError(err);
    } finally {
      await load();
    }
  }

  function clearFieldErrors() {
    for (const input of Object.values(inputs)) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      const note = $(`${input.id}-error`);
      if (note) note.remove();
    }
  }

  // As the settings form does: the message beside its field, the field marked and focused.
  function markInvalid(input, message) {
    const note = el("p", { id: `${input.id}-error`, className: "field-error", text: message });
    input.closest(".field").append(note);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    input.focus();
  }

  async function add(event) {
    event.preventDefault();
    clearFieldErrors();
    $("ignores-result").hidden = true;
    const prefix = inputs.prefix.value.trim();
    if (prefix === "") {
      markInvalid(inputs.prefix, "Give a folder of the library or a target prefix.");
      return;
    }
    const body = { prefix };
    if (inputs.note.value.trim()) body.note = inputs.note.value.trim();
    $("ignore-add").disabled = true;
    try {
      const preview = await get("/ignores/preview", { prefix });
      const what = `${KIND_LABELS[preview.kind] || preview.kind} ${shownValue(preview)}`;
      const unread = preview.unread_folders ? " at least (some folders did not answer)" : "";
      if (!preview.existing && preview.links > 1
          && !window.confirm(`Ignore ${what}? That hides ${formatLinks(preview.links)}${unread} from every later scan.`)) {
        return; // nothing added
      }
      const rule = await post("/ignores", body);
      form.reset();
      await load();
      say(`Ignored from the next scan on: ${KIND_LABELS[rule.kind] || rule.kind} ${shownValue(rule)}.`);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 409)) {
        const onNote = err.message.startsWith("note ");
        const input = onNote ? inputs.note : inputs.prefix;
        markInvalid(input, err.message);
      } else {
        ctx.showError(err);
      }
    } finally {
      $("ignore-add").disabled = false;
    }
  }

  form.addEventListener("submit", add);
  form.addEventListener("input", (event) => {
    if (event.target.hasAttribute("aria-invalid")) clearFieldErrors();
  });

  return { load }; // app.js loads the list each time the Settings tab shows
}
