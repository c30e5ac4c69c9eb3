// The Scanner tab's findings table of one scan: category filter, paging, rows per page, the rows.
// The real-mode panels add their marks to the rows (a checkbox, tags) through `ctx.marks`.
// API strings only ever reach the page through textContent, never as HTML.

import { get } from "./api.js";
import { initFindingDetails } from "./finding_details.js";
import { el, formatCount, formatDate, formatNumber, namedPath, relativeTo, setStatusPill } from "./format.js";
import { CATEGORY_KEYS, VOCABULARY } from "./vocabulary.js";

// ctx: showError(err), mediaRoot(), marks: {
//   selecting(): whether the rows carry checkboxes now,
//   checkbox(item): a proposed row's checkbox, or null,
//   unselected(item): whether the row is a proposed one the user unticked,
//   tags(item): [className, text] of the tags under its detail }.
// Returns {open, load, scanId}: scanId() is the scan whose findings are shown (null before any).
// Rows are one line each on a desktop, two on a phone (the name, then the category and detail); the
// file name is never cut, the folder before it shrinks (format.js namedPath), the full path is in the
// tooltip and the details panel. The source is said once per group of rows into it.
export function initFindings(ctx) {
  const $ = (id) => document.getElementById(id);
  const details = initFindingDetails(ctx);
  const shown = {
    scanId: null, category: "", page: 1, perPage: VOCABULARY.per_page.default, q: "", sort: "", order: "asc",
    requestNo: 0, pages: 1,
  };

  // The view is kept in the address (#/scanner/scan/12?category=broken&page=3&per_page=100&q=dune):
  // a reload, Back and a shared link bring the same view.
  function viewHash() {
    const query = new URLSearchParams();
    if (shown.category) query.set("category", shown.category);
    if (shown.page > 1) query.set("page", String(shown.page));
    if (shown.perPage !== VOCABULARY.per_page.default) query.set("per_page", String(shown.perPage));
    if (shown.q) query.set("q", shown.q);
    if (shown.sort) query.set("sort", shown.sort);
    if (shown.order !== "asc") query.set("order", shown.order);
    const text = query.toString();
    return `#/scanner/scan/${shown.scanId}${text ? "?" + text : ""}`;
  }

  function remember() {
    if (shown.scanId === null || document.body.dataset.tab !== "scanner") return;
    const hash = viewHash();
    if (window.location.hash === hash) return;
    // A change within this scan's findings is a step Back can undo; showing a scan is not.
    const sameScan = window.location.hash.startsWith(`#/scanner/scan/${shown.scanId}`);
    if (sameScan) history.pushState(null, "", hash);
    else history.replaceState(null, "", hash);
  }

  // Take a view from the address (category, page, per_page, q, sort, order) before open()/load().
  function setView(params) {
    const category = params.get("category") || "";
    shown.category = CATEGORY_KEYS.includes(category) ? category : "";
    shown.page = Math.max(1, Number.parseInt(params.get("page") || "1", 10) || 1);
    const perPage = Number.parseInt(params.get("per_page") || "", 10);
    shown.perPage = VOCABULARY.per_page.choices.includes(perPage) ? perPage : VOCABULARY.per_page.default;
    shown.q = (params.get("q") || "").slice(0, 500);
    shown.sort = ["path", "category", "target"].includes(params.get("sort")) ? params.get("sort") : "";
    shown.order = params.get("order") === "desc" ? "desc" : "asc";
    syncControls();
  }

  function syncControls() {
    $("findings-category").value = shown.category;
    $("findings-per-page").value = String(shown.perPage);
    $("findings-q").value = shown.q;
    $("findings-sort").value = shown.sort;
    $("findings-order").value = shown.order;
    showFilterCount();
  }

  // On a phone the toolbar hides behind its Filter button, which says how many choices are on.
  function showFilterCount() {
    const on = [shown.q, shown.sort, shown.category].filter(Boolean).length;
    $("findings-filter-count").textContent = on ? String(on) : "";
    $("findings-filter-count").hidden = !on;
  }

  // Show this scan's heading and mark the table busy; load() then fills it.
  function open(status, { keepPage = false, keepView = false } = {}) {
    if (shown.scanId !== status.scan_id && !keepView) {
      Object.assign(shown, { category: "", q: "", sort: "", order: "asc" });
      syncControls();
    }
    shown.scanId = status.scan_id;
    if (!keepPage && !keepView) shown.page = 1;
    $("findings-scan-id").textContent = `#${status.scan_id}`;
    setStatusPill($("findings-status"), status.status);
    $("findings-status").title = `${formatDate(status.scan_date)} · ${status.mode} · ${status.verification_depth}`;
    $("findings-block").setAttribute("aria-busy", "true");
    $("findings-block").hidden = false;
  }

  async function load() {
    const mine = ++shown.requestNo;
    const body = $("findings-body");
    $("findings-block").setAttribute("aria-busy", "true");
    try {
      const data = await get(`/scan/${shown.scanId}/findings`, {
        category: shown.category, page: shown.page, per_page: shown.perPage,
        q: shown.q, sort: shown.sort, order: shown.sort ? shown.order : "",
      });
      if (mine !== shown.requestNo) return;
      if (data.pages > 0 && shown.page > data.pages) {
        shown.page = data.pages;
        load();
        return;
      }
      render(data);
      remember();
    } catch (err) {
      if (mine !== shown.requestNo) return;
      body.replaceChildren();
      ctx.showError(err);
    } finally {
      if (mine === shown.requestNo) $("findings-block").setAttribute("aria-busy", "false");
    }
  }

  function categoryCell(item) {
    const chip = el("span", { className: `category category-${item.category}`, text: item.category });
    const cell = el("td", { className: "finding-category", dataset: { label: "Category" } });
    const box = ctx.marks.checkbox(item);
    cell.append(box ? el("label", { className: "propose-label" }, box, chip) : chip);
    return cell;
  }

  let lastPage = null;
  // The findings page names the media root it is relative to; the tree's answer may come later.
  const rootOf = () => (lastPage && lastPage.media_root) || ctx.mediaRoot();

  // The file name whole, the folder before it shortened from its start; the full path as the tooltip.
  function pathCell(className, label, root, path, full) {
    return el("td", { className: `mono path ${className}`, dataset: { label }, title: full || null },
      path ? namedPath(root, path, { full }) : el("span", { className: "muted", text: "—" }));
  }

  // The source heads the group: a target inside it is shown from there on.
  function underSource(item) {
    const source = (item.source || "").replace(/\/+$/, "");
    return source && item.target && item.target.startsWith(source + "/") ? item.target.slice(source.length + 1) : item.target;
  }

  function row(item) {
    const mediaRoot = rootOf();
    // The real-mode marks first, short words with their meaning in the tooltip: on a one-line row
    // the detail's end may be cut, never a mark; the detail keeps most of the column.
    const detail = el("td", { className: "finding-detail", dataset: { label: "Detail" }, title: item.detail || null },
      ...ctx.marks.tags(item).map(([className, text, title]) => el("span", { className: `tag ${className}`, text, title })),
      el("span", { className: "finding-detail-text", text: item.detail || "" }));
    const open = el("button", {
      type: "button", className: "btn btn-secondary btn-small finding-open", text: "Details",
      "aria-label": `Details of ${relativeTo(mediaRoot, item.path)}`,
      onclick: () => details.open(shown.scanId, item.id),
    });
    const tr = el("tr", {
      className: "finding-row" + (ctx.marks.unselected(item) ? " unselected" : ""),
      dataset: { category: item.category, findingId: item.id, proposed: String(Boolean(item.proposed)) },
    },
    categoryCell(item),
    pathCell("finding-path", "Link", mediaRoot, item.path, item.path),
    pathCell("finding-target", "Target", null, underSource(item), item.target),
    detail,
    el("td", { className: "finding-actions" }, open));
    // A click anywhere on the row but its checkbox opens the details, as in Sonarr's tables.
    tr.addEventListener("click", (event) => {
      if (event.target.closest("input, label, button, a")) return;
      details.open(shown.scanId, item.id);
    });
    return tr;
  }

  // Rows into the same source come in runs: the source is said once above each run.
  function withSourceGroups(items) {
    const rows = [];
    let source = null;
    for (const item of items) {
      if (item.source !== source) {
        source = item.source;
        rows.push(el("tr", { className: "source-row" },
          el("th", { scope: "colgroup", colspan: "5", className: "mono small" },
            el("span", { className: "muted", text: "source " }), source ? namedPath(null, source) : "unknown")));
      }
      rows.push(row(item));
    }
    return rows;
  }

  // One chip per category with its count (over the search, whatever category is shown):
  // choosing one shows only it, choosing it again shows all.
  function renderCounts(counts) {
    const total = Object.values(counts || {}).reduce((sum, n) => sum + n, 0);
    const chip = (key, label, count) => el("button", {
      type: "button", className: `count-chip${key ? ` category-${key}` : ""}`,
      "aria-pressed": String(shown.category === key), dataset: { category: key },
      // (Boolean: the "all" chip's key is "", and an attribute of "" would still disable it.)
      disabled: Boolean(key) && !count && shown.category !== key,
      onclick: () => pickCategory(shown.category === key ? "" : key),
    }, el("span", { text: label }), el("span", { className: "num", text: formatNumber(count) }));
    $("findings-counts").replaceChildren(
      chip("", "all", total),
      ...VOCABULARY.categories.map((c) => chip(c.key, c.label, (counts || {})[c.key] || 0)));
  }

  function pickCategory(category) {
    shown.category = category;
    shown.page = 1;
    syncControls();
    load();
  }

  // Paths are shown relative to the media root, which arrives with the folder tree; a page
  // of findings that came first is drawn again once it is known.
  function rerender() {
    if (lastPage && !lastPage.media_root) render(lastPage);
  }

  function render(data) {
    lastPage = data;
    showFilterCount();
    const items = Array.isArray(data.items) ? data.items : [];
    const mediaRoot = rootOf();
    $("findings-body").replaceChildren(...withSourceGroups(items));
    renderCounts(data.counts);
    $("findings-table").classList.toggle("selecting", ctx.marks.selecting());
    const pages = Math.max(1, data.pages || 0);
    const what = shown.category ? ` in category ${shown.category}` : "";
    $("findings-total").textContent = `${formatCount(data.total, "finding")}${what}`;
    $("findings-empty").hidden = items.length > 0;
    $("findings-empty").textContent = shown.category ? `No ${shown.category} findings.` : "No findings: every link looked healthy.";
    $("findings-table").hidden = items.length === 0;
    $("findings-root").hidden = !mediaRoot;
    $("findings-root").textContent = mediaRoot ? `Links are shown relative to the media folder ${mediaRoot}` : "";
    shown.pages = pages;
    $("findings-page").textContent = `page ${data.page} of ${pages}`;
    $("findings-prev").disabled = $("findings-first").disabled = data.page <= 1;
    $("findings-next").disabled = $("findings-last").disabled = data.page >= pages;
    renderPageNumbers(data.page, pages);
  }

  // A few page numbers around the current one, and the first and last.
  function renderPageNumbers(current, pages) {
    const numbers = new Set([1, pages, current - 2, current - 1, current, current + 1, current + 2]);
    const shownNumbers = [...numbers].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
    const nodes = [];
    shownNumbers.forEach((n, index) => {
      if (index > 0 && n - shownNumbers[index - 1] > 1) nodes.push(el("span", { className: "muted", text: "…" }));
      nodes.push(el("button", {
        type: "button", className: "btn btn-secondary btn-small page-number", text: String(n),
        "aria-label": `Page ${n}`, "aria-current": n === current ? "page" : null,
        dataset: { page: String(n) }, onclick: () => goTo(n),
      }));
    });
    $("findings-pages").replaceChildren(...nodes);
  }

  function goTo(page) {
    shown.page = Math.max(1, Math.min(page, shown.pages));
    load();
  }

  $("findings-category").addEventListener("change", (e) => pickCategory(e.target.value));
  $("findings-filter").addEventListener("click", (e) => {
    const open = e.currentTarget.getAttribute("aria-expanded") !== "true";
    e.currentTarget.setAttribute("aria-expanded", String(open));
    $("findings-controls").classList.toggle("is-open", open);
    if (open) $("findings-q").focus();
  });
  $("findings-per-page").addEventListener("change", (e) => {
    shown.perPage = Number(e.target.value) || VOCABULARY.per_page.default;
    shown.page = 1;
    load();
  });
  $("findings-prev").addEventListener("click", () => {
    if (shown.page > 1) { shown.page -= 1; load(); }
  });
  $("findings-next").addEventListener("click", () => { shown.page += 1; load(); });
  $("findings-first").addEventListener("click", () => goTo(1));
  $("findings-last").addEventListener("click", () => goTo(shown.pages));
  let typing = null;
  $("findings-q").addEventListener("input", (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      shown.q = e.target.value.trim();
      shown.page = 1;
      load();
    }, 300); // searched on the server once typing pauses
  });
  $("findings-sort").addEventListener("change", (e) => {
    shown.sort = e.target.value;
    shown.page = 1;
    load();
  });
  $("findings-order").addEventListener("change", (e) => {
    shown.order = e.target.value;
    shown.page = 1;
    load();
  });

  return { open, load, rerender, setView, mediaRoot: rootOf, scanId: () => shown.scanId };
}
