// The one poller of the page: every job it follows (a scan's status, a job, the Activity list, a scan's
// Sonarr/Radarr follow-up) is asked for through it. It asks at a steady pace while the answer says the
// thing is still active, backs off while the server cannot be reached, drops the answer of a poll that
// was stopped or restarted meanwhile, and tells the page when a job it followed ended
// ("linkdoctor:job-ended", so that counts elsewhere refresh).

import { ApiError, get } from "./api.js";
import { isActiveState } from "./vocabulary.js";

export const POLL_MS = 1000;
const MAX_RETRY_MS = 15000;

// A job it followed ended: detail is the job's (or scan's) last status.
export const JOB_ENDED = "linkdoctor:job-ended";

const announced = new Set(); // the jobs whose end was told: two pollers may see the same end

export function announceEnded(status) {
  if (announced.has(status.job_id)) return;
  announced.add(status.job_id);
  window.dispatchEvent(new CustomEvent(JOB_ENDED, { detail: status }));
}

// createPoller({ask, seen, failed, every}):
//   ask() -> Promise of the answer (an API call);
//   seen(answer) -> true to ask again in `every` ms;
//   failed(err, {offline}) -> true to ask again (offline: after a growing pause). Default: again when offline.
// Returns {start(delayMs = 0), stop(), active()}: start() restarts, dropping any poll under way.
export function createPoller({ ask, seen, failed = (err, { offline }) => offline, every = POLL_MS }) {
  let timer = null;
  let generation = 0;
  let retryMs = every;

  function stop() {
    generation += 1;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  function later(mine, delay) {
    timer = setTimeout(() => tick(mine), delay);
  }

  async function tick(mine) {
    timer = null;
    let answer;
    try {
      answer = await ask();
    } catch (err) {
      if (mine !== generation) return;
      const offline = err instanceof ApiError && err.status === 0;
      retryMs = offline ? Math.min(retryMs * 2, MAX_RETRY_MS) : every;
      if (failed(err, { offline }) && mine === generation) later(mine, offline ? retryMs : every);
      return;
    }
    if (mine !== generation) return;
    retryMs = every;
    if (seen(answer) && mine === generation) later(mine, every);
  }

  function start(delay = 0) {
    stop();
    const mine = generation;
    if (delay > 0) later(mine, delay);
    else tick(mine);
  }

  return { start, stop, active: () => timer !== null };
}

// Follow one job (GET /jobs/<id>) until it ends: onStatus(status) with each answer.
// Resolves with its last status (and announces its end); rejects on an answer other than "unreachable".
export function followJob(jobId, { onStatus = () => {}, onOffline = () => {}, every = POLL_MS } = {}) {
  return new Promise((resolve, reject) => {
    const poller = createPoller({
      every,
      ask: () => get(`/jobs/${jobId}`),
      seen: (status) => {
        onStatus(status);
        if (isActiveState(status.state)) return true;
        announceEnded(status);
        resolve(status);
        return false;
      },
      failed: (err, { offline }) => {
        if (offline) {
          onOffline(err);
          return true;
        }
        reject(err);
        return false;
      },
    });
    poller.start();
  });
}
