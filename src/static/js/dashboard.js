// Dashboard: the latest scan's summary and the history of kept scans, and the services.
// What it last showed is kept in the browser (localStorage): with the server unreachable, it shows the
// last known state under the offline banner, dated, rather than a blank page.
// On a phone the long lists are cut to their first rows ("Show all"); the category help is folded.
// API strings only ever reach the page through textContent, never as HTML.

import { ApiError, get, post } from "./api.js";
import { problemCount, renderCounters } from "./counters.js";
import { showNextRun } from "./schedules.js";
import {
  describeScope, el, formatAgo, formatDate, formatDuration, formatNumber, pathWithBreaks, setStatusPill,
} from "./format.js";
import { isActiveState as isActive, jobName } from "./vocabulary.js";

const HISTORY_ON_A_PHONE = 3;
const KEPT = "linkdoctor.dashboard"; // localStorage: {history, system, saved_at}

function keep(part, data) {
  try {
    const kept = JSON.parse(window.localStorage.getItem(KEPT) || "{}");
    kept[part] = data;
    kept.saved_at = new Date().toISOString();
    window.localStorage.setItem(KEPT, JSON.stringify(kept));
  } catch {
    // storage full or refused: the Dashboard only loses its offline copy
  }
}

function kept() {
  try {
    return JSON.parse(window.localStorage.getItem(KEPT) || "null");
  } catch {
    return null;
  }
}

export function initDashboard(ctx) {
  const $ = (id) => document.getElementById(id);
  const phone = window.matchMedia("(max-width: 640px)");
  let requestNo = 0;
  let mediaRoot = null;
  let lastScans = null;
  let historyAll = false;

  function renderLatest(scan) {
    $("latest-empty").hidden = Boolean(scan);
    $("latest-scan").hidden = !scan;
    if (!scan) return;
    $("latest-id").textContent = jobName("scan", scan.scan_id);
    setStatusPill($("latest-status"), scan.status);
    $("latest-date").textContent = formatDate(scan.scan_date);
    $("latest-mode").textContent = scan.mode || "—";
    $("latest-depth").textContent = scan.verification_depth || "—";
    const scope = describeScope(mediaRoot, scan.selected_paths);
    $("latest-scope").replaceChildren(pathWithBreaks(scope));
    $("latest-scope").className = scope === "whole library" ? "" : "mono path";
    $("latest-scope").title = (scan.selected_paths || []).join("\n");
    $("latest-duration").textContent = isActive(scan.status) ? "running…" : formatDuration(scan.duration);
    renderCounters($("latest-counters"), scan.statistics, (category) => `#/scanner/scan/${scan.scan_id}?category=${category}`);
    const error = $("latest-error");
    error.hidden = !scan.error_message;
    error.textContent = scan.error_message || "";
  }

  function scopeCell(scan) {
    const scope = describeScope(mediaRoot, scan.selected_paths);
    return el("td", {
      className: scope === "whole library" ? null : "mono path",
      title: (scan.selected_paths || []).join("\n"),
    }, pathWithBreaks(scope));
  }

  function renderHistory(scans) {
    // One scan at a time: while one runs, Run again waits (it used to start nothing and leave an error up).
    const running = scans.find((scan) => isActive(scan.status));
    const rows = scans.map((scan) => {
      const open = () => ctx.openScan(scan.scan_id);
      const button = el("button", {
        type: "button", className: "link-button",
        "aria-label": `Show the findings of scan ${scan.scan_id}`, text: jobName("scan", scan.scan_id),
        onclick: (event) => { event.stopPropagation(); open(); },
      });
      const pill = el("span", { className: "status-pill" });
      setStatusPill(pill, scan.status);
      const cells = [
        ["Scan", el("td", {}, button)],
        ["Date", el("td", { text: phone.matches ? formatAgo(scan.scan_date) : formatDate(scan.scan_date),
          title: formatDate(scan.scan_date) })],
        ["Status", el("td", {}, pill)],
        ["Mode", el("td", { text: scan.mode || "—" })],
        ["Depth", el("td", { text: scan.verification_depth || "—" })],
        ["Scope", scopeCell(scan)],
        ["Analysed", el("td", { className: "num", text: formatNumber(scan.statistics ? scan.statistics.total_analyzed : null) })],
        ["Problems", el("td", { className: "num", text: formatNumber(problemCount(scan.statistics)) })],
        ["Duration", el("td", { className: "num", text: isActive(scan.status) ? "running…" : formatDuration(scan.duration) })],
        ["Actions", el("td", { className: "history-actions" }, el("button", {
          type: "button", className: "btn btn-secondary btn-small run-again",
          "aria-label": `Run again: scan ${scan.scan_id} with the same settings`, text: "Run again",
          title: running ? `${jobName("scan", running.scan_id)} is running: one scan at a time`
            : "Start a new scan with the same folders, mode and depth",
          disabled: Boolean(running),
          onclick: (event) => { event.stopPropagation(); runAgain(scan, event.currentTarget); },
        }))],
      ];
      for (const [label, cell] of cells) cell.dataset.label = label;
      for (const [label, cell] of cells) cell.classList.add(`history-${label.toLowerCase()}`);
      return el("tr", { className: "clickable", dataset: { scanId: scan.scan_id }, onclick: open },
        ...cells.map(([, cell]) => cell));
    });
    const limit = historyAll || !phone.matches ? rows.length : HISTORY_ON_A_PHONE;
    $("history-body").replaceChildren(...rows.slice(0, limit));
    $("history-empty").hidden = scans.length > 0;
    $("history-table").hidden = scans.length === 0;
    const more = $("history-more");
    more.hidden = rows.length <= HISTORY_ON_A_PHONE || !phone.matches;
    more.textContent = historyAll ? "Show fewer" : `Show all ${rows.length}`;
    more.setAttribute("aria-expanded", String(historyAll));
  }

  // The same folders, mode and depth; a proposal still waiting is asked about first.
  async function runAgain(scan, button) {
    button.disabled = true;
    try {
      if (!(await ctx.waiting.askBeforeStart())) return;
      const answer = await post("/scan/start", {
        paths: scan.selected_paths || [], mode: scan.mode, verification_depth: scan.verification_depth,
      });
      ctx.openScan(answer.scan_id, { follow: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body && err.body.scan_id) {
        ctx.showError(`${err.message} — following ${jobName("scan", err.body.scan_id)}.`);
        ctx.openScan(err.body.scan_id, { follow: true });
      } else {
        ctx.showError(err);
      }
    } finally {
      button.disabled = false;
    }
  }

  function fact(term, text, title) {
    return el("div", {}, el("dt", { text: term }), el("dd", { text, title: title || null }));
  }

  // A fact that is a path (a folder, a file): it wraps between its folders.
  function pathFact(term, path, title) {
    return el("div", {}, el("dt", { text: term }),
      el("dd", { className: "mono path", title: title || null }, pathWithBreaks(path)));
  }

  function tool(info) {
    if (!info || !info.found) return "not found: install Debian's ffmpeg package";
    return `${info.version || "found"} (${info.path})`;
  }

  // "connected · v4.0.1 · tested 5 min ago", "failed: <why> · tested …" or "not tested yet".
  function connectionText(test) {
    if (!test) return "not tested yet";
    const tested = `tested ${formatAgo(test.tested_at)}`;
    if (!test.ok) return `failed: ${test.message} · ${tested}`;
    return test.version ? `connected · v${test.version} · ${tested}` : `connected · ${tested}`;
  }

  // Each enabled Sonarr/Radarr with its last connection test (disabled ones are not listed).
  function renderServices(services) {
    $("arr-services").replaceChildren(...services.map((service) => {
      const test = service.last_test;
      const state = !test ? "untested" : test.ok ? "ok" : "failed";
      return el("li", { dataset: { kind: service.kind, name: service.name, state } },
        el("span", { className: "arr-name", text: service.name, title: service.url }),
        el("span", { className: "arr-kind muted small", text: service.kind === "sonarr" ? "Sonarr" : "Radarr" }),
        el("span", {
          className: "arr-state", text: connectionText(test),
          title: test ? `tested ${formatDate(test.tested_at)}` : null,
        }));
    }));
    $("arr-none").hidden = services.length > 0;
    $("arr-test").hidden = services.length === 0;
  }

  function renderSystem(data) {
    $("system-facts").replaceChildren(
      fact("linkdoctor", data.version),
      fact("ffprobe", tool(data.ffprobe)),
      fact("ffmpeg", tool(data.ffmpeg)),
      pathFact("Database", data.database.path, `schema revision ${data.database.schema_revision}`),
      pathFact("Data folder", data.data_dir),
    );
    renderServices(data.services);
  }

  async function refreshSystem() {
    try {
      const data = await get("/system");
      renderSystem(data);
      keep("system", data);
      $("dashboard-stale").hidden = true;
      await showNextRun($("schedule-next"));
    } catch (err) {
      const last = kept();
      if (unreachable(err) && last && last.system) {
        if (!$("system-facts").children.length) renderSystem(last.system);
        showStale(last.saved_at);
      } else {
        $("system-facts").replaceChildren(fact("Status", `unknown: ${err.message}`));
      }
    }
  }

  function unreachable(err) {
    return err instanceof ApiError && err.status === 0;
  }

  // "Last known state, from 5 min ago": what is shown is not live (the offline banner says why).
  function showStale(savedAt) {
    $("dashboard-stale").textContent = `The last known state, from ${formatAgo(savedAt)}: the server cannot be reached.`;
    $("dashboard-stale").hidden = false;
  }

  async function testServices(button) {
    button.disabled = true;
    button.textContent = "Testing…";
    try {
      await post("/test/services");
      await refreshSystem();
    } catch (err) {
      ctx.showError(err);
    } finally {
      button.disabled = false;
      button.textContent = "Test connections";
    }
  }

  function render() {
    if (lastScans === null) return;
    renderLatest(lastScans[0] || null);
    renderHistory(lastScans);
  }

  // The Scanner tab tells the media root once its tree is loaded: scopes are shown relative to it.
  function setMediaRoot(root) {
    mediaRoot = root;
    render();
  }

  async function refresh() {
    const mine = ++requestNo;
    try {
      const data = await get("/scans/history");
      if (mine !== requestNo) return;
      lastScans = Array.isArray(data.scans) ? data.scans : [];
      keep("history", lastScans);
      $("dashboard-stale").hidden = true;
      ctx.waiting.update(lastScans);
      render();
    } catch (err) {
      if (mine !== requestNo) return;
      const last = kept();
      if (unreachable(err) && last && Array.isArray(last.history)) {
        if (lastScans === null) {
          lastScans = last.history;
          render();
        }
        showStale(last.saved_at);
        return;
      }
      ctx.showError(err);
    }
  }

  $("dashboard-refresh").addEventListener("click", () => {
    refresh();
    refreshSystem();
  });
  // Back online (whichever request found out first): what is shown is live again.
  window.addEventListener("linkdoctor:reachable", (event) => {
    if (!event.detail.reachable || $("dashboard-stale").hidden) return;
    refresh();
    refreshSystem();
  });
  $("latest-new-scan").addEventListener("click", () => ctx.newScan());
  $("history-more").addEventListener("click", () => {
    historyAll = !historyAll;
    render();
  });
  // Long help folded on a phone, open on a desktop where it costs no scrolling.
  $("categories-details").open = !phone.matches;
  $("arr-test").addEventListener("click", (event) => testServices(event.currentTarget));
  $("arr-settings").addEventListener("click", (event) => {
    event.preventDefault();
    ctx.openSettings("settings-services");
  });
  refreshSystem();
  return { refresh, refreshSystem, setMediaRoot };
}
