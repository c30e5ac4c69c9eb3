// The Dashboard's Activity block: the background jobs other than scans (imports, checks,
// repairs, TMDB look-ups, Sonarr/Radarr follow-ups), newest first, each with its state and
// what it said; a running one shows its progress and can be cancelled. Polled while one runs
// and the Dashboard is shown.

import { get, post } from "./api.js";
import { el, formatDate, formatDuration, setStatusPill } from "./format.js";
import { VOCABULARY } from "./vocabulary.js";

const SHOWN = 10;
const ASKED = 40; // scans are jobs too: ask for more, show the first SHOWN that are not
const POLL_MS = 2000;
const ACTIVE = new Set(VOCABULARY.job_active_states);

function $(id) {
  return document.getElementById(id);
}

function title(job) {
  const params = job.params || {};
  switch (job.kind) {
    case "import": return params.dry_run ? "Import (dry run)" : "Import";
    case "check": return params.verify_hash ? "Check (hashes verified)" : "Check";
    case "repair": {
      const what = params.kind === "shared" ? "shared wrong targets" : "broken links";
      return params.action === "apply" ? `Repair of ${what}` : `List of ${what} to repair`;
    }
    case "notify":
      // Scan 0: no scan behind it (a repair or its undo asked for the rescan).
      return job.scan_id
        ? el("span", {}, "Sonarr/Radarr follow-up of ",
             el("a", { href: `#/scanner/scan/${job.scan_id}`, className: "activity-scan" }, `scan #${job.scan_id}`))
        : "Sonarr/Radarr rescan after a repair";
    case "enrich": return "Titles from TMDB";
    default: return job.kind;
  }
}

// What a job did, in a line: from its result once it completed, else what it last said.
export function jobSummary(job) {
  const result = job.result || {};
  if (job.state !== "completed") return job.message || "";
  switch (job.kind) {
    case "import":
      return `${result.imported} imported, ${result.updated} updated, ${result.skipped} unchanged, ` +
        `${result.pending} pending identification, ${result.errors} errors`;
    case "check": {
      const total = Object.values(result.counts || {}).reduce((a, b) => a + b, 0);
      return result.consistent ? "consistent" : `inconsistencies found (${total} entries)`;
    }
    case "repair":
      return result.action === "apply"
        ? `${(result.repaired || []).length} link(s) repaired, ${(result.skipped || []).length} skipped`
        : `${result.total} link(s) to repair listed`;
    case "enrich":
      return `${result.enriched} enriched, ${result.not_found} not found, ${result.failed} failed ` +
        `(${result.already} already enriched)`;
    default:
      return job.message || "";
  }
}

export function initActivity({ showError }) {
  const state = { timer: null, requestNo: 0 };

  function row(job) {
    const active = ACTIVE.has(job.state);
    const pill = el("span", { className: "status-pill" });
    setStatusPill(pill, job.state);
    const said = job.state === "running" ? `${Math.round(job.progress || 0)} % ${job.message || ""}` : jobSummary(job);
    const action = el("td", { dataset: { label: "Action" } });
    if (active) {
      action.append(el("button", {
        type: "button", className: "btn btn-secondary btn-small activity-cancel", text: "Cancel",
        disabled: job.cancel_requested, "aria-label": `Cancel job #${job.job_id}`,
        onclick: (event) => cancel(job, event.currentTarget),
      }));
    }
    return el("tr", { dataset: { jobId: String(job.job_id), kind: job.kind, state: job.state } },
      el("td", { dataset: { label: "Job" } }, el("span", {}, el("span", { className: "muted" }, `#${job.job_id} `), title(job))),
      el("td", { dataset: { label: "State" } }, pill),
      el("td", { dataset: { label: "Started" }, text: formatDate(job.started_at || job.created_at) }),
      el("td", { className: "num", dataset: { label: "Duration" }, text: job.duration == null ? "—" : formatDuration(job.duration) }),
      el("td", { className: "activity-message", dataset: { label: "What happened" }, text: said || "—" }),
      action);
  }

  async function load() {
    const mine = ++state.requestNo;
    try {
      const data = await get("/jobs", { limit: ASKED });
      if (mine !== state.requestNo) return;
      const jobs = data.jobs.filter((job) => job.kind !== "scan").slice(0, SHOWN);
      $("activity-body").replaceChildren(...jobs.map(row));
      $("activity-table").hidden = jobs.length === 0;
      $("activity-empty").hidden = jobs.length > 0;
      schedule(jobs.some((job) => ACTIVE.has(job.state)));
    } catch (err) {
      showError(err);
      schedule(true); // try again: the server may be back
    }
  }

  function schedule(again) {
    if (state.timer !== null) clearTimeout(state.timer);
    state.timer = null;
    if (again && !$("panel-dashboard").hidden) state.timer = setTimeout(load, POLL_MS);
  }

  async function cancel(job, button) {
    button.disabled = true;
    try {
      await post(`/jobs/${job.job_id}/cancel`);
    } catch (err) {
      showError(err); // (it may have ended meanwhile: the list says so)
    }
    await load();
  }

  $("dashboard-refresh").addEventListener("click", load);
  return { load };
}
