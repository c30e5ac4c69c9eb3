// Bootstrapping: the tabs, the error banner, and the wiring between the three tabs.

import { initAccess } from "./access.js";
import { initActivity } from "./activity.js";
import { initDashboard } from "./dashboard.js";
import { initEnrich } from "./enrich.js";
import { initIgnores } from "./ignores.js";
import { initMaintenance } from "./maintenance.js";
import { initOffline } from "./offline.js";
import { LIBRARY_CHANGED, announceLibraryChange, initQuarantineView } from "./quarantine_view.js";
import { initRepair } from "./repair.js";
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

function showTab(name, { focus = false, updateHash = true } = {}) {
  if (!TABS.includes(name)) name = TABS[0];
  const current = document.body.dataset.tab;
  if (current && current !== name && leaveGuards[current] && !leaveGuards[current]()) {
    if (window.location.hash !== `#${current}`) history.replaceState(null, "", `#${current}`);
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
  document.body.dataset.tab = name;
  if (updateHash && window.location.hash !== `#${name}`) {
    history.replaceState(null, "", `#${name}`);
  }
  if (listeners[name]) listeners[name]();
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

// The address: "#settings" names a tab; "#/scanner/scan/12?category=broken&page=3&q=dune" a scan's
// findings view, so that a reload, Back and a shared link show the same thing.
function route(scanner) {
  const hash = window.location.hash;
  const scanView = hash.match(/^#\/scanner\/scan\/(\d+)(?:\?(.*))?$/);
  if (scanView) {
    showTab("scanner", { updateHash: false });
    scanner.openScan(Number(scanView[1]), { view: new URLSearchParams(scanView[2] || "") });
    return;
  }
  showTab(hash.replace(/^#\/?/, "") || "dashboard", { updateHash: false });
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
  // Links were restored, purged, repaired or undone: the counts shown elsewhere are stale.
  window.addEventListener(LIBRARY_CHANGED, () => {
    dashboard.refresh();
    scanner.reloadTree(); // the folders' counts
  });
  listeners.scanner = () => scanner.tabShown();
  window.addEventListener("hashchange", () => route(scanner));
  window.addEventListener("popstate", () => route(scanner));
  route(scanner);
  document.body.dataset.ready = "true";
}

main();
