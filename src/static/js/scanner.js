// The Scanner tab: starting and cancelling a scan, following its progress, and showing a
// scan's results. The parts live in their own modules, wired together here:
//   folders.js     the folder tree and the scan's scope
//   findings.js    the findings table
//   confirm.js     the proposed-removals panel of a real-mode scan
//   quarantine.js  what a confirmed scan moved into the quarantine, and restoring it
//   followup.js    the Sonarr/Radarr follow-up of those removals
// API strings only ever reach the page through textContent, never as HTML.

import { ApiError, get, post } from "./api.js";
import { createPoller } from "./poller.js";
import { initConfirm } from "./confirm.js";
import { renderCounters } from "./counters.js";
import { initFindings } from "./findings.js";
import { initFolders } from "./folders.js";
import { describeScope, el, formatDuration, formatLinks, formatNumber, pathWithBreaks, setStatusPill, statusLabel } from "./format.js";
import { initFollowUp } from "./followup.js";
import { initQuarantine } from "./quarantine.js";
import { endedInFailure, endedWell, isActiveState as isActive, isWaitingForConfirmation, jobName } from "./vocabulary.js";

const PHASE_LABELS = {
  "": "starting…",
  phase1: "phase 1: checking links",
  phase2: "phase 2: probing media with ffprobe, decoding the doubtful",
  done: "done",
};

// ctx: showError(err), clearError(), onScanFinished(status), onMediaRoot(root), waiting (waiting.js).
// Returns {openScan, reloadTree, tabShown}.
export function initScanner(ctx) {
  const $ = (id) => document.getElementById(id);

  const folders = initFolders({
    showError: ctx.showError,
    onMediaRoot: (root) => {
      ctx.onMediaRoot(root);
      findings.rerender();
    },
  });
  const followUp = initFollowUp({ showError: ctx.showError });
  const shownScanId = () => findings.scanId();
  const mediaRoot = () => folders.mediaRoot() || findings.mediaRoot();
  const confirm = initConfirm({
    showError: ctx.showError, mediaRoot, shownScanId,
    confirmed: (scanId, result) => quarantine.confirmed(scanId, result),
    refreshScan,
  });
  const quarantine = initQuarantine({
    showError: ctx.showError, mediaRoot, shownScanId,
    reloadFindings: () => findings.load(),
  });
  const findings = initFindings({
    showError: ctx.showError, mediaRoot: folders.mediaRoot,
    marks: {
      selecting: confirm.pending,
      checkbox: confirm.checkbox,
      unselected: confirm.unselected,
      tags: (item) => (confirm.pending() ? confirm.tags(item) : quarantine.tags(item)),
    },
  });

  function updateModeWarning() {
    $("real-warning").hidden = $("scan-mode").value !== "real";
  }

  // -------------------------------------------------------- scan + polling --
  let watchedId = null; // the scan of the status panel
  let cancelAsked = false; // Cancel was accepted for the watched scan: its polls say "cancelling…" until it stops
  // Bumped whenever the tab takes up a scan (started, followed, opened): a late answer about
  // the newest scan then never replaces what the user chose meanwhile.
  let viewNo = 0;

  // While a scan runs, the form shows what that scan does (after a reload too), not old choices.
  function followForm(status) {
    if (status.mode) $("scan-mode").value = status.mode;
    if (status.verification_depth) $("scan-depth").value = status.verification_depth;
    updateModeWarning();
  }

  function setRunningUi(running) {
    $("scan-start").disabled = running;
    $("scan-start").textContent = running ? "Scan running…" : "Start scan";
    $("scan-cancel").hidden = !running;
    $("scan-cancel").disabled = false;
    // Start and Cancel take turns: the one pressed goes (disabled, hidden) and the focus would fall back to
    // the page's start; it goes to the one now shown instead, so that the keyboard stays where it was.
    const lost = !document.activeElement || document.activeElement === document.body;
    if (controlsHadFocus && lost) (running ? $("scan-cancel") : $("scan-start")).focus();
  }

  let controlsHadFocus = false; // whether Start or Cancel had the focus last (nothing else took it since)
  document.addEventListener("focusin", (event) => {
    controlsHadFocus = event.target.id === "scan-start" || event.target.id === "scan-cancel";
  });

  // The watched scan's status, through the page's one poller, while it runs.
  const poller = createPoller({
    ask: () => get(`/scan/status/${watchedId}`),
    seen: (status) => {
      renderProgress(status);
      if (!isActive(status.status)) {
        finished(status);
        return false;
      }
      $("scan-cancel").hidden = false; // back from "status unknown"
      followForm(status);
      return true;
    },
    failed: (err, { offline }) => {
      if (err instanceof ApiError && err.status === 404) {
        ctx.showError(err);
        setRunningUi(false);
        return false;
      }
      if (offline) {
        // Unreachable: the scan may well go on, but we cannot say; no live Cancel meanwhile.
        $("progress-status").textContent = "status unknown";
        $("progress-status").dataset.status = "unknown";
        $("progress-status").dataset.tone = "neutral";
        $("scan-cancel").hidden = true;
        $("progress-message").textContent = "The server cannot be reached; the scan's state is unknown until it answers.";
      } else {
        ctx.showError(err);
      }
      return true;
    },
  });

  // The address names the scan the tab shows, from its Start on: a reload shows it again (running or not).
  // Start is a step Back can undo; following a scan the page found running is not.
  function nameInAddress(scanId, { push = false } = {}) {
    if (document.body.dataset.tab !== "scanner") return;
    const hash = `#/scanner/scan/${scanId}`;
    const current = window.location.hash;
    if (current === hash || current.startsWith(`${hash}?`)) return;
    if (push && current.startsWith("#/scanner/scan/")) history.pushState(null, "", hash);
    else history.replaceState(null, "", hash);
  }

  // Put this scan in the status panel.
  function watch(scanId) {
    viewNo += 1;
    poller.stop();
    watchedId = scanId;
    cancelAsked = false;
    $("progress-scan-id").textContent = `#${scanId}`;
    $("progress-block").hidden = false;
  }

  function attach(scanId, { push = false } = {}) {
    watch(scanId);
    nameInAddress(scanId, { push });
    $("progress-message").textContent = "";
    $("progress-message").className = "muted";
    setRunningUi(true);
    poller.start();
  }

  function renderProgress(s) {
    const percent = Math.max(0, Math.min(100, Number(s.progress) || 0));
    $("progress-fill").style.width = `${percent}%`;
    $("progress-bar").setAttribute("aria-valuenow", String(percent));
    $("progress-bar").setAttribute("aria-valuetext", `${percent.toFixed(0)} percent`);
    $("progress-percent").textContent = `${percent.toFixed(percent % 1 ? 1 : 0)} %`;
    setStatusPill($("progress-status"), s.status);
    $("progress-phase").textContent = PHASE_LABELS[s.phase || ""] || s.phase;
    // The scan's own scope, mode and depth, whatever the form says.
    $("progress-scope").replaceChildren(pathWithBreaks(describeScope(mediaRoot(), s.selected_paths)));
    $("progress-mode").textContent = `${s.mode || "—"}, ${s.verification_depth || "—"}`;
    const active = isActive(s.status);
    $("progress-eta").textContent = !active ? "—"
      : (s.eta === null || s.eta === undefined) ? "estimating…" : `about ${formatDuration(s.eta)}`;
    $("progress-elapsed").textContent = formatDuration(s.duration);
    renderCounters($("progress-counters"), s.statistics, (category) => `#/scanner/scan/${s.scan_id}?category=${category}`);

    const message = $("progress-message");
    if (active) {
      const parts = cancelAsked ? ["cancelling…"] : [];
      if (typeof s.discovered === "number") parts.push(`${formatNumber(s.checked || 0)} of ${formatNumber(s.discovered)} links checked`);
      if (s.phase === "phase2" && typeof s.to_probe === "number") parts.push(`${formatNumber(s.probed || 0)} of ${formatNumber(s.to_probe)} files probed`);
      if (s.phase === "phase2" && s.to_decode) parts.push(`${formatNumber(s.decoded || 0)} of ${formatNumber(s.to_decode)} decoded`);
      message.textContent = parts.join(" · "); // (before its first count, the phase says "starting…")
      message.className = "muted";
    }

    const warnings = Array.isArray(s.warnings) ? s.warnings : [];
    $("progress-warnings-wrap").hidden = warnings.length === 0;
    $("progress-warnings").replaceChildren(...warnings.map((w) => el("li", { text: String(w) })));
  }

  // The status panel's line on how a scan ended.
  function describeEnd(status) {
    const message = $("progress-message");
    message.className = "muted";
    if (endedInFailure(status.status)) {
      message.textContent = `The scan ended ${statusLabel(status.status)}: ${status.error_message || "its process stopped"}`;
      message.className = "error-text";
    } else if (isWaitingForConfirmation(status.status)) {
      message.textContent = "The scan finished and is waiting for confirmation.";
    } else if (endedWell(status.status)) {
      message.textContent = `The scan finished in ${formatDuration(status.duration)}.`;
    } else {
      message.textContent = `The scan ended (${statusLabel(status.status)}); findings up to that point are listed below.`;
    }
  }

  function finished(status) {
    setRunningUi(false);
    describeEnd(status);
    if (endedInFailure(status.status)) {
      ctx.showError(`${jobName("scan", status.scan_id)} ended ${statusLabel(status.status)}: ${status.error_message || "unknown error"}`);
    }
    openFindings(status);
    ctx.onScanFinished(status);
  }

  async function startScan(event) {
    event.preventDefault();
    ctx.clearError();
    $("scan-start").disabled = true;
    // A proposal still waiting for confirmation is never dropped silently: ask first.
    const go = await ctx.waiting.askBeforeStart();
    $("scan-start").disabled = false;
    if (!go) return;
    viewNo += 1; // the scan about to start is what the tab shows next
    const body = {
      paths: folders.selectedPaths(),
      mode: $("scan-mode").value,
      verification_depth: $("scan-depth").value,
    };
    $("scan-start").disabled = true;
    try {
      const answer = await post("/scan/start", body);
      attach(answer.scan_id, { push: true });
      ctx.onScanStarted(); // the Dashboard's history lists it at once
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body && err.body.scan_id) {
        // Another tab, user or the CLI is scanning: follow that scan instead.
        ctx.showError(`${err.message} — following ${jobName("scan", err.body.scan_id)}.`);
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
    const scanId = watchedId;
    try {
      await post(`/scan/cancel/${scanId}`);
      if (watchedId !== scanId) return; // another scan was put in the panel meanwhile
      cancelAsked = true;
      $("progress-message").textContent = "cancelling…";
    } catch (err) {
      $("scan-cancel").disabled = false;
      ctx.showError(err);
    }
  }

  // ------------------------------------------------------ a scan's results --

  // The findings table with the panel of a real-mode scan above it: the proposed removals
  // while it waits for confirmation, its quarantine once it moved links.
  async function openFindings(status, { keepPage = false, keepView = false } = {}) {
    findings.open(status, { keepPage, keepView });
    confirm.render(status);
    const deleted = status.statistics ? status.statistics.files_deleted : 0;
    await quarantine.load(status.scan_id, !isWaitingForConfirmation(status.status) && deleted > 0);
    if (findings.scanId() !== status.scan_id) return undefined; // another scan was opened meanwhile
    quarantine.render(status.scan_id);
    followUp.render(status);
    return findings.load();
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
      const result = quarantine.confirmedResult(scanId);
      if (endedWell(status.status) && result) {
        $("progress-message").textContent = `Confirmed: ${formatLinks(result.removed)} moved to the quarantine.`;
        $("progress-message").className = "muted";
      }
    }
    if (findings.scanId() === scanId) await openFindings(status, { keepPage: true });
    ctx.onScanFinished(status);
  }

  // Open a scan chosen in the Dashboard's history.
  // `view` (from the address): the findings' category, page, search and sort to show.
  // `follow`: a scan the user has just started elsewhere (Run again): its status panel is shown as for
  // Start here, also when it ended before this answer (a small scan takes a few hundredths of a second).
  async function openScan(scanId, { view = null, follow = false } = {}) {
    viewNo += 1;
    try {
      const status = await get(`/scan/status/${scanId}`);
      if (follow || isActive(status.status)) {
        attach(scanId);
        return;
      }
      if (view) findings.setView(view);
      if (watchedId !== scanId && !isActive($("progress-status").dataset.status)) {
        $("progress-block").hidden = true;
      }
      await openFindings(status, { keepView: Boolean(view) });
      // The confirmation or removal panel sits above the findings: show it first.
      const first = ["confirm-block", "removal-block", "findings-block"].map($).find((node) => !node.hidden);
      first.scrollIntoView({ block: "start" });
    } catch (err) {
      ctx.showError(err);
    }
  }

  // ------------------------------------------------------- the newest scan --
  let historyRequest = null; // one request at a time, shared by whoever asks meanwhile

  async function newestScan() {
    if (historyRequest === null) {
      historyRequest = get("/scans/history").finally(() => { historyRequest = null; });
    }
    const data = await historyRequest;
    return (data.scans || [])[0] || null;
  }

  // Follow the newest scan when it runs (another tab, a reload, the CLI). With `ended`, show it
  // when it has ended too: its status panel, findings, and the panel of a real-mode scan.
  async function showNewest({ ended = false } = {}) {
    const mine = viewNo;
    try {
      const newest = await newestScan();
      if (newest === null || mine !== viewNo) return;
      if (isActive(newest.status)) {
        attach(newest.scan_id);
        return;
      }
      if (!ended) return;
      const status = await get(`/scan/status/${newest.scan_id}`);
      if (mine !== viewNo) return;
      watch(status.scan_id);
      setRunningUi(false);
      renderProgress(status);
      describeEnd(status);
      await openFindings(status);
    } catch (err) {
      if (mine === viewNo) ctx.showError(err);
    }
  }

  // The tab was opened: when it shows no scan yet, show the newest.
  function tabShown() {
    if (watchedId === null && findings.scanId() === null) showNewest({ ended: true });
  }

  // The scan running now (pending or running), or null: a page loaded meanwhile shows it first.
  async function runningScan() {
    const newest = await newestScan();
    return newest !== null && isActive(newest.status) ? newest.scan_id : null;
  }

  // --------------------------------------------------------------- wiring --
  $("scan-form").addEventListener("submit", startScan);
  $("scan-cancel").addEventListener("click", cancelScan);
  $("scan-mode").addEventListener("change", updateModeWarning);

  updateModeWarning();
  setRunningUi(false);
  folders.load();

  return { openScan, reloadTree: folders.load, tabShown, runningScan, followRunning: () => showNewest() };
}
