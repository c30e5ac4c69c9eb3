// The Sonarr/Radarr follow-up of a scan's removals, inside the removal panel (#followup-block):
// what each removed link matched (series SxxEyy or movie), what was sent, each command's end,
// the links that matched nothing, the release blocklisted (with a button to undo it), and each media
// server's refresh (#media-refresh-block). Polls while the jobs run; "Send again" retries.

import { get, post } from "./api.js";
import { isActive } from "./format.js";

const POLL_MS = 1000;

export function initFollowUp(ctx) {
  const $ = (id) => document.getElementById(id);
  let scanId = null;
  let timer = null;
  let generation = 0; // a poll of an older render() drops its answer

  function line(text, className = "") {
    return Object.assign(document.createElement("li"), { textContent: text, className });
  }

  // The release a follow-up marked failed for a corrupted file; the user may take it off the blocklist.
  function undoBlocklistButton(path, blocklisted) {
    const button = Object.assign(document.createElement("button"), {
      type: "button", className: "btn btn-secondary btn-small",
      textContent: `Blocklisted ${blocklisted.source_title}: undo`,
    });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const answer = await post("/blocklist/undo", { path });
        button.textContent = answer.undone.map((u) => `${u.source_title}: ${u.message}`).join("; ");
      } catch (err) {
        button.disabled = false;
        button.textContent = err.message;
      }
    });
    return button;
  }

  function showMediaServers(refresh, servers) {
    $("media-refresh-block").hidden = !refresh;
    if (!refresh) return;
    $("media-refresh-state").textContent = refresh.state;
    $("media-refresh-state").dataset.status = refresh.state;
    const items = [];
    for (const server of servers) {
      items.push(line(`${server.kind} ${server.name}: ${server.message}`));
      for (const folder of server.refreshed) items.push(line(`  refreshed ${folder}`, "muted"));
      for (const folder of server.skipped) {
        items.push(line(`  skipped ${folder}: ${(server.skipped_reasons || {})[folder] || ""}`, "error-text"));
      }
    }
    $("media-refresh-servers").replaceChildren(...items);
  }

  function show(services) {
    const block = $("followup-block");
    block.hidden = services === null;
    if (services === null) return;
    $("followup-state").textContent = services.state;
    $("followup-state").dataset.status = services.state;
    $("followup-message").textContent = services.message || "";
    const items = [];
    for (const link of services.links) {
      for (const match of link.matches) {
        const episodes = match.episodes.length ? ` ${match.episodes.join(", ")}` : "";
        const sent = match.commands.length ? match.commands.join("; ") : "nothing sent";
        const item = line(`${link.path} → ${match.instance}: ${match.item}${episodes}. ${sent}. Search: ${match.search || "-"}`);
        if (match.blocklisted) item.append(" ", undoBlocklistButton(link.path, match.blocklisted));
        else if (match.blocklist) item.append(` (${match.blocklist})`);
        items.push(item);
      }
    }
    for (const path of services.unmatched) items.push(line(`${path} → matched no series or movie`, "muted"));
    for (const error of services.errors) items.push(line(`${error.instance}: ${error.message}`, "error-text"));
    $("followup-links").replaceChildren(...items);
    $("followup-retry").hidden = isActive(services.state);
  }

  async function poll(id, mine) {
    timer = null;
    let answer;
    try {
      answer = await get(`/scan/${id}/services`);
    } catch (err) {
      if (mine === generation) ctx.showError(err);
      return;
    }
    if (mine !== generation) return;
    show(answer.services);
    showMediaServers(answer.media_refresh, answer.media_servers);
    if ((answer.services && isActive(answer.services.state)) ||
        (answer.media_refresh && isActive(answer.media_refresh.state))) {
      timer = setTimeout(() => poll(id, mine), POLL_MS);
    }
  }

  // Show the follow-up of this scan (from its status), and follow it while it runs.
  function render(status) {
    scanId = status.scan_id;
    generation += 1;
    const mine = generation;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const services = status.services === undefined ? null : status.services;
    show(services);
    showMediaServers(status.media_refresh || null, status.media_servers || []);
    // The confirm route starts the follow-up before it answers: a status read after it already has it.
    if ((services !== null && isActive(services.state)) ||
        (status.media_refresh && isActive(status.media_refresh.state))) {
      timer = setTimeout(() => poll(status.scan_id, mine), POLL_MS);
    }
  }

  $("followup-retry").addEventListener("click", async () => {
    try {
      await post(`/scan/${scanId}/notify`);
      generation += 1;
      poll(scanId, generation);
    } catch (err) {
      $("followup-message").textContent = err.message;
    }
  });

  return { render };
}
