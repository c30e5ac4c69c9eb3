// A job's progress block, as index.html's job_progress macro writes it: the bar, its value for screen
// readers, and one line saying which job ("Import job 6"), how far, and what it does.

import { jobName } from "./vocabulary.js";

export function showJobProgress(prefix, status) {
  const percent = Math.round(status.progress || 0);
  document.getElementById(`${prefix}-progress-fill`).style.width = `${percent}%`;
  document.getElementById(`${prefix}-progress-bar`).setAttribute("aria-valuenow", String(percent));
  document.getElementById(`${prefix}-progress-text`).textContent = `${jobName(status.kind, status.job_id)}: ${percent} %` +
    (status.phase ? ` ${status.phase}` : "") + (status.message ? ` (${status.message})` : "");
}
