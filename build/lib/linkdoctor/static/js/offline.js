// The "offline, retrying" state: when the server cannot be reached the page says so, disables the
// controls that need it, and probes /ping with a growing pause until it answers; then everything
// comes back by itself. The Dashboard and the Scanner keep what they last showed meanwhile.

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15000;

// ctx: onBack() (refresh what the tabs show).
export function initOffline(ctx) {
  const $ = (id) => document.getElementById(id);
  let retryMs = FIRST_RETRY_MS;
  let timer = null;

  function setControls(disabled) {
    for (const control of document.querySelectorAll("main button, main input, main select, main textarea")) {
      if (disabled && !control.disabled) {
        control.disabled = true;
        control.dataset.offlineDisabled = "true";
      } else if (!disabled && control.dataset.offlineDisabled) {
        control.disabled = false;
        delete control.dataset.offlineDisabled;
      }
    }
  }

  async function probe() {
    timer = null;
    try {
      const answer = await fetch("/ping", { cache: "no-store", credentials: "same-origin" });
      if (answer.ok) {
        // Reached: the next API call flips the state back (api.js), ask for one now.
        ctx.onBack();
        return;
      }
    } catch {
      // still unreachable
    }
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    $("offline-retry").textContent = `next try in ${Math.round(retryMs / 1000)} s`;
    timer = setTimeout(probe, retryMs);
  }

  function onReachable(event) {
    const up = event.detail.reachable;
    document.body.dataset.offline = String(!up);
    $("offline-banner").hidden = up;
    setControls(!up);
    if (!up && timer === null) {
      retryMs = FIRST_RETRY_MS;
      $("offline-retry").textContent = `next try in ${Math.round(retryMs / 1000)} s`;
      timer = setTimeout(probe, retryMs);
    }
    if (up && timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  window.addEventListener("linkdoctor:reachable", onReachable);
}
