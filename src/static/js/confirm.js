// The proposed-removals panel of a real-mode scan (#confirm-block).
//
// A real-mode scan ends in "awaiting_confirmation" with a token naming its list of proposed
// removals and the guard's verdict per source. The user picks links (all by default, a
// checkbox per proposed row of the findings table), may override the guard, confirms in a
// second step, and the links move into the quarantine (shown by quarantine.js).
//
// The selection is "all except" or "none except" a set of paths, so it spans the table's
// pages without loading every proposed finding up front; the full list of paths is fetched
// only when a subset has to be sent.
// API strings only ever reach the page through textContent, never as HTML.

import { ApiError, get, post } from "./api.js";
import { el, formatLinks, formatNumber, pathWithBreaks, relativeTo } from "./format.js";
import { isWaitingForConfirmation } from "./vocabulary.js";

// ctx: showError(err), mediaRoot(), shownScanId() (the scan of the findings table),
// confirmed(scanId, result) (links were moved), refreshScan(scanId) (reload its status everywhere).
// Returns {render, pending, checkbox, unselected, tags}.
export function initConfirm(ctx) {
  const $ = (id) => document.getElementById(id);
  const links = formatLinks;

  const proposal = {
    scanId: null, token: null, proposed: 0, blocked: 0, blockedSources: new Set(),
    selectAll: true, toggled: new Map(), // path -> source, the exceptions to selectAll
    busy: false,
  };

  // Whether the findings table shows a scan that waits for confirmation.
  function pending() {
    return proposal.scanId !== null && proposal.scanId === ctx.shownScanId();
  }

  function isSelected(path) {
    return proposal.selectAll !== proposal.toggled.has(path);
  }

  function setSelected(path, source, checked) {
    if (checked === proposal.selectAll) proposal.toggled.delete(path);
    else proposal.toggled.set(path, source);
  }

  // How many links are selected, how many of those point into blocked sources, how many would move.
  function selection() {
    let blockedToggled = 0;
    for (const source of proposal.toggled.values()) {
      if (proposal.blockedSources.has(source)) blockedToggled += 1;
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
      $("confirm-force").checked = false;
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

  function updateControls() {
    if (proposal.scanId === null) return;
    const s = selection();
    $("confirm-selected").textContent = `${formatNumber(s.selected)} of ${links(proposal.proposed)} selected`;
    $("confirm-select-all").disabled = proposal.busy || s.selected === proposal.proposed;
    $("confirm-select-none").disabled = proposal.busy || s.selected === 0;
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
    $("confirm-step-text").textContent = text;
    $("confirm-yes").textContent = s.moving === 0 ? "Close the proposal, move nothing" : `Yes, move ${links(s.moving)}`;
    $("confirm-yes").disabled = false;
    $("confirm-step").hidden = false;
    $("confirm-step").classList.toggle("confirm-step-forced", s.force && s.blocked > 0);
    $("confirm-no").focus();
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
    if (!pending() || proposal.busy) return;
    const scanId = proposal.scanId;
    const s = selection();
    const body = { token: proposal.token };
    if (s.force) body.force = true;
    proposal.busy = true;
    $("confirm-yes").disabled = true;
    $("confirm-yes").textContent = "Moving…";
    updateControls();
    setMessage("");
    try {
      if (s.selected < proposal.proposed) body.paths = await selectedPathList(scanId);
      const result = await post(`/scan/${scanId}/confirm`, body);
      ctx.confirmed(scanId, result);
      proposal.busy = false;
      await ctx.refreshScan(scanId);
      if (!$("removal-block").hidden) $("removal-block").scrollIntoView({ block: "nearest" });
    } catch (err) {
      proposal.busy = false;
      if (err instanceof ApiError && err.status === 409) {
        // A stale token, a list confirmed elsewhere, or a scan running: show the status as it is now.
        await ctx.refreshScan(scanId);
      }
      if (pending() && proposal.scanId === scanId) setMessage(err.message);
      else ctx.showError(err);
    } finally {
      proposal.busy = false;
      hideStep();
      updateControls();
    }
  }

  // -- the marks of a finding row while the list waits --------------------------

  function checkbox(item) {
    if (!pending() || !item.proposed) return null;
    const box = el("input", {
      type: "checkbox", className: "propose-check",
      "aria-label": `Move ${relativeTo(ctx.mediaRoot(), item.path)} to the quarantine`,
      dataset: { path: item.path },
      onchange: (event) => {
        setSelected(item.path, item.source, event.target.checked);
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

  function tags(item) {
    if (!item.proposed) return [];
    const tags = [["tag-proposed", "proposed for removal"], ["tag-unticked", "unticked: will be kept"]];
    if (proposal.blockedSources.has(item.source)) tags.push(["tag-blocked", "source blocked by the guard"]);
    return tags;
  }

  $("confirm-select-all").addEventListener("click", () => selectAll(true));
  $("confirm-select-none").addEventListener("click", () => selectAll(false));
  $("confirm-force").addEventListener("change", () => { hideStep(); updateControls(); });
  $("confirm-move").addEventListener("click", askConfirmation);
  $("confirm-yes").addEventListener("click", submitConfirmation);
  $("confirm-no").addEventListener("click", () => { hideStep(); $("confirm-move").focus(); });
  $("confirm-step").addEventListener("keydown", (event) => {
    if (event.key === "Escape") { hideStep(); $("confirm-move").focus(); }
  });

  return { render, pending, checkbox, unselected, tags };
}
