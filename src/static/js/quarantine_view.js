// The Quarantine tab: every link in the quarantine whatever scan removed it, with its age and when
// retention purges it. Search it, narrow it to a scan or a category, choose rows (or every row the
// filter matches), restore them or purge what is past retention; the result shows next to the buttons.
// A restore or a purge changes the library: it is announced as a "linkdoctor:library-changed" event
// on window ({detail: {action, count}}), which the other views listen to for their counts.

import { get, post } from "./api.js";
import { el, formatDate, formatNumber, namedPath } from "./format.js";
import { categoryOf } from "./vocabulary.js";

const PER_PAGE = 50;
const SEARCH_DELAY_MS = 250;
export const LIBRARY_CHANGED = "linkdoctor:library-changed";

// Tell the other views that links moved (restored, purged, repaired, undone): their counts are stale.
export function announceLibraryChange(action, count) {
  window.dispatchEvent(new CustomEvent(LIBRARY_CHANGED, { detail: { action, count } }));
}

// ctx: showError(err).
export function initQuarantineView(ctx) {
  const $ = (id) => document.getElementById(id);
  const state = { page: 1, pages: 1, total: 0, chosen: new Set(), mediaRoot: "", requests: 0, timer: null };

  function filters() {
    return { q: $("qv-search").value.trim(), scan_id: $("qv-scan").value, category: $("qv-category").value };
  }

  function updateChosen() {
    const count = state.chosen.size;
    $("qv-restore").disabled = count === 0;
    $("qv-restore").textContent = count ? `Restore ${formatNumber(count)} chosen` : "Restore chosen";
    $("qv-chosen").textContent = count ? `${formatNumber(count)} of ${formatNumber(state.total)} chosen` : "";
    const all = $("qv-select-all");
    all.checked = state.total > 0 && count >= state.total;
    all.indeterminate = count > 0 && count < state.total;
  }

  function row(item) {
    const box = el("input", {
      type: "checkbox", className: "quarantine-pick", dataset: { id: String(item.id) },
      "aria-label": `Choose ${item.original_path} to restore`,
      onchange: (event) => {
        if (event.target.checked) state.chosen.add(item.id);
        else state.chosen.delete(item.id);
        updateChosen();
      },
    });
    box.checked = state.chosen.has(item.id);
    const category = categoryOf(item.category);
    return el("tr", { dataset: { entryId: String(item.id) } },
      el("td", { dataset: { label: "Restore" } }, box),
      el("td", { className: "small", dataset: { label: "Link" } },
        namedPath(state.mediaRoot, item.original_path, { className: "mono" })),
      el("td", { dataset: { label: "Category" } },
        el("span", { className: `category category-${item.category}`, text: category ? category.label : item.category })),
      // Scan 0: moved by repair-links (a link without candidate sent to the quarantine), not by a scan.
      el("td", { dataset: { label: "Scan" }, text: item.scan_id ? `#${item.scan_id}` : "repair-links" }),
      el("td", { dataset: { label: "Removed" }, text: formatDate(item.created_at) }),
      el("td", { className: "num", dataset: { label: "Age" }, text: `${formatNumber(Math.floor(item.age_days))} d` }),
      el("td", { dataset: { label: "Purged after" }, text: formatDate(item.purge_after) }));
  }

  // The scan and category filters, from what is in the quarantine (with counts); the choice is kept.
  function renderFacets(data) {
    const scan = $("qv-scan");
    const category = $("qv-category");
    const keep = [scan.value, category.value];
    scan.replaceChildren(el("option", { value: "", text: "All scans" }), ...data.scans.map((s) => el("option", {
      value: String(s.value), text: `${s.value ? `Scan #${s.value}` : "repair-links"} (${formatNumber(s.count)})` })));
    category.replaceChildren(el("option", { value: "", text: "All categories" }), ...data.categories.map((c) => {
      const known = categoryOf(c.value);
      return el("option", { value: c.value, text: `${known ? known.label : c.value} (${formatNumber(c.count)})` });
    }));
    [scan.value, category.value] = keep;
    // A filtered value no longer in the quarantine falls back to "all": the select says what is applied.
    if (scan.value !== keep[0]) scan.value = "";
    if (category.value !== keep[1]) category.value = "";
  }

  async function load() {
    const request = ++state.requests;
    try {
      const data = await get("/quarantine", { page: state.page, per_page: PER_PAGE, ...filters() });
      if (request !== state.requests) return; // a newer filter or page was asked for meanwhile
      state.pages = Math.max(1, data.pages);
      state.total = data.total;
      state.mediaRoot = data.media_root || state.mediaRoot;
      renderFacets(data);
      $("qv-body").replaceChildren(...data.items.map(row));
      $("qv-table").hidden = data.total === 0;
      $("qv-empty").hidden = data.total > 0;
      const narrowed = filters().q || filters().scan_id || filters().category;
      $("qv-empty").textContent = narrowed ? "Nothing in the quarantine matches." : "Nothing in the quarantine.";
      $("qv-summary").textContent = `${formatNumber(data.total)} link(s)${narrowed ? " match" : " in the quarantine"}; ` +
        `kept ${data.retention_days} day(s).`;
      $("qv-count").textContent = `(${formatNumber(data.total)})`;
      $("qv-page").textContent = `page ${data.page} of ${state.pages}`;
      $("qv-prev").disabled = data.page <= 1;
      $("qv-next").disabled = data.page >= state.pages;
      $("qv-select-all-label").textContent = narrowed
        ? `Choose all ${formatNumber(data.total)} that match` : `Choose all ${formatNumber(data.total)}`;
      $("qv-select-all").disabled = data.total === 0;
      updateChosen();
    } catch (err) {
      ctx.showError(err);
    }
  }

  // A new filter starts on page 1 with nothing chosen: a choice never hides behind a filter.
  function refilter() {
    state.page = 1;
    state.chosen.clear();
    load();
  }

  async function selectAll(checked) {
    if (!checked) {
      state.chosen.clear();
    } else {
      try {
        const { ids } = await get("/quarantine/ids", filters());
        state.chosen = new Set(ids);
      } catch (err) {
        ctx.showError(err);
      }
    }
    for (const box of document.querySelectorAll("#qv-body input.quarantine-pick")) {
      box.checked = state.chosen.has(Number(box.dataset.id));
    }
    updateChosen();
  }

  function say(text, ok) {
    const result = $("qv-result");
    result.textContent = text;
    result.className = `banner inline-banner ${ok ? "banner-ok" : "banner-warning"}`;
    result.hidden = false;
  }

  async function restoreChosen() {
    const ids = [...state.chosen];
    $("qv-restore").disabled = true;
    try {
      const result = await post("/quarantine/restore", { ids });
      say(`Restored ${formatNumber(result.restored)} link(s).` + (result.conflicts.length
        ? ` Not restored: ${result.conflicts.map((c) => `${c.path} (${c.reason})`).join("; ")}.` : ""),
      result.conflicts.length === 0);
      if (result.restored) announceLibraryChange("restored", result.restored);
    } catch (err) {
      say(err.message, false);
    }
    state.chosen.clear();
    await load();
  }

  async function purge() {
    if (!window.confirm("Delete for good the quarantined links older than the retention? They cannot be restored afterwards.")) return;
    try {
      const result = await post("/quarantine/purge", {});
      say(`Purged ${formatNumber(result.purged)} link(s) older than ${result.older_than_days} day(s).`, true);
      if (result.purged) announceLibraryChange("purged", result.purged);
    } catch (err) {
      say(err.message, false);
    }
    await load();
  }

  $("qv-search").addEventListener("input", () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(refilter, SEARCH_DELAY_MS);
  });
  $("qv-scan").addEventListener("change", refilter);
  $("qv-category").addEventListener("change", refilter);
  $("qv-select-all").addEventListener("change", (event) => selectAll(event.target.checked));
  $("qv-restore").addEventListener("click", restoreChosen);
  $("qv-purge").addEventListener("click", purge);
  $("qv-prev").addEventListener("click", () => { state.page = Math.max(1, state.page - 1); load(); });
  $("qv-next").addEventListener("click", () => { state.page = Math.min(state.pages, state.page + 1); load(); });
  return { load };
}
