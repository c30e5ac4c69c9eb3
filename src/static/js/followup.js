// The Sonarr/Radarr follow-up of a scan's removals, inside the removal panel (#followup-block):
// what each removed link matched (series SxxEyy or movie), what was sent, each command's end,
// the links that matched nothing, the release blocklisted (with a button to undo it), and each media
// server's refresh (#media-refresh-block). Followed through the page's one poller while the jobs run.
// A follow-up that did not go through shows its state as a warning, its problems in the block, and
// "Send again" as the way out.

import { get, post } from "./api.js";
import { el, namedPath, setStatusPill } from "./format.js";
import { createPoller } from "./poller.js";
import { isActiveState as isActive, stateTone } from "./vocabulary.js";

export function initFollowUp(ctx) {
  const $ = (id) => document.getElementById(id);
  let scanId = null;

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
    setStatusPill($("media-refresh-state"), refresh.state);
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
    setStatusPill($("followup-state"), services.state);
    const tone = stateTone(services.state);
    block.dataset.tone = tone;
    $("followup-message").textContent = services.message || "";
    // Why it did not all go through, first: each problem on its line.
    const problems = Array.isArray(services.problems) ? services.problems : [];
    $("followup-problems").replaceChildren(...problems.map((text) => line(String(text))));
    $("followup-problems").hidden = problems.length === 0;
    const items = [];
    for (const link of services.links) {
      for (const match of link.matches) {
        const episodes = match.episodes.length ? ` ${match.episodes.join(", ")}` : "";
        const sent = match.commands.length ? match.commands.join("; ") : "nothing sent";
        const item = el("li", {}, namedPath(null, link.path),
          el("span", { text: ` → ${match.instance}: ${match.item}${episodes}. ${sent}. Search: ${match.search || "-"}` }));
        if (match.blocklisted) item.append(" ", undoBlocklistButton(link.path, match.blocklisted));
        else if (match.blocklist) item.append(` (${match.blocklist})`);
        items.push(item);
      }
    }
    for (const path of services.unmatched) {
      items.push(el("li", { className: "muted" }, namedPath(null, path), " → matched no series or movie"));
    }
    $("followup-links").replaceChildren(...items);
    $("followup-retry").hidden = isActive(services.state);
    $("followup-retry").className = `btn ${tone === "warning" || tone === "failed" ? "btn-primary" : "btn-secondary"}`;
  }

  const running = (answer) => Boolean((answer.services && isActive(answer.services.state)) ||
    (answer.media_refresh && isActive(answer.media_refresh.state)));

  const poller = createPoller({
    ask: () => get(`/scan/${scanId}/services`),
    seen: (answer) => {
      show(answer.services);
      showMediaServers(answer.media_refresh, answer.media_servers);
      return running(answer);
    },
    failed: (err, { offline }) => {
      if (!offline) ctx.showError(err);
      return offline;
    },
  });

  // Show the follow-up of this scan (from its status), and follow it while it runs.
  function render(status) {
    scanId = status.scan_id;
    poller.stop();
    const services = status.services === undefined ? null : status.services;
    show(services);
    showMediaServers(status.media_refresh || null, status.media_servers || []);
    // The confirm route starts the follow-up before it answers: a status read after it already has it.
    if (running({ services, media_refresh: status.media_refresh })) poller.start(1000);
  }

  $("followup-retry").addEventListener("click", async () => {
    try {
      await post(`/scan/${scanId}/notify`);
      poller.start();
    } catch (err) {
      $("followup-message").textContent = err.message;
    }
  });

  return { render };
}
