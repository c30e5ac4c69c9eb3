// The Maintenance tab's repair blocks, a worklist. Two listings, each a job: broken links (their target
// is missing) and shared wrong targets (links whose names say different items but point at one file).
// A listing is paged from the server under three groups, "Ready" (one clear candidate), "Ambiguous" (a
// choice to make) and "No candidate"; accept or reject per link, or accept every ready one after a
// question that shows the count and the first of them. Below, the repairs made so far, grouped by batch
// (the apply job that made them), each batch and each repair with its Undo while it stands.

import { get, post } from "./api.js";
import { el, formatDate, formatNumber, namedPath, statusLabel } from "./format.js";
import { createPoller, followJob } from "./poller.js";
import { endedWell, jobName } from "./vocabulary.js";

const POLL_MS = 500;
const PER_PAGE = 25;
const PREVIEW_ROWS = 5;
const REPAIRS_PER_PAGE = 20;
const KINDS = {
  broken: { noun: "broken link(s)", button: "repair-list" },
  shared: { noun: "link(s) sharing a wrong target", button: "repair-list-shared" },
};
const GROUPS = [
  { key: "ready", label: "Ready", empty: "No link has one clear candidate." },
  { key: "ambiguous", label: "Ambiguous", empty: "No link needs a choice." },
  { key: "no_candidate", label: "No candidate", empty: "Every link has a candidate." },
];
const BUTTONS = ["repair-list", "repair-list-shared", "repair-accept-all"];

function $(id) {
  return document.getElementById(id);
}

// The column's name beside each cell when a table becomes cards on a phone.
function labelled(row, labels) {
  [...row.children].forEach((td, index) => { if (labels[index]) td.dataset.label = labels[index]; });
  return row;
}

// ctx: showError(err), changed(what) (the library changed: other views refresh their counts).
export function initRepair({ showError, changed = () => {} }) {
  // Links are shown relative to the media root (as in the findings); their targets, outside it, in full.
  const state = { kind: "broken", jobId: null, group: "ready", page: 1, pages: 1, counts: {},
                  rejected: new Set(), repairsPage: 1, mediaRoot: "", requests: 0 };

  async function runJob(path, body) {
    for (const id of BUTTONS) $(id).disabled = true;
    try {
      const { job_id: jobId } = await post(path, body);
      return await followJob(jobId, {
        every: POLL_MS,
        onStatus: (status) => {
          $("repair-status").textContent = `${jobName("repair", jobId)}: ${Math.round(status.progress || 0)} % ${status.message || ""}`;
        },
      });
    } finally {
      for (const id of BUTTONS) $(id).disabled = false;
      $("repair-accept-all").disabled = !state.counts.ready;
    }
  }

  // The candidates as a list of choices, each by its file name (never cut) and its score.
  function candidateChoice(link, index) {
    if (!link.candidates.length) return el("td", { className: "muted", text: "no candidate" });
    const list = el("div", { className: "repair-candidates", role: "radiogroup",
                             "aria-label": `Candidates for ${link.path}` });
    link.candidates.forEach((candidate, position) => {
      const radio = el("input", { type: "radio", name: `repair-pick-${index}`, value: candidate.path,
                                  className: "repair-candidate" });
      radio.checked = position === 0;
      list.append(el("label", { className: "repair-choice" }, radio,
        namedPath(null, candidate.path, { className: "mono small" }),
        el("span", { className: "repair-score", text: `${formatNumber(candidate.score)}` })));
    });
    return el("td", {}, list);
  }

  function linkRow(link, index) {
    const row = el("tr", { dataset: { path: link.path, verdict: link.verdict } });
    const now = state.kind === "broken" ? "was" : "now";
    // What the link points at: the missing file it meant, or the wrong file it shares.
    const path = el("td", { className: "small" }, el("div", { className: "repair-link" }, // one element: a phone's card
      namedPath(state.mediaRoot, link.path, { className: "mono" }),
      el("div", { className: "muted repair-was" }, `${now} → `, namedPath(null, link.target, { className: "mono" }))));
    const buttons = el("div", { className: "actions" }); // one element: a phone's card keeps it beside its label
    if (link.candidates.length) {
      buttons.append(el("button", {
        type: "button", className: "btn repair-accept", text: "Accept",
        onclick: () => acceptOne(link, row.querySelector("input.repair-candidate:checked").value),
      }));
    }
    buttons.append(el("button", {
      type: "button", className: "btn btn-secondary repair-reject", text: "Reject",
      onclick: () => {
        state.rejected.add(link.path);
        row.remove();
      },
    }));
    row.append(path, candidateChoice(link, index), el("td", { text: link.verdict.replace("_", " ") }),
      el("td", {}, buttons));
    return labelled(row, ["Link", "Candidate (score)", "Verdict", "Action"]);
  }

  function renderGroups() {
    $("repair-groups").hidden = state.jobId === null;
    $("repair-groups").replaceChildren(...GROUPS.map((group) => el("button", {
      type: "button", className: "btn btn-secondary btn-small repair-group", dataset: { group: group.key },
      "aria-pressed": String(group.key === state.group),
      text: `${group.label} (${formatNumber(state.counts[group.key] || 0)})`,
    })));
  }

  // One page of the chosen group, from the server: the page never holds the whole listing.
  async function loadPage() {
    const request = ++state.requests;
    const data = await get(`/repair/proposals/${state.jobId}`,
      { group: state.group, page: state.page, per_page: PER_PAGE });
    if (request !== state.requests) return; // a newer page was asked for meanwhile
    state.counts = data.counts;
    state.pages = Math.max(1, data.pages);
    state.mediaRoot = data.media_root;
    if (state.page > state.pages) {
      state.page = state.pages;
      await loadPage();
      return;
    }
    renderGroups();
    const shown = data.items.filter((link) => !state.rejected.has(link.path));
    const offset = (state.page - 1) * PER_PAGE;
    $("repair-body").replaceChildren(...shown.map((link, index) => linkRow(link, offset + index)));
    $("repair-table-wrap").hidden = shown.length === 0;
    $("repair-empty").hidden = shown.length > 0;
    $("repair-empty").textContent = GROUPS.find((g) => g.key === state.group).empty;
    $("repair-pager").hidden = state.pages <= 1;
    $("repair-page").textContent = `page ${state.page} of ${state.pages} (${formatNumber(data.total)})`;
    $("repair-prev").disabled = state.page <= 1;
    $("repair-next").disabled = state.page >= state.pages;
    $("repair-accept-all").disabled = !state.counts.ready;
  }

  async function show(group, page = 1) {
    state.group = group;
    state.page = page;
    try {
      await loadPage();
    } catch (err) {
      showError(err);
    }
  }

  function renderLegitimate(result) {
    const block = $("repair-legitimate");
    block.hidden = !result.legitimate_total;
    if (!result.legitimate_total) return;
    $("repair-legitimate-summary").textContent = `${result.legitimate_total} target(s) shared by links to the ` +
      "same item (the same movie or episode in several folders): left as they are.";
    $("repair-legitimate-list").replaceChildren(...result.legitimate.map((group) => el("li", {},
      namedPath(null, group.target, { className: "mono" }), el("span", { className: "muted" }, ` ← ${group.links.length} links`))));
  }

  async function list(kind = "broken") {
    try {
      const status = await runJob("/repair/proposals", { kind });
      if (!endedWell(status.state)) {
        $("repair-status").textContent = `${jobName("repair", status.job_id)} ${statusLabel(status.state)}: ${status.message || ""}`;
        return;
      }
      const result = status.result;
      state.kind = kind;
      state.jobId = status.job_id;
      state.rejected.clear();
      const counts = result.counts;
      const ignored = result.ignored ? ` ${formatNumber(result.ignored)} ignored link(s) left out.` : "";
      $("repair-status").textContent = `${result.total} ${KINDS[kind].noun}: ${counts.repair} unambiguous, ` +
        `${counts.ambiguous} ambiguous, ${counts.below_threshold} below the threshold, ` +
        `${counts.no_candidate} without candidate.${ignored}`;
      $("repair-accept-all").textContent = kind === "broken"
        ? "Accept all unambiguous…" : "Accept all unambiguous (shared targets)…";
      renderLegitimate(result);
      // Open on the first group with links: the ready ones first.
      const first = GROUPS.find((g) => (g.key === "ready" ? counts.repair
        : g.key === "ambiguous" ? counts.ambiguous + counts.below_threshold : counts.no_candidate) > 0);
      await show(first ? first.key : "ready");
    } catch (err) {
      showError(err);
    }
  }

  async function applied(status) {
    const result = status.result || {};
    const done = (result.repaired || []).length;
    $("repair-status").textContent = endedWell(status.state)
      ? `${formatNumber(done)} link(s) repaired, ${formatNumber((result.skipped || []).length)} skipped.`
      : `${jobName("repair", status.job_id)} ${statusLabel(status.state)}: ${status.message || ""}`;
    if (state.jobId !== null) await show(state.group, state.page); // the repaired links leave the worklist
    if (endedWell(status.state) && done) {
      followUp(status.job_id);
      loadRepairs(1);
      changed("repaired");
    }
  }

  function sayFollowUp(then) {
    if (then.state === "off") return; // no Sonarr/Radarr enabled: nothing to say
    $("repair-followup").textContent = then.state === "started"
      ? `Sonarr/Radarr: rescan of the repaired items started (job #${then.job_id}).`
      : `Sonarr/Radarr: ${then.message}`;
    $("repair-followup").hidden = false;
  }

  // Once the repair has freed the library, Sonarr/Radarr are asked to rescan what it changed; the
  // job's result says so (as "then") a moment after it completed.
  function followUp(jobId) {
    let tries = 0;
    createPoller({
      every: POLL_MS,
      ask: () => get(`/jobs/${jobId}`),
      seen: (status) => {
        const then = status.result && status.result.then;
        if (then) sayFollowUp(then);
        tries += 1;
        return !then && tries < 10;
      },
      failed: () => (tries += 1) < 10,
    }).start(POLL_MS);
  }

  async function acceptOne(link, target) {
    try {
      await applied(await runJob("/repair/apply", { kind: state.kind, items: [{ path: link.path, target }] }));
    } catch (err) {
      showError(err);
    }
  }

  // "Accept all unambiguous" asks first: how many links, and the first of them with the file each gets.
  async function askAcceptAll() {
    if (state.jobId === null) return;
    try {
      const data = await get(`/repair/proposals/${state.jobId}`, { group: "ready", page: 1, per_page: PREVIEW_ROWS });
      const count = data.counts.ready;
      if (!count) return;
      $("repair-accept-text").textContent = `Re-point ${formatNumber(count)} link(s) at the one clear candidate ` +
        "each has? Nothing changes until you answer; every repair can be undone afterwards, one by one or the whole batch.";
      $("repair-accept-preview").replaceChildren(...data.items.map((link) => el("li", {},
        namedPath(data.media_root, link.path, { className: "mono" }), el("span", { className: "muted" }, " → "),
        namedPath(null, link.candidates[0].path, { className: "mono" }))));
      $("repair-accept-more").textContent = count > data.items.length
        ? `… and ${formatNumber(count - data.items.length)} more (the "Ready" list).` : "";
      $("repair-accept-yes").textContent = `Re-point ${formatNumber(count)} link(s)`;
      $("repair-accept-dialog").showModal();
      $("repair-accept-no").focus();
    } catch (err) {
      showError(err);
    }
  }

  async function acceptAll() {
    $("repair-accept-dialog").close();
    try {
      await applied(await runJob("/repair/apply", { kind: state.kind, unambiguous: true }));
    } catch (err) {
      showError(err);
    }
  }

  // -- the repairs made so far, by batch ----------------------------------------

  function repairRow(entry) {
    const standing = entry.state === "repaired";
    const action = standing
      ? el("button", { type: "button", className: "btn btn-secondary btn-small repair-undo", text: "Undo",
                       onclick: (event) => undo(entry, event.currentTarget) })
      : el("span", { className: "muted", text: "undone" });
    const row = el("tr", { dataset: { repairId: entry.id, path: entry.path, state: entry.state, jobId: entry.job_id ?? "" } },
      el("td", { text: formatDate(entry.created_at) }),
      el("td", { className: "small" }, namedPath(state.mediaRoot, entry.path, { className: "mono" })),
      el("td", { className: "small" }, namedPath(null, entry.new_target, { className: "mono" })),
      el("td", { className: "small" }, namedPath(null, entry.old_target, { className: "mono" })),
      el("td", { text: entry.command === "fix-bad-links" ? "shared target" : "broken link" }),
      el("td", {}, action));
    return labelled(row, ["When", "Link", "Points at", "Was", "Repaired as", "Action"]);
  }

  // A batch's heading row: when, how many of its repairs still stand, and "Undo this batch".
  function batchRow(jobId, batch) {
    const cell = el("td", { colspan: 6 },
      el("strong", { text: `Batch of job #${jobId}` }),
      el("span", { className: "muted", text: ` · ${formatDate(batch.first_at)} · ${formatNumber(batch.total)} ` +
        `repair(s), ${formatNumber(batch.standing)} standing` }));
    if (batch.standing > 0) {
      cell.append(" ", el("button", {
        type: "button", className: "btn btn-secondary btn-small repair-undo-batch", text: "Undo this batch",
        "aria-label": `Undo the ${batch.standing} standing repair(s) of job #${jobId}`,
        onclick: (event) => undoBatch(jobId, batch, event.currentTarget),
      }));
    }
    cell.append(el("span", { className: "repair-batch-result", role: "status" }));
    return el("tr", { className: "repair-batch", dataset: { jobId: String(jobId) } }, cell);
  }

  async function loadRepairs(page = state.repairsPage) {
    try {
      const data = await get("/repairs", { page, per_page: REPAIRS_PER_PAGE });
      const pages = Math.max(1, Math.ceil(data.total / REPAIRS_PER_PAGE));
      if (page > pages) return loadRepairs(pages);
      state.repairsPage = page;
      state.mediaRoot = data.media_root;
      $("repairs-block").hidden = data.total === 0;
      $("repairs-total").textContent = `(${formatNumber(data.total)})`;
      const rows = [];
      let batch = null;
      for (const entry of data.items) {
        if (entry.job_id !== null && entry.job_id !== batch && data.batches[String(entry.job_id)]) {
          rows.push(batchRow(entry.job_id, data.batches[String(entry.job_id)]));
        }
        batch = entry.job_id;
        rows.push(repairRow(entry));
      }
      $("repairs-body").replaceChildren(...rows);
      $("repairs-page").textContent = `page ${page} of ${pages}`;
      $("repairs-prev").disabled = page <= 1;
      $("repairs-next").disabled = page >= pages;
    } catch (err) {
      showError(err);
    }
  }

  async function undo(entry, button) {
    const question = `Point ${entry.path} back at ${entry.old_target}? (Only if nobody changed the link since.)`;
    if (!window.confirm(question)) return;
    button.disabled = true;
    try {
      const undone = await post(`/repair/${entry.id}/undo`);
      $("repairs-message").textContent = `Undone: ${undone.path} points at ${undone.old_target} again.`;
      if (undone.services) sayFollowUp(undone.services);
      changed("undone");
    } catch (err) {
      showError(err);
    } finally {
      await loadRepairs();
    }
  }

  async function undoBatch(jobId, batch, button) {
    const question = `Point the ${formatNumber(batch.standing)} link(s) job #${jobId} repaired back at their old targets? ` +
      "(A link somebody changed since is left as it is.)";
    if (!window.confirm(question)) return;
    button.disabled = true;
    let said;
    try {
      const result = await post("/repairs/undo", { job_id: jobId });
      said = `${result.undone.length} repair(s) undone` + (result.skipped.length
        ? `; ${result.skipped.length} left: ${result.skipped.map((s) => `${s.path} (${s.reason})`).join("; ")}` : "") + ".";
      if (result.services) sayFollowUp(result.services);
      changed("undone");
    } catch (err) {
      said = err.message;
    }
    $("repairs-message").textContent = `Job #${jobId}: ${said}`;
    await loadRepairs();
    // The result next to the batch it is about, once the journal is drawn again.
    const heading = document.querySelector(`#repairs-body tr.repair-batch[data-job-id="${jobId}"] .repair-batch-result`);
    if (heading) heading.textContent = ` ${said}`;
  }

  $("repair-list").addEventListener("click", () => list("broken"));
  $("repair-list-shared").addEventListener("click", () => list("shared"));
  $("repair-accept-all").addEventListener("click", askAcceptAll);
  $("repair-accept-yes").addEventListener("click", acceptAll);
  $("repair-accept-no").addEventListener("click", () => $("repair-accept-dialog").close());
  $("repair-groups").addEventListener("click", (event) => {
    const button = event.target.closest("[data-group]");
    if (button) show(button.dataset.group);
  });
  $("repair-prev").addEventListener("click", () => show(state.group, state.page - 1));
  $("repair-next").addEventListener("click", () => show(state.group, state.page + 1));
  $("repairs-prev").addEventListener("click", () => loadRepairs(state.repairsPage - 1));
  $("repairs-next").addEventListener("click", () => loadRepairs(state.repairsPage + 1));

  return {
    tabShown: () => loadRepairs(),
    // From a check's results: list that kind here and bring the block into view.
    open(kind) {
      $("repair-block").scrollIntoView({ block: "start" });
      list(kind);
    },
  };
}
