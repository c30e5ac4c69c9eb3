// A job other than a scan that runs now (an import, a repair, a follow-up, …) is named on every tab,
// from the page's first load on: "Import job 7 is running: 40 % (reading the library)", leading to the
// Dashboard's Activity. (A running scan is shown by the Scanner tab itself.) Followed through the
// page's one poller while one runs; looked for again whenever a tab is shown.

import { get } from "./api.js";
import { createPoller } from "./poller.js";
import { isActiveState, jobName } from "./vocabulary.js";

const POLL_MS = 2000;

export function initRunningJob() {
  const $ = (id) => document.getElementById(id);

  function show(job) {
    $("running-banner").hidden = !job;
    if (!job) return;
    $("running-banner").dataset.jobId = String(job.job_id);
    $("running-open").textContent = jobName(job.kind, job.job_id);
    const progress = job.started_at ? `${Math.round(job.progress || 0)} %` : "waiting to start";
    $("running-text").textContent = `is running: ${progress}${job.message ? ` (${job.message})` : ""}.`;
  }

  const poller = createPoller({
    every: POLL_MS,
    ask: () => get("/jobs", { limit: 1 }),
    seen: (data) => {
      const job = (data.active || []).find((j) => j.kind !== "scan" && isActiveState(j.state)) || null;
      show(job);
      return job !== null;
    },
    failed: (err, { offline }) => offline,
  });

  function check() {
    if (!poller.active()) poller.start();
  }

  return { check };
}
