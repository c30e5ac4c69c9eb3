// The Dashboard's Quarantine: every link in the quarantine whatever scan removed it, with its
// age and when retention purges it; restore the chosen ones, or purge what is past retention.

import { get, post } from "./api.js";
import { el, formatDate, formatNumber, pathWithBreaks } from "./format.js";

const PER_PAGE = 50;

// ctx: showError(err), changed() (the history and banners may need a refresh).
export function initQuarantineView(ctx) {
  const $ = (id) => document.getElementById(id);
  const state = { page: 1, pages: 1, chosen: new Set() };

  function row(item) {
    const box = el("input", {
      type: "checkbox", className: "quarantine-pick", dataset: { id: String(item.id) },
      "aria-label": `Choose ${item.original_path} to restore`,
      onchange: (event) => {
        if (event.target.checked) state.chosen.add(item.id);
        else state.chosen.delete(item.id);
        $("qv-restore").disabled = state.chosen.size === 0;
      },
    });
    box.checked = state.chosen.has(item.id);
    return el("tr", { dataset: { entryId: String(item.id) } },
      el("td", { dataset: { label: "Restore" } }, box),
      el("td", { className: "mono path", dataset: { label: "Link" } }, pathWithBreaks(item.original_path)),
      el("td", { dataset: { label: "Category" } }, el("span", { className: `category category-${item.category}`, text: item.category })),
      // Scan 0: moved by repair-links (a link without candidate sent to the quarantine), not by a scan.
      el("td", { dataset: { label: "Scan" }, text: item.scan_id ? `#${item.scan_id}` : "repair-links" }),
      el("td", { dataset: { label: "Removed" }, text: formatDate(item.created_at) }),
      el("td", { className: "num", dataset: { label: "Age" }, text: `${formatNumber(Math.floor(item.age_days))} d` }),
      el("td", { dataset: { label: "Purged after" }, text: formatDate(item.purge_after) }));
  }

  async function load() {
    try {
      const data = await get("/quarantine", { page: state.page, per_page: PER_PAGE });
      state.pages = Math.max(1, data.pages);
      $("qv-body").replaceChildren(...data.items.map(row));
      $("qv-table").hidden = data.total === 0;
      $("qv-empty").hidden = data.total > 0;
      $("qv-summary").textContent = `${formatNumber(data.total)} link(s) in the quarantine; kept ${data.retention_days} day(s).`;
      $("qv-page").textContent = `page ${data.page} of ${state.pages}`;
      $("qv-prev").disabled = data.page <= 1;
      $("qv-next").disabled = data.page >= state.pages;
      $("qv-restore").disabled = state.chosen.size === 0;
    } catch (err) {
      ctx.showError(err);
    }
  }

  async function restoreChosen() {
    const ids = [...state.chosen];
    $("qv-restore").disabled = true;
    try {
      const result = await post("/quarantine/restore", { ids });
      $("qv-result").textContent = `Restored ${result.restored} link(s).` + (result.conflicts.length
        ? ` Not restored: ${result.conflicts.map((c) => `${c.path} (${c.reason})`).join("; ")}.` : "");
    } catch (err) {
      $("qv-result").textContent = err.message;
    }
    $("qv-result").hidden = false;
    state.chosen.clear();
    await load();
    ctx.changed();
  }

  async function purge() {
    if (!window.confirm("Delete for good the quarantined links older than the retention? They cannot be restored afterwards.")) return;
    try {
      const result = await post("/quarantine/purge", {});
      $("qv-result").textContent = `Purged ${result.purged} link(s) older than ${result.older_than_days} day(s).`;
      $("qv-result").hidden = false;
    } catch (err) {
      ctx.showError(err);
    }
    await load();
  }

  $("qv-restore").addEventListener("click", restoreChosen);
  $("qv-purge").addEventListener("click", purge);
  $("qv-prev").addEventListener("click", () => { state.page = Math.max(1, state.page - 1); load(); });
  $("qv-next").addEventListener("click", () => { state.page = Math.min(state.pages, state.page + 1); load(); });
  return { load };
}
