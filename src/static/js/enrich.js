// The Maintenance tab's TMDB block: look the inventory's items up on TMDB as a job, follow it, say
// what it found and what failed; without a TMDB key, say so and lead to the key's field in Settings.

import { jobSummary } from "./activity.js";
import { ApiError, get, post } from "./api.js";
import { pathWithBreaks } from "./format.js";
import { showJobProgress } from "./job_progress.js";
import { VOCABULARY } from "./vocabulary.js";

const POLL_MS = 500;
const MAX_RETRY_MS = 15000;
const KEY_SETTING = "tmdb_api_key"; // the setting a 400 of /library/enrich names when the key is missing

function $(id) {
  return document.getElementById(id);
}

function isActive(status) {
  return VOCABULARY.job_active_states.includes(status.state);
}

export function initEnrich({ showError }) {
  const state = { jobId: null, retryMs: POLL_MS, loaded: false };

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
    showFailures(status.state === "completed" ? result : {});
    let text;
    if (status.state === "completed") {
      text = jobSummary(status) + (result.failed ? "; the failed ones are asked again next time:" : ".");
    } else if (status.state === "cancelled") {
      text = `enrich #${status.job_id} cancelled: the titles found until then are kept.`;
    } else {
      text = `enrich #${status.job_id} ${status.state}${status.message ? ": " + status.message : ""}`;
    }
    $("enrich-summary").textContent = text;
  }

  async function follow(jobId) {
    if (state.jobId !== jobId) return; // another job is followed now
    setRunning(true);
    let status;
    try {
      status = await get(`/jobs/${jobId}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 0) {
        // Unreachable: the job may well go on; ask again, less often, until the server answers.
        $("enrich-progress-text").textContent = "The server cannot be reached; the lookup's state is unknown until it answers.";
        state.retryMs = Math.min(state.retryMs * 2, MAX_RETRY_MS);
        setTimeout(() => follow(jobId), state.retryMs);
        return;
      }
      setRunning(false);
      showError(err);
      return;
    }
    state.retryMs = POLL_MS;
    showJobProgress("enrich", status);
    if (isActive(status)) {
      setTimeout(() => follow(jobId), POLL_MS);
      return;
    }
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
