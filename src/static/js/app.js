// Bootstrapping: the tabs, the error banner, and the wiring between the three tabs.

import { initAccess } from "./access.js";
import { initActivity } from "./activity.js";
import { initDashboard } from "./dashboard.js";
import { initEnrich } from "./enrich.js";
import { initIgnores } from "./ignores.js";
import { initMaintenance } from "./maintenance.js";
import { initOffline } from "./offline.js";
import { JOB_ENDED } from "./poller.js";
import { LIBRARY_CHANGED_ANSWER } from "./api.js";
import { LIBRARY_CHANGED, announceLibraryChange, initQuarantineView } from "./quarantine_view.js";
import { initRepair } from "./repair.js";
import { initRunningJob } from "./running_job.js";
import { initScanner } from "./scanner.js";
import { initSchedules } from "./schedules.js";
import { initSettings } from "./settings.js";
import { initWaiting } from "./waiting.js";

const TABS = ["dashboard", "scanner", "settings", "maintenance", "quarantine"];

function $(id) {
  return document.getElementById(id);
}

// --- error banner ------------------------------------------------------------

function showError(err) {
  if (err && err.status === 0) return; // the server is unreachable: the offline banner says so
  const text = typeof err === "string" ? err : (err && err.message) || String(err);
  $("error-banner-text").textContent = text;
  $("error-banner").hidden = false;
  if (err && typeof err !== "string" && !(err.status >= 400 && err.status < 600)) {
    console.error(err); // a crash of our own code, not an API answer
  }
}

function clearError() {
  $("error-banner").hidden = true;
  $("error-banner-text").textContent = "";
}

// --- tabs ----------------------------------------------------------------------

const listeners = {};

// Checks run before leaving a tab; one that answers false keeps the user where they are.
const leaveGuards = {};

// Each tab switch is a step in the history (Back returns to the previous tab); the views inside a tab
// keep their own address (#/scanner/scan/12?...) and replace or push it themselves.
function showTab(name, { focus = false, updateHash = true } = {}) {
  if (!TABS.includes(name)) name = TABS[0];
  const current = document.body.dataset.tab;
  if (current && current !== name && leaveGuards[current] && !leaveGuards[current]()) {
    if (!addressNames(current)) history.pushState(null, "", `#${current}`); // Back stays where the user was
    return;
  }
  for (const tab of TABS) {
    const button = $(`tab-${tab}`);
    const selected = tab === name;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`panel-${tab}`).hidden = !selected;
    if (selected && focus) button.focus();
  }
  const switched = current !== name;
  document.body.dataset.tab = name;
  if (updateHash && !addressNames(name)) {
    if (switched && current) history.pushState(null, "", `#${name}`);
    else history.replaceState(null, "", `#${name}`);
  }
  if (listeners[name]) listeners[name]();
  if (runningJob) runningJob.check();
}

let runningJob = null; // the banner naming a job other than a scan that runs now

// Whether the address already names this tab ("#scanner", or a view inside it: "#/scanner/scan/12").
function addressNames(tab) {
  const hash = window.location.hash;
  return hash === `#${tab}` || hash.startsWith(`#/${tab}/`);
}

function initTabs() {
  const list = document.querySelector('[role="tablist"]');
  list.addEventListener("click", (event) => {
    const button = event.target.closest('[role="tab"]');
    if (button) showTab(button.dataset.tab);
  });
  list.addEventListener("keydown", (event) => {
    const current = TABS.indexOf(document.body.dataset.tab);
    let next = null;
    if (event.key === "ArrowRight") next = (current + 1) % TABS.length;
    else if (event.key === "ArrowLeft") next = (current - 1 + TABS.length) % TABS.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = TABS.length - 1;
    if (next !== null) {
      event.preventDefault();
      showTab(TABS[next], { focus: true });
    }
  });
}

// The address: "#dashboard" names a tab; "#/scanner/scan/12?category=broken&page=3&q=dune" a scan's
// findings view, "#/settings/arr" a section of Settings, so that a reload, Back and a shared link show
// the same thing.
function route(scanner, settings) {
  const hash = window.location.hash;
  const scanView = hash.match(/^#\/scanner\/scan\/(\d+)(?:\?(.*))?$/);
  if (scanView) {
    showTab("scanner", { updateHash: false });
    scanner.openScan(Number(scanView[1]), { view: new URLSearchParams(scanView[2] || "") });
    return;
  }
  const section = hash.match(/^#\/settings\/([a-z-]+)$/);
  if (section) {
    showTab("settings", { updateHash: false });
    if (document.body.dataset.tab === "settings") settings.showSection(section[1]);
    return;
  }
  showTab(hash.replace(/^#\/?/, "") || "dashboard", { updateHash: false });
}

// Back and Forward fire "popstate" and then, when the fragment changed, "hashchange": route once.
// A fragment typed or followed as a link fires "hashchange" (and in Chromium "popstate" too).
function followAddress(scanner, settings) {
  let routed = null;
  window.addEventListener("popstate", () => {
    routed = window.location.hash;
    route(scanner, settings);
  });
  window.addEventListener("hashchange", () => {
    if (window.location.hash === routed) return;
    routed = null;
    route(scanner, settings);
  });
}

// Any load of the page while a scan runs shows that scan first, whatever the address named
// (a reload after Start, a bookmark of an older scan): its progress, a disabled Start.
async function routeFirstLoad(scanner, settings) {
  try {
    const running = await scanner.runningScan();
    const hash = `#/scanner/scan/${running}`;
    if (running !== null && window.location.hash !== hash && !window.location.hash.startsWith(`${hash}?`)) {
      history.replaceState(null, "", hash);
    }
  } catch (err) {
    // Unreachable or refused: the address is routed as it is; the offline banner or the error says why.
  }
  route(scanner, settings);
}

// --- start -----------------------------------------------------------------------

function main() {
  $("error-banner-close").addEventListener("click", clearError);
  initTabs();

  let scanner = null;
  const openScan = (scanId, options) => {
    showTab("scanner");
    scanner.openScan(scanId, options);
  };
  const waiting = initWaiting({ showError, openScan });
  const dashboard = initDashboard({
    showError,
    openScan,
    waiting,
    newScan: () => showTab("scanner"),
    openSettings: (sectionId) => {
      showTab("settings");
      if (document.body.dataset.tab !== "settings") return;
      $(sectionId).dispatchEvent(new Event("settings-reveal", { bubbles: true })); // its section shown
      $(sectionId).scrollIntoView({ block: "start" });
    },
  });
  scanner = initScanner({
    showError,
    clearError,
    waiting,
    onScanFinished: () => dashboard.refresh(),
    onScanStarted: () => dashboard.refresh(),
    onMediaRoot: (root) => dashboard.setMediaRoot(root),
  });
  const ignores = initIgnores({ showError });
  const settings = initSettings({
    showError,
    onConfigSaved: ({ mediaChanged }) => {
      if (mediaChanged) {
        scanner.reloadTree();
        ignores.load(); // the rules are shown relative to the media root
      }
    },
  });
  leaveGuards.settings = () => settings.mayLeave();

  const access = initAccess({ showError });
  const schedules = initSchedules({ showError });
  listeners.settings = () => {
    settings.showAddress(); // "#settings" becomes "#/settings/<the section shown>"
    access.refresh();
    ignores.load();
    schedules.load();
  };
  const repair = initRepair({ showError, changed: announceLibraryChange });
  const maintenance = initMaintenance({ showError, openRepair: (kind) => repair.open(kind) });
  const enrich = initEnrich({ showError });
  listeners.maintenance = () => {
    maintenance.tabShown();
    repair.tabShown();
    enrich.tabShown();
  };
  initOffline({
    onBack: () => {
      dashboard.refresh();
      scanner.tabShown();
    },
  });
  const quarantineView = initQuarantineView({ showError });
  const activity = initActivity({ showError });
  listeners.dashboard = () => {
    dashboard.refresh();
    dashboard.refreshSystem(); // a connection test made in Settings shows here at once
    activity.load();
  };
  listeners.quarantine = () => quarantineView.load();
  // Counts shown elsewhere follow a change of the library: links restored, purged, repaired or undone (a view's
  // announceLibraryChange, or any answer the server marks so: api.js), or a job that ended (the one poller).
  // One refresh for the signals of one change.
  let refreshing = null;
  const libraryChanged = () => {
    if (refreshing !== null) return;
    refreshing = setTimeout(() => {
      refreshing = null;
      dashboard.refresh();
      scanner.reloadTree(); // the folders' counts
      if (document.body.dataset.tab === "dashboard") activity.load();
    }, 100);
  };
  window.addEventListener(JOB_ENDED, libraryChanged);
  window.addEventListener(LIBRARY_CHANGED, libraryChanged);
  window.addEventListener(LIBRARY_CHANGED_ANSWER, libraryChanged);
  listeners.scanner = () => scanner.tabShown();
  runningJob = initRunningJob();
  followAddress(scanner, settings);
  routeFirstLoad(scanner, settings).finally(() => { document.body.dataset.ready = "true"; });
}

main();
