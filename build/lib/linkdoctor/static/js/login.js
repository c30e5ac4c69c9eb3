// The login page: log in with the password, or choose the first one (only offered to a
// client on the server's own machine while no password exists). Goes on to ?next= when
// that is a path of this site.

import { get, post } from "./api.js";

const $ = (id) => document.getElementById(id);

function nextPage() {
  const next = new URLSearchParams(window.location.search).get("next") || "/";
  // Only a path on this site: never "//other.example" or "https://...".
  const path = next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
  // The server's redirect cannot see the #tab; the browser kept it on this page's address.
  return path.includes("#") ? path : path + window.location.hash;
}

function showError(message) {
  $("login-error").textContent = message;
  $("login-error").hidden = false;
}

async function main() {
  const status = await get("/auth/status");
  $("login-loading").hidden = true;
  const choosing = status.can_set_password;
  if (!choosing && !status.password_set) {
    if (status.authenticated) window.location.replace(nextPage());
    else $("login-no-password").hidden = false;
    return;
  }
  if (status.logged_in) {
    window.location.replace(nextPage());
    return;
  }
  const form = $("login-form");
  if (choosing) {
    $("login-title").textContent = "Choose a password";
    $("login-intro").textContent = "No password is set yet. Choose one (8 characters or more); you will use it to log in.";
    $("login-repeat-field").hidden = false;
    $("login-password").autocomplete = "new-password";
    $("login-submit").textContent = "Set password and log in";
  }
  form.hidden = false;
  $("login-password").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").hidden = true;
    const password = $("login-password").value;
    try {
      if (choosing) {
        if (password !== $("login-password-repeat").value) {
          showError("the two passwords differ");
          return;
        }
        await post("/auth/password", { password });
      } else {
        await post("/auth/login", { password });
      }
      window.location.assign(nextPage());
    } catch (err) {
      showError(err.message);
    }
  });
}

main().catch((err) => showError(err.message));
