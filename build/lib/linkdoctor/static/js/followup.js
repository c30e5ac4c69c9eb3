// The Sonarr/Radarr follow-up of a scan's removals, inside the removal panel (#followup-block):
// what each removed link matched (series SxxEyy or movie), what was sent, each command's end,
// the links that matched nothing. Polls while the notify job runs; "Send again" retries.

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
        items.push(line(`${link.path} → ${match.instance}: ${match.item}${episodes}. ${sent}. Search: ${match.search || "-"}`));
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
    if (answer.services && isActive(answer.services.state)) {
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
    // The confirm route starts the follow-up before it answers: a status read after it already has it.
    if (services !== null && isActive(services.state)) {
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
