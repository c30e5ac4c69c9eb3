// The Maintenance tab: run an import or a check as a job, follow it, and page a check's
// results per category from the server (50 at a time; the browser never holds them all).
// Each category has a plain name and, where linkdoctor can do it, a button that starts the fix;
// an import's errors are listed (path and reason) under its summary.

import { jobSummary } from "./activity.js";
import { get, post } from "./api.js";
import { el, formatDate, formatNumber, namedPath, statusLabel } from "./format.js";
import { showJobProgress } from "./job_progress.js";
import { followJob } from "./poller.js";
import { VOCABULARY, endedWell, jobName } from "./vocabulary.js";

const PER_PAGE = 50;
const POLL_MS = 500;
const CATEGORIES = VOCABULARY.check_categories || [];

function $(id) {
  return document.getElementById(id);
}

// The column's name, shown beside each cell when the table becomes a list of cards on a phone.
const LABELS = ["Path", "Target", "Detail"];

function cell(text, className, column) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  td.dataset.label = LABELS[column];
  return td;
}

function pathCell(path, column) {
  const td = cell("", "small", column);
  if (path) td.append(namedPath(null, path, { className: "mono" }));
  return td;
}

export function initMaintenance({ showError, openRepair }) {
  // The fix each category's button starts (the category's "fix" in the vocabulary).
  const FIXES = {
    import: { text: "Import again", run: () => start("/library/import", { dry_run: false }) },
    repair_broken: { text: "Repair the broken links", run: () => openRepair("broken") },
    repair_shared: { text: "Repair the shared wrong targets", run: () => openRepair("shared") },
    pending: { text: "Show the items to rename", run: () => {
      $("maint-pending").open = true;
      $("maint-pending").scrollIntoView({ block: "start" });
    } },
  };

  const state = { jobId: null, checkId: null, category: CATEGORIES.length ? CATEGORIES[0].key : "", page: 1,
                  counts: {}, loaded: false, requests: 0, pendingPage: 1 };

  function setRunning(running) {
    $("maint-import").disabled = running;
    $("maint-check").disabled = running;
    $("maint-cancel").hidden = !running;
    $("maint-progress").hidden = !running;
  }

  function summarize(status) {
    const result = status.result || {};
    const name = jobName(status.kind, status.job_id);
    if (!endedWell(status.state)) {
      return `${name} ${statusLabel(status.state)}${status.message ? ": " + status.message : ""}`;
    }
    if (status.kind === "import") {
      return `${name}${result.dry_run ? " (dry run, nothing recorded)" : ""}: ${jobSummary(status)}.`;
    }
    return `${name}: ${jobSummary(status)}.`;
  }

  // An import's errors, openable: the path and the reason of each (the first ones; all are in the log).
  function showErrors(status) {
    const result = status.result || {};
    const failures = Array.isArray(result.failures) ? result.failures : [];
    const block = $("maint-errors");
    block.hidden = !(status.kind === "import" && result.errors > 0);
    if (block.hidden) return;
    const more = result.errors > failures.length ? ` (the first ${failures.length} listed; all are in the log)` : "";
    $("maint-errors-heading").textContent = `Import #${status.job_id}: ${formatNumber(result.errors)} error(s)${more}`;
    $("maint-errors-list").replaceChildren(...failures.map((failure) => el("li", {},
      namedPath(null, failure.path, { className: "mono" }), el("span", { className: "result-reason", text: failure.reason }))));
  }

  async function follow(jobId) {
    state.jobId = jobId;
    setRunning(true);
    try {
      const status = await followJob(jobId, { every: POLL_MS, onStatus: (s) => showJobProgress("maint", s) });
      setRunning(false);
      $("maint-summary").textContent = summarize(status);
      showErrors(status);
      if (status.kind === "import") await loadPending(1);
      if (status.kind === "check" && endedWell(status.state)) {
        await openCheck(status);
      }
    } catch (err) {
      setRunning(false);
      showError(err);
    }
  }

  async function start(path, body) {
    try {
      const answer = await post(path, body);
      $("maint-summary").textContent = "";
      follow(answer.job_id);
    } catch (err) {
      showError(err);
    }
  }

  function renderCategories() {
    const box = $("maint-categories");
    box.replaceChildren();
    for (const category of CATEGORIES) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-secondary maint-category";
      button.dataset.category = category.key;
      button.title = category.description;
      button.setAttribute("aria-pressed", String(category.key === state.category));
      button.textContent = `${category.label} (${formatNumber(state.counts[category.key] || 0)})`;
      box.append(button);
    }
  }

  async function openCheck(status) {
    const counts = (status.result || {}).counts || {};
    state.checkId = status.job_id;
    state.page = 1;
    // Open on the first category that has entries.
    const first = CATEGORIES.find((c) => counts[c.key] > 0);
    if (first) state.category = first.key;
    $("maint-check-id").textContent = `#${status.job_id}`;
    $("maint-check-date").textContent = `· made ${formatDate(status.finished_at || status.created_at)}`;
    $("maint-results").hidden = false;
    await loadPage();
  }

  async function loadPage() {
    const started = performance.now();
    const request = ++state.requests;
    const data = await get(`/library/check/${state.checkId}/results`,
      { category: state.category, page: state.page, per_page: PER_PAGE });
    if (request !== state.requests) return; // a newer page was asked for meanwhile
    state.counts = data.counts;
    renderCategories();
    const body = $("maint-body");
    body.replaceChildren();
    for (const item of data.items) {
      const row = document.createElement("tr");
      row.dataset.category = state.category;
      if (state.category === "duplicate_targets") {
        // The links in one element: a phone's card keeps it beside the cell's label.
        const links = cell("", "small", 0);
        links.append(el("div", {}, ...item.links.map((link) => el("div", {}, namedPath(null, link, { className: "mono" })))));
        row.append(links, pathCell(item.target, 1), cell(`${item.verdict}: ${item.detail}`, null, 2));
        row.classList.add(`verdict-${item.verdict}`);
      } else {
        row.append(pathCell(item.path, 0), pathCell(item.target, 1), cell(item.detail, null, 2));
      }
      body.append(row);
    }
    const pages = Math.max(1, Math.ceil(data.total / PER_PAGE));
    $("maint-empty").hidden = data.items.length > 0;
    $("maint-page").textContent = `page ${state.page} of ${pages} (${data.total})`;
    $("maint-prev").disabled = state.page <= 1;
    $("maint-next").disabled = state.page >= pages;
    const category = CATEGORIES.find((c) => c.key === state.category);
    // What the category is, and the fix: a button where linkdoctor does it, words where only you can.
    $("maint-action").textContent = category
      ? `${category.label}: ${category.description}.${category.fix ? "" : ` What to do: ${category.action}.`}` : "";
    const fix = category && FIXES[category.fix];
    $("maint-fix").hidden = !fix || data.total === 0;
    if (fix) $("maint-fix").textContent = fix.text;
    document.body.dataset.maintLoadMs = String(Math.round(performance.now() - started));
  }

  async function loadPending(page = 1) {
    const data = await get("/library/pending", { page, per_page: PER_PAGE });
    state.pendingPage = page;
    $("maint-pending").hidden = data.total === 0;
    $("maint-pending-total").textContent = `(${data.total})`;
    const list = $("maint-pending-list");
    list.replaceChildren();
    for (const item of data.items) {
      list.append(el("li", {}, namedPath(null, item.path, { className: "mono" }),
        item.target ? el("span", { className: "muted" }, " → ", namedPath(null, item.target, { className: "mono" })) : null));
    }
    const pages = Math.max(1, Math.ceil(data.total / PER_PAGE));
    $("maint-pending-page").textContent = `page ${page} of ${pages}`;
    $("maint-pending-prev").disabled = page <= 1;
    $("maint-pending-next").disabled = page >= pages;
  }

  async function pendingTo(page) {
    try {
      await loadPending(page);
    } catch (err) {
      showError(err);
    }
  }

  async function pageTo(page) {
    state.page = page;
    try {
      await loadPage();
    } catch (err) {
      showError(err);
    }
  }

  $("maint-import").addEventListener("click", () => start("/library/import", { dry_run: $("maint-dry-run").checked }));
  $("maint-check").addEventListener("click", () => start("/library/check", { verify_hash: $("maint-verify-hash").checked }));
  $("maint-cancel").addEventListener("click", async () => {
    try {
      if (state.jobId) await post(`/jobs/${state.jobId}/cancel`);
    } catch (err) {
      showError(err);
    }
  });
  $("maint-categories").addEventListener("click", (event) => {
    const button = event.target.closest("[data-category]");
    if (!button) return;
    state.category = button.dataset.category;
    pageTo(1);
  });
  $("maint-pending-prev").addEventListener("click", () => pendingTo(state.pendingPage - 1));
  $("maint-pending-next").addEventListener("click", () => pendingTo(state.pendingPage + 1));
  $("maint-prev").addEventListener("click", () => pageTo(state.page - 1));
  $("maint-next").addEventListener("click", () => pageTo(state.page + 1));
  $("maint-fix").addEventListener("click", () => {
    const category = CATEGORIES.find((c) => c.key === state.category);
    if (category && FIXES[category.fix]) FIXES[category.fix].run();
  });

  async function tabShown() {
    if (state.loaded) return;
    state.loaded = true;
    try {
      await loadPending(1);
      const [imports, checks] = await Promise.all([
        get("/jobs", { kind: "import", limit: 1 }), get("/jobs", { kind: "check", limit: 1 }),
      ]);
      const active = [...imports.active, ...checks.active][0];
      if (active) {
        follow(active.job_id);
        return;
      }
      const lastImport = imports.jobs[0];
      if (lastImport && endedWell(lastImport.state)) showErrors(lastImport);
      const last = checks.jobs[0];
      if (last && endedWell(last.state)) {
        $("maint-summary").textContent = summarize(last);
        await openCheck(last);
      }
    } catch (err) {
      showError(err);
    }
  }

  return { tabShown };
}
