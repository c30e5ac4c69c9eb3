// Settings > Security: the API key (copy, regenerate), the auth mode in force, the host
// names answered to, the login password; and the top bar's "Log out".
//
// auth_required and allowed_hosts are ordinary settings saved by the settings form;
// this module shows what the server actually does with them (GET /auth/settings).

import { get, post } from "./api.js";
import { copyText } from "./settings_fields.js";

export function initAccess(ctx) {
  const $ = (id) => document.getElementById(id);

  function describeMode(s) {
    const where = s.bind_is_loopback ? `listens on ${s.bind_host} (this machine only)` : `listens on ${s.bind_host}`;
    const mode = s.auth_required === "enabled" ? "everyone must log in or send the API key"
      : "clients on this machine need no login; others must log in or send the API key";
    const origin = s.auth_required_setting ? "set in the settings" : `automatic: the server ${where}`;
    let note = `In force: ${mode} (${origin}).`;
    if (s.trusted_proxies.length) note += ` Trusted reverse proxies: ${s.trusted_proxies.join(", ")} (LINKDOCTOR_TRUSTED_PROXIES).`;
    return note;
  }

  async function refresh() {
    try {
      const s = await get("/auth/settings");
      $("api-key").value = s.api_key;
      $("auth-mode-note").textContent = describeMode(s);
      $("hosts-note").textContent = `Answered to: ${s.answered_host_names.join(", ")}`
        + (s.any_ip_address ? ", and any IP address (the server listens on every address)." : ".");
      $("password-state").textContent = s.password_set ? "(set)" : "(not set yet)";
      $("current-password-field").hidden = !s.password_set; // a new password needs the current one
    } catch (err) {
      ctx.showError(err);
    }
  }

  async function refreshSession() {
    try {
      const status = await get("/auth/status");
      $("logout").hidden = !status.logged_in;
    } catch (err) {
      ctx.showError(err);
    }
  }

  // The key is shown as dots until asked for; Copy copies it whole either way.
  $("api-key-show").addEventListener("click", (event) => {
    const shown = $("api-key").type === "password";
    $("api-key").type = shown ? "text" : "password";
    event.currentTarget.textContent = shown ? "Hide" : "Show";
    event.currentTarget.setAttribute("aria-pressed", String(shown));
  });
  $("api-key-copy").addEventListener("click", () => copyText($("api-key").value));

  $("api-key-regenerate").addEventListener("click", async () => {
    if (!window.confirm("Make a new API key? Programs using the old one stop working.")) return;
    try {
      $("api-key").value = (await post("/auth/api-key", {})).api_key;
    } catch (err) {
      ctx.showError(err);
    }
  });

  $("password-save").addEventListener("click", async () => {
    const note = $("password-note");
    try {
      const body = { password: $("new-password").value };
      if (!$("current-password-field").hidden) body.current_password = $("current-password").value;
      await post("/auth/password", body);
      $("new-password").value = "";
      $("current-password").value = "";
      note.className = "small";
      note.textContent = "Password saved.";
      refresh();
      refreshSession();
    } catch (err) {
      note.className = "small error-text";
      note.textContent = err.message;
    }
  });

  $("logout").addEventListener("click", async () => {
    try {
      await post("/auth/logout", {});
    } finally {
      window.location.assign("/login");
    }
  });

  refreshSession();
  return { refresh };
}
