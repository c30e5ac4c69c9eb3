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

  // ==== CONFIRM FLOW (real mode) — placeholder ==============================
  // A real-mode scan ends in status "awaiting_confirmation". A later issue adds a
  // confirmation token and POST /api/symlink/scan/<id>/confirm; the buttons that
  // confirm (or discard) the proposed removals belong here. Until then we only
  // say that the scan is waiting and list the proposed removals in the table.
  function renderConfirmation(status) {
    const block = $("confirm-block");
    if (status.status !== "awaiting_confirmation") {
      block.hidden = true;
      return;
    }
    block.hidden = false;
    $("confirm-text").textContent =
      "Waiting for confirmation: this real-mode scan proposes removing the links listed below. "
      + "Nothing has been removed.";
  }
  // ==== end CONFIRM FLOW ====================================================

  function openFindings(status) {
    findings.scanId = status.scan_id;
    findings.page = 1;
    $("findings-scan-id").textContent = `#${status.scan_id}`;
    setStatusPill($("findings-status"), status.status);
    $("findings-status").title = `${formatDate(status.scan_date)} · ${status.mode} · ${status.verification_depth}`;
    renderConfirmation(status);
    $("findings-block").hidden = false;
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
      if (item.proposed) detail.append(el("span", { className: "tag tag-proposed", text: "proposed for removal" }));
      return el("tr", { dataset: { category: item.category, findingId: item.id } },
        el("td", { dataset: { label: "Category" } },
          el("span", { className: `category category-${item.category}`, text: item.category })),
        el("td", { className: "mono path finding-path", dataset: { label: "Link" },
          text: relativeTo(mediaRoot, item.path), title: item.path }),
        el("td", { className: "mono path finding-target", dataset: { label: "Target" }, text: item.target || "—" }),
        detail);
    });
    $("findings-body").replaceChildren(...rows);
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
      $("findings-block").scrollIntoView({ block: "start" });
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

  updateModeWarning();
  setRunningUi(false);
  loadTree();
  resumeRunning();

  return { openScan, reloadTree: loadTree };
}
