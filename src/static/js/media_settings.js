// Media servers and webhooks in the Settings tab: one row per server (kind, name, URL, token masked
// while typed, path mappings), kept in the media_servers setting (a hidden JSON field of the form);
// a Test per row that tries what the row holds, unsaved; "Test saved media servers"; and the webhook
// URLs to paste into Sonarr/Radarr.

import { get, post } from "./api.js";
import { el } from "./format.js";
import { mappingsEditor, secretField } from "./settings_fields.js";

const PRODUCTS = { plex: "Plex", jellyfin: "Jellyfin", emby: "Emby" };
const TOKEN = { plex: "Plex token", jellyfin: "Jellyfin API key", emby: "Emby API key" };

export function initMediaSettings({ $, showError }) {
  const line = (text, className = "") => Object.assign(document.createElement("li"), { textContent: text, className });
  const list = $("media-servers-list");
  const hidden = $("cfg-media_servers");
  let counter = 0;

  function verdictText(s) {
    return `${s.kind} ${s.name}: ${s.ok ? `OK, version ${s.version}. ` : ""}${s.message}`;
  }

  function row(server) {
    counter += 1;
    const id = (key) => `media-${counter}-${key}`;
    const product = PRODUCTS[server.kind];
    const enabled = el("input", { type: "checkbox", id: id("enabled") });
    enabled.checked = server.enabled !== false;
    const name = el("input", { type: "text", id: id("name"), className: "media-name" });
    name.value = server.name || product;
    const url = el("input", { type: "text", id: id("url"), className: "mono media-url", spellcheck: "false",
      placeholder: server.kind === "plex" ? "http://plex:32400" : "http://jellyfin:8096" });
    url.value = server.url || "";
    const token = el("input", { type: "password", id: id("token"), className: "mono media-token", spellcheck: "false" });
    token.value = server.token || "";
    const mappings = el("input", { type: "hidden", className: "media-mappings" });
    mappings.value = server.path_mappings && server.path_mappings.length ? JSON.stringify(server.path_mappings) : "";
    const result = el("span", { className: "arr-test-result media-test-result", role: "status" });
    const test = el("button", { type: "button", className: "btn btn-secondary media-test", text: "Test" });
    const remove = el("button", { type: "button", className: "btn btn-secondary media-remove", text: "Remove" });
    const box = el("fieldset", { className: "arr-instance media-server", dataset: { kind: server.kind } },
      el("legend", { text: product }),
      el("div", { className: "field check" }, enabled, el("label", { for: enabled.id, text: "Enabled" })),
      el("div", { className: "field" }, el("label", { for: name.id, text: "Name" }), name),
      el("div", { className: "field wide" }, el("label", { for: url.id, text: "URL" }), url),
      el("div", { className: "field wide" }, el("label", { for: token.id, text: TOKEN[server.kind] }), token),
      el("div", { className: "field wide" }, el("span", { className: "field-label", text: "Path mappings" }), mappings),
      el("div", { className: "actions arr-test-row" }, test, result, remove));
    secretField(token, TOKEN[server.kind]);
    mappingsEditor(mappings, `path mappings of this ${product}`);
    test.addEventListener("click", () => testOne(test, readRow(box), result));
    remove.addEventListener("click", () => {
      box.remove();
      list.dispatchEvent(new Event("change", { bubbles: true }));
    });
    return box;
  }

  function readRow(box) {
    const value = (selector) => box.querySelector(selector).value.trim();
    let mappings = [];
    try { mappings = value(".media-mappings") ? JSON.parse(value(".media-mappings")) : []; } catch { mappings = []; }
    return { kind: box.dataset.kind, name: value(".media-name"), url: value(".media-url"), token: value(".media-token"),
      enabled: box.querySelector("input[type=checkbox]").checked, path_mappings: mappings };
  }

  function render(servers) {
    list.replaceChildren(...(servers || []).map(row));
  }

  // Called before the form reads its fields: the rows become the media_servers setting.
  function sync() {
    hidden.value = JSON.stringify(Array.from(list.querySelectorAll(".media-server")).map(readRow));
  }

  // One server as its row holds it: POST /test/media-servers {"server": ...}, nothing saved.
  async function testOne(button, server, node) {
    button.disabled = true;
    node.className = "arr-test-result media-test-result muted";
    node.textContent = "testing…";
    try {
      const { kind, name, url, token } = server;
      const [verdict] = (await post("/test/media-servers", { server: { kind, name, url, token } })).servers;
      node.className = `arr-test-result media-test-result ${verdict.ok ? "ok-text" : "error-text"}`;
      node.textContent = `${verdict.ok ? "✓" : "✗"} ${verdictText(verdict)}`;
    } catch (err) {
      node.className = "arr-test-result media-test-result error-text";
      node.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  for (const kind of Object.keys(PRODUCTS)) {
    $(`media-add-${kind}`).addEventListener("click", () => {
      const box = row({ kind, enabled: true, path_mappings: [] });
      list.append(box);
      box.querySelector(".media-url").focus();
      list.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  $("media-servers-test").addEventListener("click", async () => {
    $("media-servers-verdicts").replaceChildren(line("Testing…", "muted"));
    try {
      const answer = await post("/test/media-servers");
      const items = answer.servers.map((s) => line(verdictText(s), s.ok ? "" : "error-text"));
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
  return { loadUrls, render, sync };
}
