// The quarantine panel of a confirmed real-mode scan (#removal-block): what the confirmation
// moved or left in place, what of the scan is still in the quarantine, and restoring it.
// API strings only ever reach the page through textContent, never as HTML.

import { ApiError, get, post } from "./api.js";
import { el, formatLinks, pathWithBreaks, relativeTo } from "./format.js";

const QUARANTINE_STATES = {
  planned: "being moved to the quarantine",
  quarantined: "moved to the quarantine",
  restored: "restored from the quarantine",
  rolled_back: "could not be moved: left in place",
  purged: "purged from the quarantine",
};

// ctx: showError(err), mediaRoot(), shownScanId() (the scan of the findings table),
// reloadFindings() (the rows' quarantine tags change after a restore).
// Returns {load, render, confirmed, confirmedResult, tags}.
export function initQuarantine(ctx) {
  const $ = (id) => document.getElementById(id);
  const links = formatLinks;

  const quarantine = { scanId: null, entries: [], byPath: new Map(), requestNo: 0 };
  let lastConfirm = null; // {scanId, result} of the last confirmation made on this page
  let lastRestore = null; // {scanId, result} of the last restore
  let restoring = false;

  // A confirmation on this page moved links: its answer is shown until another scan's is.
  function confirmed(scanId, result) {
    lastConfirm = { scanId, result };
    lastRestore = null;
  }

  function confirmedResult(scanId) {
    return lastConfirm && lastConfirm.scanId === scanId ? lastConfirm.result : null;
  }

  // Load the scan's quarantine entries (`wanted`: the scan moved links), or forget them.
  async function load(scanId, wanted) {
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
      el("span", { className: "mono path", title: path }, pathWithBreaks(relativeTo(ctx.mediaRoot(), path))),
      el("span", { className: "result-reason", text: reason || "" }));
  }

  // Show the panel for this scan when it was confirmed here or has quarantine entries; hide it otherwise.
  function render(scanId) {
    const block = $("removal-block");
    const result = confirmedResult(scanId);
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

    renderRestoreResult(scanId);
    const nothingMoved = entries.length === 0;
    $("removal-heading-text").textContent = nothingMoved ? "Confirmation of scan" : "Quarantine of scan";
    block.classList.toggle("removal-nothing", nothingMoved);
    block.hidden = false;
  }

  function renderRestoreResult(scanId) {
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
  }

  async function restoreLinks() {
    const scanId = quarantine.scanId;
    if (scanId === null || restoring) return;
    restoring = true;
    render(scanId);
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
    await load(scanId, true);
    if (ctx.shownScanId() === scanId) {
      render(scanId);
      ctx.reloadFindings(); // the rows' quarantine tags
    }
  }

  // A finding's tag: where its link went, or that it was proposed and kept.
  function tags(item) {
    const entry = quarantine.scanId === ctx.shownScanId() ? quarantine.byPath.get(item.path) : null;
    if (entry) return [[`tag-state tag-state-${entry.state}`, QUARANTINE_STATES[entry.state] || entry.state]];
    return item.proposed ? [["tag-kept", "proposed, not removed"]] : [];
  }

  $("restore-button").addEventListener("click", restoreLinks);

  return { load, render, confirmed, confirmedResult, tags };
}
