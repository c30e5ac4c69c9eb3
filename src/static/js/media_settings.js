// Media servers and webhooks in the Settings tab: the Test button (each server's version or what is
// wrong) and the webhook URLs to paste into Sonarr/Radarr. The servers themselves are a form field.

import { get, post } from "./api.js";

export function initMediaSettings({ $, showError }) {
  const line = (text, className = "") => Object.assign(document.createElement("li"), { textContent: text, className });

  $("media-servers-test").addEventListener("click", async () => {
    $("media-servers-verdicts").replaceChildren(line("Testing…", "muted"));
    try {
      const answer = await post("/test/media-servers");
      const items = answer.servers.map((s) => line(`${s.kind} ${s.name}: ${s.ok ? `OK, version ${s.version}. ` : ""}${s.message}`,
        s.ok ? "" : "error-text"));
      $("media-servers-verdicts").replaceChildren(...(items.length ? items : [line("No media server is enabled.", "muted")]));
    } catch (err) {
      $("media-servers-verdicts").replaceChildren(line(err.message, "error-text"));
    }
  });

  async function loadUrls() {
    try {
      const urls = await get("/webhook/urls");
      $("webhook-urls").replaceChildren(line(`Sonarr: ${urls.sonarr}`), line(`Radarr: ${urls.radarr}`));
    } catch (err) {
      showError(err);
    }
  }
  return { loadUrls };
}
