// Dashboard: the latest scan's summary and the history of kept scans.
// API strings only ever reach the page through textContent, never as HTML.

import { ApiError, get, post } from "./api.js";
import { problemCount, renderCounters } from "./counters.js";
import { showNextRun } from "./schedules.js";
import {
  describeScope, el, formatAgo, formatDate, formatDuration, formatNumber, isActive, pathWithBreaks, setStatusPill,
} from "./format.js";

export function initDashboard(ctx) {
  const $ = (id) => document.getElementById(id);
  let requestNo = 0;
  let mediaRoot = null;
  let lastScans = null;

  function renderLatest(scan) {
    $("latest-empty").hidden = Boolean(scan);
    $("latest-scan").hidden = !scan;
    if (!scan) return;
    $("latest-id").textContent = `#${scan.scan_id}`;
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
    const rows = scans.map((scan) => {
      const open = () => ctx.openScan(scan.scan_id);
      const button = el("button", {
        type: "button", className: "link-button",
        "aria-label": `Show the findings of scan ${scan.scan_id}`, text: `#${scan.scan_id}`,
        onclick: (event) => { event.stopPropagation(); open(); },
      });
      const pill = el("span", { className: "status-pill" });
      setStatusPill(pill, scan.status);
      const cells = [
        ["Scan", el("td", {}, button)],
        ["Date", el("td", { text: formatDate(scan.scan_date) })],
        ["Status", el("td", {}, pill)],
        ["Mode", el("td", { text: scan.mode || "—" })],
        ["Depth", el("td", { text: scan.verification_depth || "—" })],
        ["Scope", scopeCell(scan)],
        ["Analysed", el("td", { className: "num", text: formatNumber(scan.statistics ? scan.statistics.total_analyzed : null) })],
        ["Problems", el("td", { className: "num", text: formatNumber(problemCount(scan.statistics)) })],
        ["Duration", el("td", { className: "num", text: isActive(scan.status) ? "running…" : formatDuration(scan.duration) })],
        ["Actions", el("td", {}, el("button", {
          type: "button", className: "btn btn-secondary btn-small run-again",
          "aria-label": `Run again: scan ${scan.scan_id} with the same settings`, text: "Run again",
          title: "Start a new scan with the same folders, mode and depth",
          onclick: (event) => { event.stopPropagation(); runAgain(scan, event.currentTarget); },
        }))],
      ];
      for (const [label, cell] of cells) cell.dataset.label = label;
      return el("tr", { className: "clickable", dataset: { scanId: scan.scan_id }, onclick: open },
        ...cells.map(([, cell]) => cell));
    });
    $("history-body").replaceChildren(...rows);
    $("history-empty").hidden = scans.length > 0;
    $("history-table").hidden = scans.length === 0;
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
        ctx.showError(`${err.message} — following scan #${err.body.scan_id}.`);
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

  async function refreshSystem() {
    try {
      const data = await get("/system");
      $("system-facts").replaceChildren(
        fact("linkdoctor", data.version),
        fact("ffprobe", tool(data.ffprobe)),
        fact("ffmpeg", tool(data.ffmpeg)),
        pathFact("Database", data.database.path, `schema revision ${data.database.schema_revision}`),
        pathFact("Data folder", data.data_dir),
      );
      renderServices(data.services);
      await showNextRun($("schedule-next"));
    } catch (err) {
      $("system-facts").replaceChildren(fact("Status", `unknown: ${err.message}`));
    }
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
      ctx.waiting.update(lastScans);
      render();
    } catch (err) {
      if (mine === requestNo) ctx.showError(err);
    }
  }

  $("dashboard-refresh").addEventListener("click", () => {
    refresh();
    refreshSystem();
  });
  $("latest-new-scan").addEventListener("click", () => ctx.newScan());
  $("arr-test").addEventListener("click", (event) => testServices(event.currentTarget));
  $("arr-settings").addEventListener("click", (event) => {
    event.preventDefault();
    ctx.openSettings("settings-services");
  });
  refreshSystem();
  return { refresh, refreshSystem, setMediaRoot };
}
