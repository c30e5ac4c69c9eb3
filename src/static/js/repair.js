// The Maintenance tab's repair block: list broken links with their best candidates (a job),
// accept or reject per link, or accept every unambiguous one (a job); the server re-checks each choice.

import { get, post } from "./api.js";
import { pathWithBreaks } from "./format.js";

const POLL_MS = 500;

function $(id) {
  return document.getElementById(id);
}

export function initRepair({ showError }) {
  const state = { links: [], rejected: new Set() };

  async function runJob(path, body) {
    $("repair-list").disabled = $("repair-accept-all").disabled = true;
    try {
      const { job_id: jobId } = await post(path, body);
      for (;;) {
        const status = await get(`/jobs/${jobId}`);
        $("repair-status").textContent = `repair #${jobId}: ${Math.round(status.progress || 0)} % ${status.message || ""}`;
        if (status.state !== "pending" && status.state !== "running") return status;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally {
      $("repair-list").disabled = $("repair-accept-all").disabled = false;
    }
  }

  function render() {
    const body = $("repair-body");
    body.replaceChildren();
    const shown = state.links.filter((link) => !state.rejected.has(link.path));
    $("repair-table-wrap").hidden = shown.length === 0;
    for (const link of shown) {
      const row = document.createElement("tr");
      row.dataset.path = link.path;
      row.dataset.verdict = link.verdict;
      const path = document.createElement("td");
      path.append(pathWithBreaks(link.path));
      path.className = "mono small path";
      const choice = document.createElement("td");
      if (link.candidates.length) {
        const select = document.createElement("select");
        select.className = "repair-candidate";
        select.setAttribute("aria-label", `Candidate for ${link.path}`);
        for (const candidate of link.candidates) {
          const option = document.createElement("option");
          option.value = candidate.path;
          option.textContent = `${candidate.score} · ${candidate.path}`;
          select.append(option);
        }
        choice.append(select);
      } else {
        choice.textContent = "no candidate";
      }
      const verdict = document.createElement("td");
      verdict.textContent = link.verdict.replace("_", " ");
      const actions = document.createElement("td");
      if (link.candidates.length) {
        const accept = document.createElement("button");
        accept.type = "button";
        accept.className = "btn repair-accept";
        accept.textContent = "Accept";
        accept.addEventListener("click", () => acceptOne(link, row.querySelector("select").value));
        actions.append(accept);
      }
      const reject = document.createElement("button");
      reject.type = "button";
      reject.className = "btn btn-secondary repair-reject";
      reject.textContent = "Reject";
      reject.addEventListener("click", () => {
        state.rejected.add(link.path);
        render();
      });
      actions.append(reject);
      // The column's name beside each cell when the table becomes cards on a phone.
      for (const [td, label] of [[path, "Link"], [choice, "Candidate"], [verdict, "Verdict"], [actions, "Action"]]) {
        td.dataset.label = label;
      }
      row.append(path, choice, verdict, actions);
      body.append(row);
    }
  }

  async function list() {
    try {
      const status = await runJob("/repair/proposals", {});
      if (status.state !== "completed") {
        $("repair-status").textContent = `repair #${status.job_id} ${status.state}: ${status.message || ""}`;
        return;
      }
      const result = status.result;
      state.links = result.links;
      state.rejected.clear();
      const counts = result.counts;
      $("repair-status").textContent = `${result.total} broken link(s): ${counts.repair} unambiguous, ` +
        `${counts.ambiguous} ambiguous, ${counts.below_threshold} below the threshold, ${counts.no_candidate} without candidate.`;
      render();
    } catch (err) {
      showError(err);
    }
  }

  function applied(status) {
    const result = status.result || {};
    const done = new Set((result.repaired || []).map((r) => r.path));
    state.links = state.links.filter((link) => !done.has(link.path));
    render();
    $("repair-status").textContent = status.state === "completed"
      ? `${done.size} link(s) repaired, ${(result.skipped || []).length} skipped.`
      : `repair #${status.job_id} ${status.state}: ${status.message || ""}`;
    if (status.state === "completed" && done.size) followUp(status.job_id);
  }

  // Once the repair has freed the library, Sonarr/Radarr are asked to rescan what it changed; the
  // job's result says so (as "then") a moment after it completed.
  async function followUp(jobId) {
    for (let tries = 0; tries < 10; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const status = await get(`/jobs/${jobId}`).catch(() => null);
      const then = status && status.result && status.result.then;
      if (then) {
        if (then.state === "off") return; // no Sonarr/Radarr enabled: nothing to say
        $("repair-followup").textContent = then.state === "started"
          ? `Sonarr/Radarr: rescan of the repaired items started (job #${then.job_id}).`
          : `Sonarr/Radarr: ${then.message}`;
        $("repair-followup").hidden = false;
        return;
      }
    }
  }

  async function acceptOne(link, target) {
    try {
      applied(await runJob("/repair/apply", { items: [{ path: link.path, target }] }));
    } catch (err) {
      showError(err);
    }
  }

  async function acceptAll() {
    try {
      applied(await runJob("/repair/apply", { unambiguous: true }));
    } catch (err) {
      showError(err);
    }
  }

  $("repair-list").addEventListener("click", list);
  $("repair-accept-all").addEventListener("click", acceptAll);
}
