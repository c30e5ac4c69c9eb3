// The Maintenance tab's TMDB block: look the inventory's items up on TMDB as a job, follow it, say
// what it found and what failed; without a TMDB key, say so and lead to the key's field in Settings.

import { jobSummary } from "./activity.js";
import { ApiError, get, post } from "./api.js";
import { pathWithBreaks, statusLabel } from "./format.js";
import { showJobProgress } from "./job_progress.js";
import { followJob } from "./poller.js";
import { endedWell, jobName, stateTone } from "./vocabulary.js";

const POLL_MS = 500;
const KEY_SETTING = "tmdb_api_key"; // the setting a 400 of /library/enrich names when the key is missing

function $(id) {
  return document.getElementById(id);
}

export function initEnrich({ showError }) {
  const state = { jobId: null, loaded: false };

  function setRunning(running) {
    $("enrich-run").disabled = running;
    $("enrich-cancel").hidden = !running;
    $("enrich-progress").hidden = !running;
  }

  function showFailures(result) {
    const list = $("enrich-failures");
    list.replaceChildren();
    const failures = result.failures || [];
    for (const failure of failures) {
      const line = document.createElement("li");
      const path = document.createElement("span");
      path.className = "mono path";
      path.append(pathWithBreaks(failure.path));
      line.append(path, failure.reason); // the path on its own line (.result-list .path), then why
      list.append(line);
    }
    if (result.failed > failures.length) {
      const more = document.createElement("li");
      more.textContent = `… and ${result.failed - failures.length} more in the log`;
      list.append(more);
    }
    list.hidden = list.children.length === 0;
  }

  function showSummary(status) {
    const result = status.result || {};
    showFailures(endedWell(status.state) ? result : {});
    const name = jobName(status.kind, status.job_id);
    let text;
    if (endedWell(status.state)) {
      text = jobSummary(status) + (result.failed ? "; the failed ones are asked again next time:" : ".");
    } else if (stateTone(status.state) === "neutral") {
      text = `${name} ${statusLabel(status.state)}: the titles found until then are kept.`;
    } else {
      text = `${name} ${statusLabel(status.state)}${status.message ? ": " + status.message : ""}`;
    }
    $("enrich-summary").textContent = text;
  }

  async function follow(jobId) {
    setRunning(true);
    let status;
    try {
      status = await followJob(jobId, {
        every: POLL_MS,
        onStatus: (answer) => {
          if (state.jobId === jobId) showJobProgress("enrich", answer);
        },
        // Unreachable: the job may well go on; the poller asks again, less often, until the server answers.
        onOffline: () => {
          $("enrich-progress-text").textContent = "The server cannot be reached; the lookup's state is unknown until it answers.";
        },
      });
    } catch (err) {
      setRunning(false);
      showError(err);
      return;
    }
    if (state.jobId !== jobId) return; // another job is followed now
    setRunning(false);
    showSummary(status);
  }

  function watch(jobId) {
    state.jobId = jobId;
    follow(jobId);
  }

  async function run() {
    $("enrich-no-key").hidden = true;
    try {
      const answer = await post("/library/enrich", {});
      $("enrich-summary").textContent = "";
      $("enrich-failures").hidden = true;
      watch(answer.job_id);
    } catch (err) {
      if (err instanceof ApiError && err.body && err.body.setting === KEY_SETTING) {
        $("enrich-no-key").hidden = false;
        return;
      }
      showError(err);
    }
  }

  // When the tab shows: a lookup still running is followed, otherwise the last one's summary is shown.
  async function tabShown() {
    if (state.loaded) return;
    state.loaded = true;
    try {
      const data = await get("/jobs", { kind: "enrich", limit: 1 });
      if (data.active.length) watch(data.active[0].job_id);
      else if (data.jobs.length) showSummary(data.jobs[0]);
    } catch (err) {
      showError(err);
    }
  }

  $("enrich-run").addEventListener("click", run);
  $("enrich-cancel").addEventListener("click", async () => {
    try {
      if (state.jobId) await post(`/jobs/${state.jobId}/cancel`);
    } catch (err) {
      showError(err);
    }
  });
  $("enrich-open-settings").addEventListener("click", () => {
    $("tab-settings").click(); // the tabs' own handler shows Settings
    const field = $(`cfg-${KEY_SETTING}`);
    field.dispatchEvent(new Event("settings-reveal", { bubbles: true })); // Settings shows its section
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
  return { tabShown };
}
