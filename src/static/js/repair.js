// The Maintenance tab's repair blocks. Two lists, each a job: broken links (their target is
// missing) and shared wrong targets (links whose names say different items but point at one
// file). Accept or reject per link, or accept every unambiguous one; the server re-checks each
// choice. Below, the repairs made so far, newest first, each with Undo while it stands.

import { get, post } from "./api.js";
import { el, formatDate, pathWithBreaks, relativePathWithBreaks, statusLabel } from "./format.js";
import { createPoller, followJob } from "./poller.js";
import { endedWell, jobName } from "./vocabulary.js";

const POLL_MS = 500;
const REPAIRS_PER_PAGE = 20;
const KINDS = {
  broken: { noun: "broken link(s)", button: "repair-list" },
  shared: { noun: "link(s) sharing a wrong target", button: "repair-list-shared" },
};
const BUTTONS = ["repair-list", "repair-list-shared", "repair-accept-all"];

function $(id) {
  return document.getElementById(id);
}

// The column's name beside each cell when a table becomes cards on a phone.
function labelled(row, labels) {
  [...row.children].forEach((td, index) => { td.dataset.label = labels[index]; });
  return row;
}

export function initRepair({ showError }) {
  // Links are shown relative to the media root (as in the findings); their targets, outside it, in full.
  const state = { kind: "broken", links: [], rejected: new Set(), repairsPage: 1, mediaRoot: "" };

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
    }
  }

  function candidateChoice(link) {
    if (!link.candidates.length) return el("td", { text: "no candidate" });
    const select = el("select", { className: "repair-candidate", "aria-label": `Candidate for ${link.path}` });
    for (const candidate of link.candidates) {
      select.append(el("option", { value: candidate.path, text: `${candidate.score} · ${candidate.path}` }));
    }
    return el("td", {}, select);
  }

  function render() {
    const body = $("repair-body");
    body.replaceChildren();
    const shown = state.links.filter((link) => !state.rejected.has(link.path));
    $("repair-table-wrap").hidden = shown.length === 0;
    const now = state.kind === "broken" ? "was" : "now";
    for (const link of shown) {
      const row = el("tr", { dataset: { path: link.path, verdict: link.verdict } });
      // What the link points at: the missing file it meant, or the wrong file it shares.
      const path = el("td", { className: "mono small" }, el("div", {},
        el("div", { className: "path" }, relativePathWithBreaks(state.mediaRoot, link.path)),
        el("div", { className: "muted" }, `${now} → `, el("span", { className: "path" }, pathWithBreaks(link.target)))));
      const choice = candidateChoice(link);
      const buttons = el("div", { className: "actions" }); // one element: a phone's card keeps it beside its label
      if (link.candidates.length) {
        buttons.append(el("button", {
          type: "button", className: "btn repair-accept", text: "Accept",
          onclick: () => acceptOne(link, row.querySelector("select").value),
        }));
      }
      buttons.append(el("button", {
        type: "button", className: "btn btn-secondary repair-reject", text: "Reject",
        onclick: () => {
          state.rejected.add(link.path);
          render();
        },
      }));
      row.append(path, choice, el("td", { text: link.verdict.replace("_", " ") }), el("td", {}, buttons));
      body.append(labelled(row, ["Link", "Candidate", "Verdict", "Action"]));
    }
  }

  function renderLegitimate(result) {
    const block = $("repair-legitimate");
    block.hidden = !result.legitimate_total;
    if (!result.legitimate_total) return;
    $("repair-legitimate-summary").textContent = `${result.legitimate_total} target(s) shared by links to the ` +
      "same item (the same movie or episode in several folders): left as they are.";
    $("repair-legitimate-list").replaceChildren(...result.legitimate.map((group) => el("li", { className: "path" },
      pathWithBreaks(group.target), el("span", { className: "muted" }, ` ← ${group.links.length} links`))));
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
      state.mediaRoot = result.media_root;
      state.links = result.links;
      state.rejected.clear();
      const counts = result.counts;
      const ignored = result.ignored ? ` ${result.ignored} ignored link(s) left out.` : "";
      $("repair-status").textContent = `${result.total} ${KINDS[kind].noun}: ${counts.repair} unambiguous, ` +
        `${counts.ambiguous} ambiguous, ${counts.below_threshold} below the threshold, ` +
        `${counts.no_candidate} without candidate.${ignored}`;
      $("repair-accept-all").textContent = kind === "broken"
        ? "Accept all unambiguous" : "Accept all unambiguous (shared targets)";
      renderLegitimate(result);
      render();
    } catch (err) {
      showError(err);
    }
  }

  function applied(status) {
    const result = status.result || {};
    const done = new Set((result.repaired || []).map((r) => r.path));
    state.links = state.links.filter((link) => !done.has(link.path));
    render();
    $("repair-status").textContent = endedWell(status.state)
      ? `${done.size} link(s) repaired, ${(result.skipped || []).length} skipped.`
      : `${jobName("repair", status.job_id)} ${statusLabel(status.state)}: ${status.message || ""}`;
    if (endedWell(status.state) && done.size) {
      followUp(status.job_id);
      loadRepairs(1);
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
      applied(await runJob("/repair/apply", { kind: state.kind, items: [{ path: link.path, target }] }));
    } catch (err) {
      showError(err);
    }
  }

  async function acceptAll() {
    try {
      applied(await runJob("/repair/apply", { kind: state.kind, unambiguous: true }));
    } catch (err) {
      showError(err);
    }
  }

  // -- the repairs made so far --------------------------------------------

  function repairRow(entry) {
    const standing = entry.state === "repaired";
    const action = standing
      ? el("button", { type: "button", className: "btn btn-secondary repair-undo", text: "Undo",
                       onclick: (event) => undo(entry, event.currentTarget) })
      : el("span", { className: "muted", text: "undone" });
    const row = el("tr", { dataset: { repairId: entry.id, path: entry.path, state: entry.state } },
      el("td", { text: formatDate(entry.created_at) }),
      el("td", { className: "mono small path" }, relativePathWithBreaks(state.mediaRoot, entry.path)),
      el("td", { className: "mono small path" }, pathWithBreaks(entry.new_target)),
      el("td", { className: "mono small path" }, pathWithBreaks(entry.old_target)),
      el("td", { text: entry.command === "fix-bad-links" ? "shared target" : "broken link" }),
      el("td", {}, action));
    return labelled(row, ["When", "Link", "Points at", "Was", "Repaired as", "Action"]);
  }

  async function loadRepairs(page = state.repairsPage) {
    try {
      const data = await get("/repairs", { page, per_page: REPAIRS_PER_PAGE });
      const pages = Math.max(1, Math.ceil(data.total / REPAIRS_PER_PAGE));
      if (page > pages) return loadRepairs(pages);
      state.repairsPage = page;
      state.mediaRoot = data.media_root;
      $("repairs-block").hidden = data.total === 0;
      $("repairs-total").textContent = `(${data.total})`;
      $("repairs-body").replaceChildren(...data.items.map(repairRow));
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
    } catch (err) {
      showError(err);
    } finally {
      await loadRepairs();
    }
  }

  $("repair-list").addEventListener("click", () => list("broken"));
  $("repair-list-shared").addEventListener("click", () => list("shared"));
  $("repair-accept-all").addEventListener("click", acceptAll);
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
