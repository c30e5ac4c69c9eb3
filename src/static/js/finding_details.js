// The details panel of one finding: the link as it is now (target as written and resolved),
// what failed and when, the guard on its source, its Sonarr series or Radarr movie, and the
// ignore actions (this link, its folder, its target's source). An ignore that would hide more than
// the one link asks first, with the count the server finds (GET /ignores/preview): nothing is
// ignored before the answer.
// API strings only ever reach the page through textContent, never as HTML.

import { get, post } from "./api.js";
import { el, formatCount, formatDate, formatLinks, formatNumber, pathWithBreaks, relativeTo } from "./format.js";

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

  // Reached is not healthy: an empty or too small target is said in a warning colour, never in green.
  function reachedFact(now, threshold) {
    const size = now.target_size;
    if (size === 0) {
      return el("span", { className: "warn-text", text: "its target is reached but empty (0 bytes): no media in it" });
    }
    if (typeof size === "number" && size < threshold) {
      return el("span", {
        className: "warn-text",
        text: `its target is reached but too small: ${formatCount(size, "byte")}, under the small-file threshold of ${formatNumber(threshold)}`,
      });
    }
    const bytes = typeof size === "number" ? ` (${formatCount(size, "byte")})` : "";
    return el("span", { className: "ok-text", text: `its target can be reached now${bytes}` });
  }

  function nowFacts(now, threshold) {
    if (now.exists === false) return fact("Now", el("span", { text: "the link is gone from the library" }));
    const values = [];
    if (now.target_exists === true) values.push(reachedFact(now, threshold));
    if (now.error) values.push(el("span", { text: now.error }));
    return fact("Now", ...values.map((v) => el("span", { className: "block" }, v)));
  }

  function guardFacts(guard) {
    if (!guard) return [];
    const counts = `${formatLinks(guard.links)} into it in this scan, ${formatNumber(guard.broken)} broken`;
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
    // The file name first, whole (its SxxEyy or year); the full path below, and as the tooltip.
    const name = data.path.slice(data.path.lastIndexOf("/") + 1);
    $("finding-dialog-title").replaceChildren(
      el("span", { className: `category category-${data.category}`, text: data.category }), " ",
      el("span", { className: "finding-dialog-name", title: data.path, text: name }));
    const facts = [
      ...fact("Link", pathValue(relativeTo(root, data.path))),
      ...fact("Target as recorded", pathValue(data.target)),
      ...fact("As written", pathValue(data.now.written)),
      ...fact("Resolved", pathValue(data.now.resolved)),
      ...nowFacts(data.now, data.small_file_threshold),
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
    const where = relativeTo(data.media_root, folder);
    const choices = [
      ["ignore-link", "Ignore this link", { path: data.path }, null],
      ["ignore-folder", `Ignore everything in ${where}`, { prefix: folder }, `every link in ${where}`],
    ];
    if (data.source && data.source !== "/") {
      choices.push(["ignore-source", `Ignore every link into ${data.source}`, { prefix: data.source },
        `every link into ${data.source}`]);
    }
    $("finding-ignore-actions").replaceChildren(...choices.map(([id, label, body, what]) => el("button", {
      type: "button", className: "btn btn-secondary", id: `finding-${id}`, text: label,
      onclick: () => (what ? askFirst(body, what) : ignore(body)),
    })));
  }

  function setIgnoreButtons(disabled) {
    $("finding-ignore-actions").querySelectorAll("button").forEach((b) => { b.disabled = disabled; });
  }

  // A rule that may hide many links: count them first, then ask; the rule is added only on "Yes".
  async function askFirst(body, what) {
    const mine = requestNo;
    setIgnoreButtons(true);
    $("finding-ignore-message").textContent = "Counting the links it would ignore…";
    let preview;
    try {
      preview = await get("/ignores/preview", body);
    } catch (err) {
      if (mine !== requestNo) return;
      setIgnoreButtons(false);
      $("finding-ignore-message").textContent = err.message || String(err);
      return;
    }
    if (mine !== requestNo) return;
    $("finding-ignore-message").textContent = "";
    if (preview.existing) {
      $("finding-ignore-message").textContent = `Already ignored by rule #${preview.existing.id}.`;
      setIgnoreButtons(false);
      return;
    }
    const unread = preview.unread_folders
      ? ` (at least: ${formatCount(preview.unread_folders, "folder")} did not answer and ${preview.unread_folders === 1 ? "was" : "were"} not counted)`
      : "";
    const question = el("div", { className: "confirm-step ignore-step", id: "finding-ignore-step", role: "group",
      "aria-labelledby": "finding-ignore-question" },
    el("p", { id: "finding-ignore-question",
      text: `Ignore ${what}? That is ${formatLinks(preview.links)} now${unread}, left out of every later scan until you remove the rule in Settings.` }),
    el("div", { className: "actions" },
      el("button", { type: "button", className: "btn btn-danger", id: "finding-ignore-yes",
        text: `Yes, ignore ${formatLinks(preview.links)}`,
        onclick: () => ignore(body) }),
      el("button", { type: "button", className: "btn btn-secondary", id: "finding-ignore-no", text: "No, keep checking them",
        onclick: () => {
          question.remove();
          setIgnoreButtons(false);
        } })));
    $("finding-ignore-actions").after(question);
    $("finding-ignore-no").focus();
  }

  async function ignore(body) {
    setIgnoreButtons(true);
    const step = $("finding-ignore-step");
    if (step) step.remove();
    const buttons = [...$("finding-ignore-actions").querySelectorAll("button")];
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
    if ($("finding-ignore-step")) $("finding-ignore-step").remove();
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
