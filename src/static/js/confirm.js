// The proposed-removals panel of a real-mode scan (#confirm-block).
//
// A real-mode scan ends in "awaiting_confirmation" with a token naming its list of proposed
// removals and the guard's verdict per source. The user picks links (all by default, a
// checkbox per proposed row of the findings table), may override the guard, confirms in a
// second step, and the links move into the quarantine (shown by quarantine.js).
//
// The selection is "all except" or "none except" a set of paths, so it spans the table's
// pages without loading every proposed finding up front; the full list of paths is fetched
// only when a subset has to be sent, or a whole category is ticked or unticked at once.
// "Discard (remove nothing)" closes the proposal (POST scan/<id>/discard: the scan becomes
// "discarded", its findings stay, nothing moves).
// API strings only ever reach the page through textContent, never as HTML.

import { ApiError, get, post } from "./api.js";
import { el, formatLinks, formatNumber, pathWithBreaks, relativeTo } from "./format.js";
import { VOCABULARY, isWaitingForConfirmation } from "./vocabulary.js";

// ctx: showError(err), mediaRoot(), shownScanId() (the scan of the findings table),
// confirmed(scanId, result) (links were moved), refreshScan(scanId) (reload its status everywhere).
// Returns {render, pending, checkbox, unselected, tags}.
export function initConfirm(ctx) {
  const $ = (id) => document.getElementById(id);
  const links = formatLinks;

  const proposal = {
    scanId: null, token: null, proposed: 0, blocked: 0, blockedSources: new Set(),
    selectAll: true, toggled: new Map(), // path -> {source, category}, the exceptions to selectAll
    categories: {}, // category -> proposed links in it
    step: null, // the second step shown: "move" or "discard"
    busy: false,
  };

  // Whether the findings table shows a scan that waits for confirmation.
  function pending() {
    return proposal.scanId !== null && proposal.scanId === ctx.shownScanId();
  }

  function isSelected(path) {
    return proposal.selectAll !== proposal.toggled.has(path);
  }

  function setSelected(item, checked) {
    if (checked === proposal.selectAll) proposal.toggled.delete(item.path);
    else proposal.toggled.set(item.path, { source: item.source, category: item.category });
  }

  // How many of a category's proposed links are selected.
  function selectedIn(category) {
    let toggled = 0;
    for (const mark of proposal.toggled.values()) {
      if (mark.category === category) toggled += 1;
    }
    const count = proposal.categories[category] || 0;
    return proposal.selectAll ? count - toggled : toggled;
  }

  // How many links are selected, how many of those point into blocked sources, how many would move.
  function selection() {
    let blockedToggled = 0;
    for (const mark of proposal.toggled.values()) {
      if (proposal.blockedSources.has(mark.source)) blockedToggled += 1;
    }
    const selected = proposal.selectAll ? proposal.proposed - proposal.toggled.size : proposal.toggled.size;
    const blocked = proposal.selectAll ? proposal.blocked - blockedToggled : blockedToggled;
    const force = $("confirm-force").checked;
    return { selected, blocked, force, moving: force ? selected : selected - blocked };
  }

  function setMessage(text) {
    $("confirm-message").textContent = text || "";
    $("confirm-message").hidden = !text;
  }

  // Show the panel for a scan waiting for confirmation; hide it for any other.
  function render(status) {
    const block = $("confirm-block");
    const view = isWaitingForConfirmation(status.status) ? status.confirmation : null;
    hideStep();
    setMessage("");
    if (!view) {
      proposal.scanId = null; // the findings shown are of a scan that waits for nothing
      block.hidden = true;
      return;
    }
    if (proposal.scanId !== status.scan_id || proposal.token !== view.token) {
      proposal.selectAll = true; // a new list: everything selected, the guard in force
      proposal.toggled.clear();
      proposal.categories = {};
      $("confirm-force").checked = false;
      loadCategories(status.scan_id, view.token);
    }
    const sources = Array.isArray(view.sources) ? view.sources : [];
    Object.assign(proposal, {
      scanId: status.scan_id, token: view.token, proposed: Number(view.proposed) || 0,
      blocked: Number(view.blocked) || 0,
      blockedSources: new Set(sources.filter((v) => v.blocked).map((v) => v.source)),
    });
    $("confirm-scan-id").textContent = `· scan #${status.scan_id}`;
    $("confirm-count").textContent = `${links(proposal.proposed)} proposed`;
    $("confirm-text").textContent =
      `Waiting for confirmation: this real-mode scan proposes removing ${links(proposal.proposed)} `
      + "(broken, small or corrupted). Nothing has been removed.";
    renderSources(sources);
    block.hidden = false;
    updateControls();
  }

  function renderSources(sources) {
    const items = sources.map((v) => el("li", {
      className: `guard-item ${v.blocked ? "guard-blocked" : "guard-ok"}`,
      dataset: { source: v.source || "", blocked: String(Boolean(v.blocked)) },
    },
    el("span", { className: "guard-verdict", text: v.blocked ? "Blocked" : "OK" }),
    el("span", { className: "guard-body" },
      el("span", { className: "guard-source mono path" }, pathWithBreaks(v.source || "(unknown source)")),
      v.blocked ? el("span", { className: "guard-reason", text: v.reason || "blocked by the guard" }) : null,
      el("span", {
        className: "guard-counts small",
        text: `${links(v.proposed)} proposed`
          + (v.links ? ` · ${formatNumber(v.broken)} of ${links(v.links)} into it broken` : "")
          + (v.blocked ? " · kept unless you override the guard" : ""),
      }))));
    $("confirm-sources").replaceChildren(...items);
    $("confirm-guard").hidden = items.length === 0;
    $("confirm-guard").classList.toggle("guard-has-blocked", proposal.blocked > 0);
  }

  // The proposal's categories with their counts, one tick box each (see renderCategories).
  async function loadCategories(scanId, token) {
    try {
      const data = await get(`/scan/${scanId}/findings`, { proposed: 1, per_page: 1 });
      if (proposal.scanId !== scanId || proposal.token !== token) return;
      proposal.categories = Object.fromEntries(Object.entries(data.counts || {}).filter(([, n]) => n > 0));
      updateControls();
    } catch (err) {
      ctx.showError(err);
    }
  }

  // One box per category: ticked when all its links are selected, mixed when some are; a click
  // ticks (or, when all are ticked, unticks) the whole category, over every page of the table.
  // The boxes are updated in place (the focus stays on the one just used); built once per list.
  function renderCategories() {
    const shown = VOCABULARY.categories.filter((c) => proposal.categories[c.key]);
    const list = $("confirm-categories");
    if (list.dataset.keys !== shown.map((c) => c.key).join(",")) {
      list.dataset.keys = shown.map((c) => c.key).join(",");
      list.replaceChildren(...shown.map((c) => {
        const box = el("input", {
          type: "checkbox", className: "confirm-category-check", id: `confirm-category-${c.key}`,
          dataset: { category: c.key }, onchange: (event) => selectCategory(c.key, event.target.checked),
        });
        return el("label", { className: "confirm-category", for: box.id, dataset: { category: c.key } }, box,
          el("span", { className: `category category-${c.key}`, text: c.label }),
          el("span", { className: "confirm-category-count num small" }));
      }));
    }
    for (const c of shown) {
      const count = proposal.categories[c.key];
      const picked = selectedIn(c.key);
      const box = $(`confirm-category-${c.key}`);
      box.checked = picked === count;
      box.indeterminate = picked > 0 && picked < count;
      box.disabled = proposal.busy;
      box.closest("label").querySelector(".confirm-category-count").textContent =
        `${formatNumber(picked)} of ${formatNumber(count)}`;
    }
    $("confirm-categories-wrap").hidden = shown.length === 0;
  }

  async function selectCategory(category, checked) {
    const scanId = proposal.scanId;
    proposal.busy = true;
    updateControls();
    try {
      for (let page = 1; ; page += 1) {
        const data = await get(`/scan/${scanId}/findings`, { category, proposed: 1, page, per_page: 500 });
        if (proposal.scanId !== scanId) return;
        for (const item of data.items || []) setSelected(item, checked);
        if (page >= (data.pages || 0)) break;
      }
    } catch (err) {
      ctx.showError(err);
    } finally {
      proposal.busy = false;
      syncCheckboxes();
      hideStep();
      updateControls();
    }
  }

  function updateControls() {
    if (proposal.scanId === null) return;
    const s = selection();
    $("confirm-selected").textContent = `${formatNumber(s.selected)} of ${links(proposal.proposed)} selected`;
    $("confirm-select-all").disabled = proposal.busy || s.selected === proposal.proposed;
    $("confirm-select-none").disabled = proposal.busy || s.selected === 0;
    $("confirm-discard").disabled = proposal.busy;
    renderCategories();
    const force = $("confirm-force");
    force.disabled = proposal.busy;
    force.closest(".danger-check").classList.toggle("is-on", force.checked);
    let note;
    if (proposal.blocked === 0) {
      note = "No source is blocked now. The guard checks the sources again when you confirm; "
        + "ticking this removes the links even if one looks down by then.";
    } else if (s.blocked === 0) {
      note = "None of the selected links point into a blocked source.";
    } else if (force.checked) {
      note = `The guard is overridden: ${links(s.blocked)} into blocked sources will be moved too. `
        + "If the source is only unmounted, these links are not really broken.";
    } else {
      note = `${links(s.blocked)} of the selection point${s.blocked === 1 ? "s" : ""} into blocked sources `
        + "and will be kept unless you tick this.";
    }
    $("confirm-force-note").textContent = note;
    const move = $("confirm-move");
    move.textContent = `Move ${links(s.moving)} to quarantine`;
    // Red only when pressing it really moves links.
    move.classList.toggle("btn-danger", s.moving > 0);
    move.classList.toggle("btn-secondary", s.moving === 0);
    move.disabled = proposal.busy || s.selected === 0;
    move.title = s.selected === 0 ? "Select at least one link" : "";
  }

  function syncCheckboxes() {
    for (const box of document.querySelectorAll("#findings-body input.propose-check")) {
      box.checked = isSelected(box.dataset.path);
      box.closest("tr").classList.toggle("unselected", !box.checked);
    }
  }

  function selectAll(all) {
    proposal.selectAll = all;
    proposal.toggled.clear();
    syncCheckboxes();
    hideStep();
    updateControls();
  }

  function hideStep() {
    $("confirm-step").hidden = true;
    proposal.step = null;
  }

  // The second step: say exactly what will happen, then wait for "Yes".
  function askConfirmation() {
    if (!pending() || proposal.busy) return;
    const s = selection();
    if (s.selected === 0) return;
    let text;
    if (s.moving === 0) {
      text = `Nothing will be moved: all ${links(s.selected)} you selected point into blocked sources and `
        + "the guard is not overridden. Confirming closes this proposal and keeps every link; to remove them, "
        + "tick the override first, or run a new real-mode scan later.";
    } else {
      text = `Are you sure? This moves ${links(s.moving)} into the quarantine`;
      if (s.force && s.blocked > 0) text += `, ${formatNumber(s.blocked)} of them into blocked sources (the guard is overridden)`;
      else if (s.blocked > 0) text += `; ${links(s.blocked)} into blocked sources will be kept`;
      text += ". You can restore them afterwards.";
    }
    showStep("move", text, s.moving === 0 ? "Close the proposal, move nothing" : `Yes, move ${links(s.moving)}`,
      s.force && s.blocked > 0);
  }

  function showStep(step, text, yes, forced = false) {
    proposal.step = step;
    $("confirm-step-text").textContent = text;
    $("confirm-yes").textContent = yes;
    $("confirm-yes").classList.toggle("btn-danger", step === "move");
    $("confirm-yes").classList.toggle("btn-secondary", step !== "move");
    $("confirm-yes").disabled = false;
    $("confirm-step").hidden = false;
    $("confirm-step").classList.toggle("confirm-step-forced", forced);
    $("confirm-no").focus();
  }

  // Discarding asks too: it closes the proposal for good (a new real-mode scan proposes again).
  function askDiscard() {
    if (!pending() || proposal.busy) return;
    showStep("discard",
      `Discard this proposal? Nothing is removed: all ${links(proposal.proposed)} stay where they are, `
      + "the scan and its findings stay in the history as \"discarded\". To remove links later, run a new real-mode scan.",
      "Yes, discard (remove nothing)");
  }

  function submitDiscard() {
    return answerYes("Discarding…", (scanId) => post(`/scan/${scanId}/discard`, {}));
  }

  // The second step's "Yes": `send(scanId)` makes the change, then the scan's status is shown anew
  // everywhere. A 409 (a stale token, a list confirmed or discarded elsewhere, a scan running) shows
  // the status as it is now. Resolves to whether the change was made.
  async function answerYes(busyText, send) {
    if (!pending() || proposal.busy) return false;
    const scanId = proposal.scanId;
    proposal.busy = true;
    $("confirm-yes").disabled = true;
    $("confirm-yes").textContent = busyText;
    updateControls();
    setMessage("");
    try {
      await send(scanId);
      proposal.busy = false;
      await ctx.refreshScan(scanId);
      return true;
    } catch (err) {
      proposal.busy = false;
      if (err instanceof ApiError && err.status === 409) await ctx.refreshScan(scanId);
      if (pending() && proposal.scanId === scanId) setMessage(err.message);
      else ctx.showError(err);
      return false;
    } finally {
      proposal.busy = false;
      hideStep();
      updateControls();
    }
  }

  // Every proposed path minus the unticked ones (only when a subset is sent).
  async function selectedPathList(scanId) {
    if (!proposal.selectAll) return [...proposal.toggled.keys()];
    const paths = [];
    for (let page = 1; ; page += 1) {
      const data = await get(`/scan/${scanId}/findings`, { page, per_page: 500 });
      for (const item of data.items || []) {
        if (item.proposed && !proposal.toggled.has(item.path)) paths.push(item.path);
      }
      if (page >= (data.pages || 0)) break;
    }
    return paths;
  }

  async function submitConfirmation() {
    const s = selection();
    const body = { token: proposal.token };
    if (s.force) body.force = true;
    const moved = await answerYes("Moving…", async (scanId) => {
      if (s.selected < proposal.proposed) body.paths = await selectedPathList(scanId);
      ctx.confirmed(scanId, await post(`/scan/${scanId}/confirm`, body));
    });
    if (moved && !$("removal-block").hidden) $("removal-block").scrollIntoView({ block: "nearest" });
  }

  // -- the marks of a finding row while the list waits --------------------------

  function checkbox(item) {
    if (!pending() || !item.proposed) return null;
    const box = el("input", {
      type: "checkbox", className: "propose-check",
      "aria-label": `Move ${relativeTo(ctx.mediaRoot(), item.path)} to the quarantine`,
      dataset: { path: item.path },
      onchange: (event) => {
        setSelected(item, event.target.checked);
        event.target.closest("tr").classList.toggle("unselected", !event.target.checked);
        hideStep();
        updateControls();
      },
    });
    box.checked = isSelected(item.path);
    return box;
  }

  function unselected(item) {
    return pending() && item.proposed && !isSelected(item.path);
  }

  // [className, short word, its meaning as the tooltip]: short, so that the detail stays readable.
  function tags(item) {
    if (!item.proposed) return [];
    const tags = [["tag-proposed", "to remove", "proposed for removal: moved to the quarantine when you confirm"],
      ["tag-unticked", "kept", "unticked: will be kept"]];
    if (proposal.blockedSources.has(item.source)) {
      tags.push(["tag-blocked", "blocked source", "source blocked by the guard: kept unless you override it"]);
    }
    return tags;
  }

  $("confirm-select-all").addEventListener("click", () => selectAll(true));
  $("confirm-select-none").addEventListener("click", () => selectAll(false));
  $("confirm-force").addEventListener("change", () => { hideStep(); updateControls(); });
  $("confirm-move").addEventListener("click", askConfirmation);
  $("confirm-discard").addEventListener("click", askDiscard);
  $("confirm-yes").addEventListener("click", () => (proposal.step === "discard" ? submitDiscard() : submitConfirmation()));
  const back = () => {
    const from = proposal.step === "discard" ? "confirm-discard" : "confirm-move";
    hideStep();
    $(from).focus();
  };
  $("confirm-no").addEventListener("click", back);
  $("confirm-step").addEventListener("keydown", (event) => {
    if (event.key === "Escape") back();
  });

  return { render, pending, checkbox, unselected, tags };
}
