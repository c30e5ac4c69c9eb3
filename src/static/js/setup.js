// The first-run setup link (/setup?token=..., printed once in the server's log): choose the
// first password with its one-time token, then go to the app, logged in.

import { get, post } from "./api.js";

const $ = (id) => document.getElementById(id);

function showError(message) {
  $("setup-error").textContent = message;
  $("setup-error").hidden = false;
}

async function main() {
  const token = new URLSearchParams(window.location.search).get("token") || "";
  const status = await get("/auth/status");
  $("setup-loading").hidden = true;
  if (status.password_set) {
    $("setup-done").hidden = false;
    return;
  }
  const form = $("setup-form");
  form.hidden = false;
  $("setup-password").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("setup-error").hidden = true;
    const password = $("setup-password").value;
    if (password !== $("setup-password-repeat").value) {
      showError("the two passwords differ");
      return;
    }
    try {
      await post("/auth/setup", { token, password });
      // The token is spent: keep it out of the history.
      window.location.replace("/");
    } catch (err) {
      showError(err.message);
    }
  });
}

main().catch((err) => showError(err.message));
