// The Dashboard's Activity block: the background jobs other than scans (imports, checks,
// repairs, TMDB look-ups, Sonarr/Radarr follow-ups), newest first, each named by kind and id
// ("Import job 6", never a bare "#6" a scan shares), with its state and what it said. A job that
// ended with problems or failed says why in its row, its problems open below it, and a follow-up
// can be sent again. A running one shows its progress and can be cancelled. Followed through the
// page's one poller while one runs and the Dashboard is shown.

import { get, post } from "./api.js";
import { el, formatAgo, formatDate, formatDuration, setStatusPill } from "./format.js";
import { announceEnded, createPoller } from "./poller.js";
import { endedWell, isActiveState, jobName, stateTone } from "./vocabulary.js";

const SHOWN = 10;
const SHOWN_ON_A_PHONE = 3; // the rest behind "Show all": the Dashboard stays short on a phone
const ASKED = 40; // scans are jobs too: ask for more, show the first SHOWN that are not
const POLL_MS = 2000;
const KEPT = "linkdoctor.activity"; // localStorage: the last list shown, for the offline Dashboard

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
    case "arr_followup":
      // Scan 0: no scan behind it (a repair or its undo asked for the rescan).
      return job.scan_id
        ? el("span", {}, "Sonarr/Radarr follow-up of ",
             el("a", { href: `#/scanner/scan/${job.scan_id}`, className: "activity-scan" }, jobName("scan", job.scan_id)))
        : "Sonarr/Radarr rescan after a repair";
    case "enrich": return "Titles from TMDB";
    default: return job.kind;
  }
}

// What a job did, in a line: from its result once it ended well, else what it last said.
export function jobSummary(job) {
  const result = job.result || {};
  if (!endedWell(job.state)) return result.summary || job.message || "";
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

// Whether "Send again" makes sense: a follow-up of a scan that did not go through (its links are still
// in the quarantine; POST /scan/<id>/notify sends for them again).
function retryable(job) {
  const tone = stateTone(job.state);
  return job.kind === "arr_followup" && Boolean(job.scan_id) && (tone === "warning" || tone === "failed");
}

export function initActivity({ showError }) {
  const state = { requestNo: 0, all: false, active: new Set(), opened: new Set() };
  const phone = window.matchMedia("(max-width: 640px)");

  // What happened, with the reasons of a job that did not go through listed under it (openable).
  function whatHappened(job) {
    const running = isActiveState(job.state) && job.started_at;
    const said = running ? `${Math.round(job.progress || 0)} % ${job.message || ""}` : jobSummary(job);
    const cell = el("td", { className: "activity-message", dataset: { label: "What happened" } }, said || "—");
    const problems = (job.result && Array.isArray(job.result.problems)) ? job.result.problems : [];
    if (problems.length) {
      cell.append(el("details", {
        className: "activity-problems", open: state.opened.has(job.job_id),
        ontoggle: (event) => {
          if (event.currentTarget.open) state.opened.add(job.job_id); // kept open when a poll redraws the list
          else state.opened.delete(job.job_id);
        },
      },
        el("summary", { text: `${problems.length} problem${problems.length === 1 ? "" : "s"}: show` }),
        el("ul", {}, ...problems.map((text) => el("li", { text: String(text) })))));
    } else if (stateTone(job.state) === "failed" && job.message && job.message !== said) {
      cell.append(el("div", { className: "activity-reason", text: job.message }));
    }
    return cell;
  }

  function actions(job) {
    const cell = el("td", { className: "activity-actions", dataset: { label: "Action" } });
    if (isActiveState(job.state)) {
      cell.append(el("button", {
        type: "button", className: "btn btn-secondary btn-small activity-cancel", text: "Cancel",
        disabled: job.cancel_requested, "aria-label": `Cancel ${jobName(job.kind, job.job_id)}`,
        onclick: (event) => cancel(job, event.currentTarget),
      }));
    } else if (retryable(job)) {
      cell.append(el("button", {
        type: "button", className: "btn btn-secondary btn-small activity-retry", text: "Send again",
        "aria-label": `Send the follow-up of ${jobName("scan", job.scan_id)} again`,
        title: "Tell Sonarr/Radarr again about this scan's links still in the quarantine",
        onclick: (event) => retry(job, event.currentTarget),
      }));
    }
    return cell;
  }

  function row(job) {
    const pill = el("span", { className: "status-pill" });
    setStatusPill(pill, job.state);
    const tone = stateTone(job.state);
    return el("tr", { className: `activity-row tone-${tone}`, dataset: { jobId: String(job.job_id), kind: job.kind, state: job.state, tone } },
      el("td", { className: "activity-job", dataset: { label: "Job" } },
        el("span", { className: "activity-name muted", text: jobName(job.kind, job.job_id) }), " ", title(job)),
      el("td", { className: "activity-state", dataset: { label: "State" } }, pill),
      el("td", { className: "activity-date", dataset: { label: "Started" }, title: formatDate(job.started_at || job.created_at),
        text: phone.matches ? formatAgo(job.started_at || job.created_at) : formatDate(job.started_at || job.created_at) }),
      el("td", { className: "num activity-duration", dataset: { label: "Duration" }, text: job.duration == null ? "—" : formatDuration(job.duration) }),
      whatHappened(job),
      actions(job));
  }

  // A job this list saw running has ended: the page's counts refresh (once per job, whoever saw it).
  function noticeEnds(jobs) {
    for (const job of jobs) {
      if (state.active.has(job.job_id) && !isActiveState(job.state)) announceEnded(job);
    }
    state.active = new Set(jobs.filter((job) => isActiveState(job.state)).map((job) => job.job_id));
  }

  function render(jobs) {
    const limit = state.all || !phone.matches ? SHOWN : SHOWN_ON_A_PHONE;
    const shown = jobs.slice(0, limit);
    $("activity-body").replaceChildren(...shown.map(row));
    $("activity-table").hidden = jobs.length === 0;
    $("activity-empty").hidden = jobs.length > 0;
    $("activity-more").hidden = jobs.length <= shown.length && !state.all;
    $("activity-more").textContent = state.all ? "Show fewer" : `Show all ${jobs.length}`;
    $("activity-more").setAttribute("aria-expanded", String(state.all));
  }

  let lastJobs = [];
  const poller = createPoller({
    every: POLL_MS,
    ask: () => get("/jobs", { limit: ASKED }),
    seen: (data) => {
      lastJobs = data.jobs.filter((job) => job.kind !== "scan").slice(0, SHOWN);
      try {
        window.localStorage.setItem(KEPT, JSON.stringify(lastJobs));
      } catch {
        // storage full or refused: only the offline copy is lost
      }
      noticeEnds(lastJobs);
      render(lastJobs);
      return lastJobs.some((job) => isActiveState(job.state)) && !$("panel-dashboard").hidden;
    },
    failed: (err, { offline }) => {
      if (!offline) showError(err);
      if (offline && !lastJobs.length) {
        // Unreachable before anything was shown: the last known list (the Dashboard says it is not live).
        try {
          lastJobs = JSON.parse(window.localStorage.getItem(KEPT) || "[]");
        } catch {
          lastJobs = [];
        }
        if (lastJobs.length) render(lastJobs);
      }
      return !$("panel-dashboard").hidden; // try again: the server may be back
    },
  });

  async function cancel(job, button) {
    button.disabled = true;
    try {
      await post(`/jobs/${job.job_id}/cancel`);
    } catch (err) {
      showError(err); // (it may have ended meanwhile: the list says so)
    }
    load();
  }

  async function retry(job, button) {
    button.disabled = true;
    try {
      await post(`/scan/${job.scan_id}/notify`);
    } catch (err) {
      button.disabled = false;
      showError(err);
      return;
    }
    load();
  }

  function load() {
    poller.start();
  }

  $("dashboard-refresh").addEventListener("click", load);
  $("activity-more").addEventListener("click", () => {
    state.all = !state.all;
    render(lastJobs);
  });
  return { load };
}
