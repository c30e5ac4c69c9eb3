// A real-mode proposal waiting for the user is never hidden: a banner on every tab names it
// and opens it, and starting another scan asks whether to keep it waiting or discard it.

import { get, post } from "./api.js";
import { isWaitingForConfirmation, jobName } from "./vocabulary.js";

// ctx: openScan(scanId), showError(err).
// Returns {update(scans), check(), askBeforeStart()}.
export function initWaiting(ctx) {
  const $ = (id) => document.getElementById(id);
  let waiting = [];

  function update(scans) {
    waiting = (Array.isArray(scans) ? scans : []).filter((s) => isWaitingForConfirmation(s.status));
    const banner = $("waiting-banner");
    banner.hidden = waiting.length === 0;
    if (!waiting.length) return;
    const newest = waiting[0];
    $("waiting-open").textContent = jobName("scan", newest.scan_id);
    $("waiting-open").dataset.scanId = String(newest.scan_id);
    $("waiting-more").textContent = waiting.length > 1 ? ` (and ${waiting.length - 1} more)` : "";
  }

  async function check() {
    try {
      const data = await get("/scans/history");
      update(data.scans);
    } catch (err) {
      // The banner keeps its last state; the error shows where the user acted.
    }
    return waiting;
  }

  // Resolves to true when the new scan may start (the proposal kept or discarded), false to stop.
  async function askBeforeStart() {
    await check();
    if (!waiting.length) return true;
    const scanId = waiting[0].scan_id;
    const dialog = $("waiting-dialog");
    $("waiting-dialog-scan").textContent = `#${scanId}`;
    const choice = await new Promise((resolve) => {
      const done = (value) => () => {
        dialog.close();
        resolve(value);
      };
      $("waiting-keep").onclick = done("keep");
      $("waiting-discard").onclick = done("discard");
      $("waiting-cancel").onclick = done("cancel");
      dialog.oncancel = done("cancel");
      dialog.showModal();
    });
    if (choice === "cancel") return false;
    if (choice === "discard") {
      try {
        await post(`/scan/${scanId}/discard`, {});
      } catch (err) {
        ctx.showError(err);
        return false;
      }
      await check();
    }
    return true;
  }

  $("waiting-open").addEventListener("click", (event) => ctx.openScan(Number(event.currentTarget.dataset.scanId)));
  return { update, check, askBeforeStart };
}
