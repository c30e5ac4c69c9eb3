// The details panel of one finding: the link as it is now (target as written and resolved),
// what failed and when, the guard on its source, its Sonarr series or Radarr movie, and the
// ignore actions (this link, its folder, its target's source).
// API strings only ever reach the page through textContent, never as HTML.

import { get, post } from "./api.js";
import { el, formatDate, pathWithBreaks, relativeTo } from "./format.js";

function parentOf(path) {
  const cut = path.lastIndexOf("/");
  return cut > 0 ? path.slice(0, cut) : path;
}

// ctx: showError(err).
export function initFindingDetails(ctx) {
  const $ = (id) => document.getElementById(id);
  const dialog = $("finding-dialog");
  let requestNo = 0;
  let returnFocus = null;
  let shownId = null;

  function fact(term, ...values) {
    return [el("dt", { text: term }), el("dd", {}, ...values)];
  }

  function pathValue(path) {
    return path ? el("span", { className: "mono path" }, pathWithBreaks(path)) : el("span", { className: "muted", text: "—" });
  }

  function nowFacts(now) {
    if (now.exists === false) return fact("Now", el("span", { text: "the link is gone from the library" }));
    const values = [];
    if (now.target_exists === true) values.push(el("span", { className: "ok-text", text: "its target can be reached now" }));
    if (now.error) values.push(el("span", { text: now.error }));
    return fact("Now", ...values.map((v) => el("span", { className: "block" }, v)));
  }

  function guardFacts(guard) {
    if (!guard) return [];
    const counts = `${guard.links} link(s) into it in this scan, ${guard.broken} broken`;
    let verdict;
    if (!guard.evaluated) verdict = "not evaluated: the guard judges a source only before a real-mode removal";
    else if (guard.blocked) verdict = `blocked: ${guard.reason}`;
    else verdict = "passed: links into it may be removed";
    return fact("Guard", el("span", { className: "block", text: verdict }), el("span", { className: "block muted small", text: counts }));
  }

  function arrFacts(arr) {
    if (!arr.length) return fact("Sonarr/Radarr", el("span", { className: "muted", text: "none connected" }));
    return fact("Sonarr/Radarr", ...arr.map((answer) => {
      let text;
      if (answer.error) text = `${answer.instance}: could not ask (${answer.error})`;
      else if (!answer.title) text = `${answer.instance}: no ${answer.kind === "sonarr" ? "series" : "movie"} holds ${answer.remote_path}`;
      else {
        const episodes = answer.episodes.length ? ` ${answer.episodes.join(", ")}` : "";
        const monitored = answer.monitored ? "monitored" : "not monitored";
        text = `${answer.instance}: ${answer.title}${episodes} (${monitored})`;
      }
      return el("span", { className: "block", dataset: { arr: answer.kind }, text });
    }));
  }

  function render(data) {
    const root = data.media_root;
    $("finding-dialog-title").replaceChildren(`Finding: `, el("span", { className: `category category-${data.category}`, text: data.category }));
    const facts = [
      ...fact("Link", pathValue(relativeTo(root, data.path))),
      ...fact("Target as recorded", pathValue(data.target)),
      ...fact("As written", pathValue(data.now.written)),
      ...fact("Resolved", pathValue(data.now.resolved)),
      ...nowFacts(data.now),
      ...fact("What failed", el("span", { className: "block", text: data.detail || data.category }),
        el("span", { className: "block muted small", text: `${data.check}, scan #${data.scan.scan_id} of ${formatDate(data.checked_at)}` })),
      ...fact("Source", pathValue(data.source)),
      ...guardFacts(data.guard),
      ...arrFacts(data.arr),
    ];
    if (data.quarantine) {
      facts.push(...fact("Quarantine", el("span", { text: `${data.quarantine.state} since ${formatDate(data.quarantine.created_at)}` })));
    }
    $("finding-dialog-facts").replaceChildren(...facts);
    renderIgnore(data);
  }

  function renderIgnore(data) {
    const message = $("finding-ignore-message");
    message.textContent = "";
    if (data.ignored_by) {
      message.textContent = `Ignored by rule #${data.ignored_by.id} (${data.ignored_by.kind} ${data.ignored_by.value}).`;
      $("finding-ignore-actions").replaceChildren();
      return;
    }
    const folder = parentOf(data.path);
    const choices = [
      ["ignore-link", "Ignore this link", { path: data.path }],
      ["ignore-folder", `Ignore everything in ${relativeTo(data.media_root, folder)}`, { prefix: folder }],
    ];
    if (data.source && data.source !== "/") {
      choices.push(["ignore-source", `Ignore every link into ${data.source}`, { prefix: data.source }]);
    }
    $("finding-ignore-actions").replaceChildren(...choices.map(([id, label, body]) => el("button", {
      type: "button", className: "btn btn-secondary", id: `finding-${id}`, text: label,
      onclick: () => ignore(body),
    })));
  }

  async function ignore(body) {
    const buttons = [...$("finding-ignore-actions").querySelectorAll("button")];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const rule = await post("/ignores", body);
      $("finding-ignore-actions").replaceChildren();
      $("finding-ignore-message").textContent =
        `Ignored from the next scan on (rule #${rule.id}). Remove the rule in Settings to check these links again.`;
    } catch (err) {
      buttons.forEach((b) => { b.disabled = false; });
      $("finding-ignore-message").textContent = err.message || String(err);
    }
  }

  async function open(scanId, findingId) {
    const mine = ++requestNo;
    returnFocus = document.activeElement;
    shownId = Number(findingId);
    $("finding-dialog-title").textContent = "Finding";
    $("finding-dialog-facts").replaceChildren();
    $("finding-ignore-actions").replaceChildren();
    $("finding-ignore-message").textContent = "";
    $("finding-dialog-loading").hidden = false;
    if (!dialog.open) dialog.showModal();
    try {
      const data = await get(`/scan/${scanId}/findings/${findingId}`);
      if (mine !== requestNo) return;
      render(data);
    } catch (err) {
      if (mine !== requestNo) return;
      dialog.close();
      ctx.showError(err);
    } finally {
      if (mine === requestNo) $("finding-dialog-loading").hidden = true;
    }
  }

  $("finding-dialog-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    requestNo += 1;
    // Back to where the user was; the row's button again if the table was drawn anew meanwhile.
    const again = document.querySelector(`#findings-body tr[data-finding-id="${shownId}"] .finding-open`);
    const target = returnFocus && document.contains(returnFocus) ? returnFocus : again;
    if (target) target.focus();
  });

  return { open };
}
