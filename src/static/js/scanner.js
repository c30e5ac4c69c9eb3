// Scanner: the folder tree, starting/cancelling a scan, live progress and the findings table.
// API strings only ever reach the page through textContent, never as HTML.

import { ApiError, get, post } from "./api.js";
import {
  el, formatDate, formatDuration, formatNumber, isActive, relativeTo, renderCounters, setStatusPill,
} from "./dashboard.js";

const POLL_MS = 1000;
const POLL_RETRY_MS = 2000;
const INITIAL_DEPTH = 2;

const PHASE_LABELS = {
  "": "starting…",
  phase1: "phase 1: checking links",
  phase2: "phase 2: probing media with ffprobe",
  done: "done",
};

export function initScanner(ctx) {
  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- tree --
  // Each node: {data, loaded, expanded, checkbox, li, childList, toggle, parent}
  const nodes = new Map(); // relative_path -> node
  let nodeCount = 0; // for unique checkbox ids
  let treeRoot = null;
  let mediaRoot = null; // the real media root, as the tree's answer gives it

  function describeCount(count) {
    return `${formatNumber(count)} link${count === 1 ? "" : "s"}`;
  }

  function isCoveredByAncestor(node) {
    for (let p = node.parent; p; p = p.parent) {
      if (p.checkbox.checked) return true;
    }
    return false;
  }

  // One folder's node, without its children. `loaded`: whether data.subdirs is the full list
  // (the tree endpoint leaves subdirs empty on the deepest level it was asked for).
  function buildNode(data, parent, loaded) {
    const label = parent === null ? "Whole library" : data.name;
    const node = { data, parent, loaded, label, expanded: false, children: [] };
    nodes.set(data.relative_path, node);
    const checkboxId = `tree-cb-${++nodeCount}`;

    node.checkbox = el("input", {
      type: "checkbox", id: checkboxId, value: data.relative_path,
      onchange: () => { syncCoverage(node); updateSelectionSummary(); },
    });
    node.toggle = el("button", {
      type: "button", className: "tree-toggle",
      onclick: () => toggleNode(node),
    });
    const labelNode = el("label", { for: checkboxId, className: "tree-label" },
      el("span", { className: "tree-name", text: label }));
    const count = el("span", { className: "tree-count num", text: describeCount(data.symlink_count) });
    const row = el("div", { className: "tree-row" }, node.toggle, node.checkbox, labelNode, count);
    if (data.error) {
      row.append(el("span", { className: "tree-error", text: data.error }));
    }
    node.childList = el("ul", { className: "tree-children" });
    node.li = el("li", { className: "tree-node", dataset: { path: data.relative_path } }, row, node.childList);
    node.status = el("span", { className: "tree-status muted small" });
    row.append(node.status);
    updateToggle(node);
    return node;
  }

  function addChild(node, data, loaded) {
    const child = buildNode(data, node, loaded);
    node.children.push(child);
    node.childList.append(child.li);
    if (node.checkbox.checked || isCoveredByAncestor(node)) {
      child.checkbox.checked = true;
      child.checkbox.disabled = true;
    }
    return child;
  }

  function hasChildren(node) {
    return !node.loaded || node.children.length > 0;
  }

  function updateToggle(node) {
    const expandable = !node.data.error && hasChildren(node);
    node.toggle.hidden = false;
    node.toggle.classList.toggle("tree-toggle-empty", !expandable);
    node.toggle.disabled = !expandable;
    node.childList.hidden = !node.expanded;
    if (expandable) {
      node.toggle.textContent = node.expanded ? "▾" : "▸";
      node.toggle.setAttribute("aria-label", `${node.expanded ? "Collapse" : "Expand"} ${node.label}`);
      node.toggle.setAttribute("aria-expanded", String(node.expanded));
      node.toggle.removeAttribute("aria-hidden");
      node.toggle.tabIndex = 0;
    } else {
      node.toggle.textContent = "";
      node.toggle.removeAttribute("aria-label");
      node.toggle.setAttribute("aria-hidden", "true");
      node.toggle.removeAttribute("aria-expanded");
      node.toggle.tabIndex = -1;
    }
  }

  async function toggleNode(node) {
    if (node.expanded) {
      node.expanded = false;
      updateToggle(node);
      return;
    }
    if (!node.loaded) {
      node.toggle.disabled = true;
      node.status.textContent = "loading…";
      try {
        const data = await get("/directories", { path: node.data.relative_path, depth: 1 });
        node.loaded = true;
        for (const sub of data.subdirs || []) addChild(node, sub, false);
        node.status.textContent = node.children.length ? "" : "no sub-folders";
      } catch (err) {
        node.status.textContent = "";
        node.toggle.disabled = false;
        ctx.showError(err);
        return;
      }
    }
    node.expanded = node.children.length > 0;
    updateToggle(node);
  }

  // A ticked folder covers its sub-folders: show them ticked and locked; unticking frees them.
  function syncCoverage(node) {
    const covered = node.checkbox.checked || isCoveredByAncestor(node);
    const walk = (n) => {
      for (const child of n.children) {
        child.checkbox.checked = covered;
        child.checkbox.disabled = covered;
        walk(child);
      }
    };
    walk(node);
  }

  function selectedPaths() {
    const picked = [];
    for (const node of nodes.values()) {
      if (node.checkbox.checked && !node.checkbox.disabled) picked.push(node);
    }
    if (picked.some((n) => n.parent === null)) return []; // the whole library
    return picked.map((n) => n.data.relative_path);
  }

  function updateSelectionSummary() {
    const paths = selectedPaths();
    const summary = $("selection-summary");
    if (paths.length === 0) {
      summary.textContent = "Scope: the whole library";
    } else {
      summary.textContent = `Scope: ${paths.length} folder${paths.length === 1 ? "" : "s"}: ${paths.join(", ")}`;
    }
  }

  async function loadTree() {
    const tree = $("tree");
    tree.setAttribute("aria-busy", "true");
    try {
      const data = await get("/directories", { depth: INITIAL_DEPTH });
      nodes.clear();
      treeRoot = buildTreeLevels(data, null, 0, INITIAL_DEPTH);
      treeRoot.expanded = true;
      updateToggle(treeRoot);
      mediaRoot = data.media_root || data.path || null;
      $("tree-root").textContent = mediaRoot || "";
      if (ctx.onMediaRoot) ctx.onMediaRoot(mediaRoot);
      tree.replaceChildren(el("ul", { className: "tree-top" }, treeRoot.li));
      updateSelectionSummary();
    } catch (err) {
      tree.replaceChildren(el("p", { className: "error-text", text: `Could not list the folders: ${err.message}` }));
      ctx.showError(err);
    } finally {
      tree.setAttribute("aria-busy", "false");
    }
  }

  // Levels 0 .. depth-1 of an answer carry their sub-folders; the deepest level comes empty.
  function buildTreeLevels(data, parent, level, depth) {
    const loaded = level < depth;
    const node = parent === null ? buildNode(data, null, loaded) : addChild(parent, data, loaded);
    if (loaded) {
      for (const sub of data.subdirs || []) buildTreeLevels(sub, node, level + 1, depth);
    }
    updateToggle(node);
    return node;
  }

  // ------------------------------------------------------------- options --
  function updateModeWarning() {
    $("real-warning").hidden = $("scan-mode").value !== "real";
  }

  // -------------------------------------------------------- scan + polling --
  let watchedId = null;
  let pollGeneration = 0;
  let pollTimer = null;

  function setRunningUi(running) {
    $("scan-start").disabled = running;
    $("scan-start").textContent = running ? "Scan running…" : "Start scan";
    $("scan-cancel").hidden = !running;
    $("scan-cancel").disabled = false;
  }

  function stopPolling() {
    pollGeneration += 1;
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
  }

  function attach(scanId) {
    stopPolling();
    watchedId = scanId;
    $("progress-scan-id").textContent = `#${scanId}`;
    $("progress-block").hidden = false;
    $("progress-message").textContent = "";
    $("progress-message").className = "muted";
    setRunningUi(true);
    poll(pollGeneration);
  }

  async function poll(generation) {
    let status;
    try {
      status = await get(`/scan/status/${watchedId}`);
    } catch (err) {
      if (generation !== pollGeneration) return;
      ctx.showError(err);
      if (err instanceof ApiError && err.status === 404) {
        setRunningUi(false);
        return;
      }
      pollTimer = setTimeout(() => poll(generation), POLL_RETRY_MS);
      return;
    }
    if (generation !== pollGeneration) return;
    renderProgress(status);
    if (isActive(status.status)) {
      pollTimer = setTimeout(() => poll(generation), POLL_MS);
    } else {
      finished(status);
    }
  }

  function renderProgress(s) {
    const percent = Math.max(0, Math.min(100, Number(s.progress) || 0));
    $("progress-fill").style.width = `${percent}%`;
    $("progress-bar").setAttribute("aria-valuenow", String(percent));
    $("progress-bar").setAttribute("aria-valuetext", `${percent.toFixed(0)} percent`);
    $("progress-percent").textContent = `${percent.toFixed(percent % 1 ? 1 : 0)} %`;
    setStatusPill($("progress-status"), s.status);
    $("progress-phase").textContent = PHASE_LABELS[s.phase || ""] || s.phase;
    const active = isActive(s.status);
    $("progress-eta").textContent = !active ? "—"
      : (s.eta === null || s.eta === undefined) ? "estimating…" : `about ${formatDuration(s.eta)}`;
    $("progress-elapsed").textContent = formatDuration(s.duration);
    renderCounters($("progress-counters"), s.statistics);

    const message = $("progress-message");
    if (active) {
      const parts = [];
      if (typeof s.discovered === "number") parts.push(`${formatNumber(s.checked || 0)} of ${formatNumber(s.discovered)} links checked`);
      if (s.phase === "phase2" && typeof s.to_probe === "number") parts.push(`${formatNumber(s.probed || 0)} of ${formatNumber(s.to_probe)} files probed`);
      message.textContent = parts.join(" · ") || (s.status === "pending" ? "waiting to start…" : "");
      message.className = "muted";
    }

    const warnings = Array.isArray(s.warnings) ? s.warnings : [];
    $("progress-warnings-wrap").hidden = warnings.length === 0;
    $("progress-warnings").replaceChildren(...warnings.map((w) => el("li", { text: String(w) })));
  }

  function finished(status) {
    setRunningUi(false);
    const message = $("progress-message");
    if (status.status === "error") {
      message.textContent = `The scan failed: ${status.error_message || "unknown error"}`;
      message.className = "error-text";
      ctx.showError(`Scan #${status.scan_id} failed: ${status.error_message || "unknown error"}`);
    } else if (status.status === "cancelled") {
      message.textContent = "The scan was cancelled; findings up to that point are listed below.";
      message.className = "muted";
    } else if (status.status === "awaiting_confirmation") {
      message.textContent = "The scan finished and is waiting for confirmation.";
      message.className = "muted";
    } else {
      message.textContent = `The scan finished in ${formatDuration(status.duration)}.`;
      message.className = "muted";
    }
    openFindings(status);
    ctx.onScanFinished(status);
  }

  async function startScan(event) {
    event.preventDefault();
    ctx.clearError();
    const body = {
      paths: selectedPaths(),
      mode: $("scan-mode").value,
      verification_depth: $("scan-depth").value,
    };
    $("scan-start").disabled = true;
    try {
      const answer = await post("/scan/start", body);
      attach(answer.scan_id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body && err.body.scan_id) {
        // Another tab, user or the CLI is scanning: follow that scan instead.
        ctx.showError(`${err.message} — following scan #${err.body.scan_id}.`);
        attach(err.body.scan_id);
      } else {
        ctx.showError(err);
        setRunningUi(false);
      }
    }
  }

  async function cancelScan() {
    if (watchedId === null) return;
    $("scan-cancel").disabled = true;
    try {
      await post(`/scan/cancel/${watchedId}`);
      $("progress-message").textContent = "cancelling…";
    } catch (err) {
      $("scan-cancel").disabled = false;
      ctx.showError(err);
    }
  }

  // ------------------------------------------------------------ findings --
  const findings = { scanId: null, category: "", page: 1, perPage: 50, requestNo: 0 };

  const links = (n) => `${formatNumber(n)} link${n === 1 ? "" : "s"}`;

  // ==== CONFIRM FLOW (real mode) ============================================
  // A real-mode scan ends in "awaiting_confirmation" with a token naming its list of
  // proposed removals and the guard's verdict per source. The user picks links (all by
  // default, a checkbox per proposed row of the findings table), may override the guard,
  // confirms in a second step, and the links move into the quarantine. A scan that moved
  // links shows the removal panel with "Restore these links".
  //
  // The selection is "all except" or "none except" a set of paths, so it spans the
  // table's pages without loading every proposed finding up front; the full list of
  // paths is fetched only when a subset has to be sent.
  const pending = {
    scanId: null, token: null, proposed: 0, blocked: 0, blockedSources: new Set(),
    selectAll: true, toggled: new Map(), // path -> source, the exceptions to selectAll
    busy: false,
  };
  let lastConfirm = null; // {scanId, result} of the last confirmation made on this page
  let lastRestore = null; // {scanId, result} of the last restore
  let restoring = false;
  const quarantine = { scanId: null, entries: [], byPath: new Map(), requestNo: 0 };

  const QUARANTINE_STATES = {
    planned: "being moved to the quarantine",
    quarantined: "moved to the quarantine",
    restored: "restored from the quarantine",
    rolled_back: "could not be moved: left in place",
    purged: "purged from the quarantine",
  };

  function confirmPending() {
    return pending.scanId !== null && pending.scanId === findings.scanId;
  }

  function isSelected(path) {
    return pending.selectAll !== pending.toggled.has(path);
  }

  function setSelected(path, source, checked) {
    if (checked === pending.selectAll) pending.toggled.delete(path);
    else pending.toggled.set(path, source);
  }

  // How many links are selected, how many of those point into blocked sources, how many would move.
  function selection() {
    let blockedToggled = 0;
    for (const source of pending.toggled.values()) {
      if (pending.blockedSources.has(source)) blockedToggled += 1;
    }
    const selected = pending.selectAll ? pending.proposed - pending.toggled.size : pending.toggled.size;
    const blocked = pending.selectAll ? pending.blocked - blockedToggled : blockedToggled;
    const force = $("confirm-force").checked;
    return { selected, blocked, force, moving: force ? selected : selected - blocked };
  }

  function setConfirmMessage(text) {
    $("confirm-message").textContent = text || "";
    $("confirm-message").hidden = !text;
  }

  function renderConfirmation(status) {
    const block = $("confirm-block");
    const view = status.status === "awaiting_confirmation" ? status.confirmation : null;
    hideStep();
    setConfirmMessage("");
    if (!view) {
      pending.scanId = null; // the findings shown are of a scan that waits for nothing
      block.hidden = true;
      return;
    }
    if (pending.scanId !== status.scan_id || pending.token !== view.token) {
      pending.selectAll = true; // a new list: everything selected, the guard in force
      pending.toggled.clear();
      $("confirm-force").checked = false;
    }
    const sources = Array.isArray(view.sources) ? view.sources : [];
    Object.assign(pending, {
      scanId: status.scan_id, token: view.token, proposed: Number(view.proposed) || 0,
      blocked: Number(view.blocked) || 0,
      blockedSources: new Set(sources.filter((v) => v.blocked).map((v) => v.source)),
    });
    $("confirm-scan-id").textContent = `· scan #${status.scan_id}`;
    $("confirm-count").textContent = `${links(pending.proposed)} proposed`;
    $("confirm-text").textContent =
      `Waiting for confirmation: this real-mode scan proposes removing ${links(pending.proposed)} `
      + "(broken, small or corrupted). Nothing has been removed.";
    renderSources(sources);
    block.hidden = false;
    updateConfirmControls();
  }

  function renderSources(sources) {
    const items = sources.map((v) => el("li", {
      className: `guard-item ${v.blocked ? "guard-blocked" : "guard-ok"}`,
      dataset: { source: v.source || "", blocked: String(Boolean(v.blocked)) },
    },
    el("span", { className: "guard-verdict", text: v.blocked ? "Blocked" : "OK" }),
    el("span", { className: "guard-body" },
      el("span", { className: "guard-source mono path", text: v.source || "(unknown source)" }),
      v.blocked ? el("span", { className: "guard-reason", text: v.reason || "blocked by the guard" }) : null,
      el("span", {
        className: "guard-counts small",
        text: `${links(v.proposed)} proposed`
          + (v.links ? ` · ${formatNumber(v.broken)} of ${links(v.links)} into it broken` : "")
          + (v.blocked ? " · kept unless you override the guard" : ""),
      }))));
    $("confirm-sources").replaceChildren(...items);
    $("confirm-guard").hidden = items.length === 0;
    $("confirm-guard").classList.toggle("guard-has-blocked", pending.blocked > 0);
  }

  function updateConfirmControls() {
    if (pending.scanId === null) return;
    const s = selection();
    $("confirm-selected").textContent = `${formatNumber(s.selected)} of ${links(pending.proposed)} selected`;
    $("confirm-select-all").disabled = pending.busy || s.selected === pending.proposed;
    $("confirm-select-none").disabled = pending.busy || s.selected === 0;
    const force = $("confirm-force");
    force.disabled = pending.busy;
    force.closest(".danger-check").classList.toggle("is-on", force.checked);
    let note;
    if (pending.blocked === 0) {
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
    move.disabled = pending.busy || s.selected === 0;
    move.title = s.selected === 0 ? "Select at least one link" : "";
  }

  function syncCheckboxes() {
    for (const box of document.querySelectorAll("#findings-body input.propose-check")) {
      box.checked = isSelected(box.dataset.path);
      box.closest("tr").classList.toggle("unselected", !box.checked);
    }
  }

  function selectAll(all) {
    pending.selectAll = all;
    pending.toggled.clear();
    syncCheckboxes();
    hideStep();
    updateConfirmControls();
  }

  function hideStep() {
    $("confirm-step").hidden = true;
  }

  // The second step: say exactly what will happen, then wait for "Yes".
  function askConfirmation() {
    if (!confirmPending() || pending.busy) return;
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
    if (!pending.selectAll) return [...pending.toggled.keys()];
    const paths = [];
    for (let page = 1; ; page += 1) {
      const data = await get(`/scan/${scanId}/findings`, { page, per_page: 500 });
      for (const item of data.items || []) {
        if (item.proposed && !pending.toggled.has(item.path)) paths.push(item.path);
      }
      if (page >= (data.pages || 0)) break;
    }
    return paths;
  }

  async function submitConfirmation() {
    if (!confirmPending() || pending.busy) return;
    const scanId = pending.scanId;
    const s = selection();
    const body = { token: pending.token };
    if (s.force) body.force = true;
    pending.busy = true;
    $("confirm-yes").disabled = true;
    $("confirm-yes").textContent = "Moving…";
    updateConfirmControls();
    setConfirmMessage("");
    try {
      if (s.selected < pending.proposed) body.paths = await selectedPathList(scanId);
      const result = await post(`/scan/${scanId}/confirm`, body);
      lastConfirm = { scanId, result };
      lastRestore = null;
      pending.busy = false;
      await refreshScan(scanId);
      if (!$("removal-block").hidden) $("removal-block").scrollIntoView({ block: "nearest" });
    } catch (err) {
      pending.busy = false;
      if (err instanceof ApiError && err.status === 409) {
        // A stale token, a list confirmed elsewhere, or a scan running: show the status as it is now.
        await refreshScan(scanId);
      }
      if (confirmPending() && pending.scanId === scanId) setConfirmMessage(err.message);
      else ctx.showError(err);
    } finally {
      pending.busy = false;
      hideStep();
      updateConfirmControls();
    }
  }

  // Reload a scan's status after a change, everywhere it is shown.
  async function refreshScan(scanId) {
    let status;
    try {
      status = await get(`/scan/status/${scanId}`);
    } catch (err) {
      ctx.showError(err);
      return;
    }
    if (watchedId === scanId && !$("progress-block").hidden && !isActive($("progress-status").dataset.status)) {
      renderProgress(status);
      if (status.status === "completed" && lastConfirm && lastConfirm.scanId === scanId) {
        $("progress-message").textContent =
          `Confirmed: ${links(lastConfirm.result.removed)} moved to the quarantine.`;
        $("progress-message").className = "muted";
      }
    }
    if (findings.scanId === scanId) await openFindings(status, { keepPage: true });
    ctx.onScanFinished(status);
  }

  // -- the quarantine of a scan, and restoring it ---------------------------

  async function loadQuarantine(scanId, wanted) {
    const mine = ++quarantine.requestNo;
    if (!wanted) {
      Object.assign(quarantine, { scanId: null, entries: [], byPath: new Map() });
      return;
    }
    try {
      const data = await get(`/scan/${scanId}/quarantine`);
      if (mine !== quarantine.requestNo) return;
      const entries = Array.isArray(data.entries) ? data.entries : [];
      Object.assign(quarantine, { scanId, entries, byPath: new Map(entries.map((e) => [e.original_path, e])) });
    } catch (err) {
      if (mine !== quarantine.requestNo) return;
      Object.assign(quarantine, { scanId: null, entries: [], byPath: new Map() });
      ctx.showError(err);
    }
  }

  function pathItem(path, reason) {
    return el("li", {},
      el("span", { className: "mono path", text: relativeTo(mediaRoot, path), title: path }),
      el("span", { className: "result-reason", text: reason || "" }));
  }

  function renderRemoval(scanId) {
    const block = $("removal-block");
    const result = lastConfirm && lastConfirm.scanId === scanId ? lastConfirm.result : null;
    const entries = quarantine.scanId === scanId ? quarantine.entries : [];
    if (!result && entries.length === 0) {
      block.hidden = true;
      return;
    }
    const count = (state) => entries.filter((e) => e.state === state).length;
    const inQuarantine = count("quarantined");
    $("removal-scan-id").textContent = `#${scanId}`;

    const skipped = result && Array.isArray(result.skipped) ? result.skipped : [];
    let summary;
    if (result) {
      summary = `Moved ${links(result.removed)} into the quarantine${result.forced ? ", overriding the guard" : ""}.`;
      if (skipped.length) summary += ` ${links(skipped.length)} left in place.`;
    } else {
      const moved = entries.filter((e) => e.state !== "rolled_back" && e.state !== "planned").length;
      summary = `This scan moved ${links(moved)} into the quarantine.`;
    }
    $("removal-summary").textContent = summary;
    $("removal-skipped-wrap").hidden = skipped.length === 0;
    $("removal-skipped-heading").textContent = `Left in place: ${links(skipped.length)}`;
    $("removal-skipped").replaceChildren(...skipped.map((item) => pathItem(item.path, item.reason)));

    const parts = [];
    if (inQuarantine) {
      parts.push(inQuarantine === 1
        ? "1 link of this scan is in the quarantine; restoring puts it back where it was."
        : `${links(inQuarantine)} of this scan are in the quarantine; restoring puts them back where they were.`);
    } else if (entries.length === 0) {
      if (!result) parts.push("Nothing of this scan is in the quarantine.");
    } else {
      parts.push("Nothing of this scan is left in the quarantine.");
    }
    if (count("restored")) parts.push(`${links(count("restored"))} restored.`);
    if (count("purged")) parts.push(`${links(count("purged"))} purged after the retention period.`);
    if (count("rolled_back")) parts.push(`${links(count("rolled_back"))} could not be moved and stayed in place.`);
    $("removal-quarantine").textContent = parts.join(" ");

    const restore = $("restore-button");
    restore.hidden = inQuarantine === 0;
    restore.disabled = restoring;
    restore.textContent = restoring ? "Restoring…"
      : inQuarantine === 1 ? "Restore this link" : `Restore these ${links(inQuarantine)}`;

    const done = lastRestore && lastRestore.scanId === scanId ? lastRestore.result : null;
    const conflicts = done && Array.isArray(done.conflicts) ? done.conflicts : [];
    $("restore-result").hidden = !done;
    if (done) {
      let text = done.restored > 0
        ? `Restored ${links(done.restored)} to the library.`
        : `Nothing restored: ${done.message || "every path is occupied or gone"}.`;
      if (done.restored > 0 && conflicts.length) text += ` ${links(conflicts.length)} could not be put back (below).`;
      $("restore-result").textContent = text;
      $("restore-result").className = `banner inline-banner ${conflicts.length ? "banner-warning" : "banner-ok"}`;
    }
    $("restore-conflicts-wrap").hidden = conflicts.length === 0;
    $("restore-conflicts-heading").textContent = `Not restored: ${links(conflicts.length)}`;
    $("restore-conflicts").replaceChildren(...conflicts.map((item) => pathItem(item.path, item.reason)));
    const nothingMoved = entries.length === 0;
    $("removal-heading-text").textContent = nothingMoved ? "Confirmation of scan" : "Quarantine of scan";
    block.classList.toggle("removal-nothing", nothingMoved);
    block.hidden = false;
  }

  async function restoreLinks() {
    const scanId = quarantine.scanId;
    if (scanId === null || restoring) return;
    restoring = true;
    renderRemoval(scanId);
    try {
      const result = await post(`/scan/${scanId}/restore`);
      lastRestore = { scanId, result };
    } catch (err) {
      if (err instanceof ApiError && err.body && Array.isArray(err.body.conflicts)) {
        lastRestore = { scanId, result: { ...err.body, message: err.message } };
      } else {
        ctx.showError(err);
      }
    } finally {
      restoring = false;
    }
    await loadQuarantine(scanId, true);
    if (findings.scanId === scanId) {
      renderRemoval(scanId);
      loadFindings(); // the rows' quarantine tags
    }
  }

  // The tags under a finding's detail: proposed / blocked while waiting, the quarantine state after.
  function findingTags(item) {
    const tags = [];
    if (confirmPending()) {
      if (item.proposed) {
        tags.push(["tag-proposed", "proposed for removal"]);
        tags.push(["tag-unticked", "unticked: will be kept"]);
        if (pending.blockedSources.has(item.source)) tags.push(["tag-blocked", "source blocked by the guard"]);
      }
    } else {
      const entry = quarantine.scanId === findings.scanId ? quarantine.byPath.get(item.path) : null;
      if (entry) tags.push([`tag-state tag-state-${entry.state}`, QUARANTINE_STATES[entry.state] || entry.state]);
      else if (item.proposed) tags.push(["tag-kept", "proposed, not removed"]);
    }
    return tags.map(([className, text]) => el("span", { className: `tag ${className}`, text }));
  }

  function categoryCell(item) {
    const chip = el("span", { className: `category category-${item.category}`, text: item.category });
    const cell = el("td", { className: "finding-category", dataset: { label: "Category" } });
    if (confirmPending() && item.proposed) {
      const box = el("input", {
        type: "checkbox", className: "propose-check",
        "aria-label": `Move ${relativeTo(mediaRoot, item.path)} to the quarantine`,
        dataset: { path: item.path },
        onchange: (event) => {
          setSelected(item.path, item.source, event.target.checked);
          event.target.closest("tr").classList.toggle("unselected", !event.target.checked);
          hideStep();
          updateConfirmControls();
        },
      });
      box.checked = isSelected(item.path);
      cell.append(el("label", { className: "propose-label" }, box, chip));
    } else {
      cell.append(chip);
    }
    return cell;
  }
  // ==== end CONFIRM FLOW ====================================================

  async function openFindings(status, { keepPage = false } = {}) {
    findings.scanId = status.scan_id;
    if (!keepPage) findings.page = 1;
    $("findings-scan-id").textContent = `#${status.scan_id}`;
    setStatusPill($("findings-status"), status.status);
    $("findings-status").title = `${formatDate(status.scan_date)} · ${status.mode} · ${status.verification_depth}`;
    $("findings-block").setAttribute("aria-busy", "true");
    $("findings-block").hidden = false;
    renderConfirmation(status);
    const deleted = status.statistics ? status.statistics.files_deleted : 0;
    await loadQuarantine(status.scan_id, status.status !== "awaiting_confirmation" && deleted > 0);
    if (findings.scanId !== status.scan_id) return undefined; // another scan was opened meanwhile
    renderRemoval(status.scan_id);
    return loadFindings();
  }

  async function loadFindings() {
    const mine = ++findings.requestNo;
    const body = $("findings-body");
    $("findings-block").setAttribute("aria-busy", "true");
    try {
      const data = await get(`/scan/${findings.scanId}/findings`, {
        category: findings.category, page: findings.page, per_page: findings.perPage,
      });
      if (mine !== findings.requestNo) return;
      if (data.pages > 0 && findings.page > data.pages) {
        findings.page = data.pages;
        loadFindings();
        return;
      }
      renderFindings(data);
    } catch (err) {
      if (mine !== findings.requestNo) return;
      body.replaceChildren();
      ctx.showError(err);
    } finally {
      if (mine === findings.requestNo) $("findings-block").setAttribute("aria-busy", "false");
    }
  }

  function renderFindings(data) {
    const items = Array.isArray(data.items) ? data.items : [];
    const rows = items.map((item) => {
      const detail = el("td", { className: "finding-detail", dataset: { label: "Detail" } },
        el("span", { text: item.detail || "" }));
      if (item.source) detail.append(el("span", { className: "finding-source mono small", text: `source: ${item.source}` }));
      detail.append(...findingTags(item));
      const unselected = confirmPending() && item.proposed && !isSelected(item.path);
      return el("tr", {
        className: unselected ? "unselected" : null,
        dataset: { category: item.category, findingId: item.id, proposed: String(Boolean(item.proposed)) },
      },
        categoryCell(item),
        el("td", { className: "mono path finding-path", dataset: { label: "Link" },
          text: relativeTo(mediaRoot, item.path), title: item.path }),
        el("td", { className: "mono path finding-target", dataset: { label: "Target" }, text: item.target || "—" }),
        detail);
    });
    $("findings-body").replaceChildren(...rows);
    $("findings-table").classList.toggle("selecting", confirmPending());
    const pages = Math.max(1, data.pages || 0);
    const what = findings.category ? ` in category ${findings.category}` : "";
    $("findings-total").textContent = `${formatNumber(data.total)} finding${data.total === 1 ? "" : "s"}${what}`;
    $("findings-empty").hidden = items.length > 0;
    $("findings-empty").textContent = findings.category ? `No ${findings.category} findings.` : "No findings: every link looked healthy.";
    $("findings-table").hidden = items.length === 0;
    $("findings-root").hidden = !mediaRoot;
    $("findings-root").textContent = mediaRoot ? `Links are shown relative to the media folder ${mediaRoot}` : "";
    $("findings-page").textContent = `page ${data.page} of ${pages}`;
    $("findings-prev").disabled = data.page <= 1;
    $("findings-next").disabled = data.page >= pages;
  }

  // Open a scan chosen in the Dashboard's history.
  async function openScan(scanId) {
    try {
      const status = await get(`/scan/status/${scanId}`);
      if (isActive(status.status)) {
        attach(scanId);
        return;
      }
      if (watchedId !== scanId && !isActive($("progress-status").dataset.status)) {
        $("progress-block").hidden = true;
      }
      await openFindings(status);
      // The confirmation or removal panel sits above the findings: show it first.
      const first = ["confirm-block", "removal-block", "findings-block"].map($).find((node) => !node.hidden);
      first.scrollIntoView({ block: "start" });
    } catch (err) {
      ctx.showError(err);
    }
  }

  // On load, follow a scan that is already running (another tab, a reload, the CLI).
  async function resumeRunning() {
    try {
      const data = await get("/scans/history");
      const newest = (data.scans || [])[0];
      if (newest && isActive(newest.status)) attach(newest.scan_id);
    } catch (err) {
      ctx.showError(err);
    }
  }

  // --------------------------------------------------------------- wiring --
  $("scan-form").addEventListener("submit", startScan);
  $("scan-cancel").addEventListener("click", cancelScan);
  $("scan-mode").addEventListener("change", updateModeWarning);
  $("tree-reload").addEventListener("click", loadTree);
  $("findings-category").addEventListener("change", (e) => {
    findings.category = e.target.value;
    findings.page = 1;
    loadFindings();
  });
  $("findings-per-page").addEventListener("change", (e) => {
    findings.perPage = Number(e.target.value) || 50;
    findings.page = 1;
    loadFindings();
  });
  $("findings-prev").addEventListener("click", () => {
    if (findings.page > 1) { findings.page -= 1; loadFindings(); }
  });
  $("findings-next").addEventListener("click", () => { findings.page += 1; loadFindings(); });
  $("confirm-select-all").addEventListener("click", () => selectAll(true));
  $("confirm-select-none").addEventListener("click", () => selectAll(false));
  $("confirm-force").addEventListener("change", () => { hideStep(); updateConfirmControls(); });
  $("confirm-move").addEventListener("click", askConfirmation);
  $("confirm-yes").addEventListener("click", submitConfirmation);
  $("confirm-no").addEventListener("click", () => { hideStep(); $("confirm-move").focus(); });
  $("confirm-step").addEventListener("keydown", (event) => {
    if (event.key === "Escape") { hideStep(); $("confirm-move").focus(); }
  });
  $("restore-button").addEventListener("click", restoreLinks);

  updateModeWarning();
  setRunningUi(false);
  loadTree();
  resumeRunning();

  return { openScan, reloadTree: loadTree };
}
