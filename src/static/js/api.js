// A tiny fetch wrapper for the JSON API under /api/symlink/.
//
// Every error answer of the API is JSON {"error": code, "message": text} (409 from
// scan/start also carries scan_id). api() throws an ApiError carrying those fields,
// the HTTP status and the whole body, so callers can show `message` as it is.

export const API_BASE = "/api/symlink";

export class ApiError extends Error {
  constructor(status, error, message, body = null) {
    super(message);
    this.name = "ApiError";
    this.status = status; // 0 when the server could not be reached
    this.error = error;
    this.body = body;
  }
}

function buildUrl(path, query) {
  const url = new URL(API_BASE + path, window.location.origin);
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") {
        url.searchParams.set(key, String(value));
      }
    }
  }
  return url.pathname + url.search;
}

// Whether the last request reached the server: the page shows an "offline, retrying" state
// while it does not (app.js listens for "linkdoctor:reachable").
let lastReachable = true;

function reachable(yes) {
  if (yes === lastReachable) return;
  lastReachable = yes;
  window.dispatchEvent(new CustomEvent("linkdoctor:reachable", { detail: { reachable: yes } }));
}

// Fired when an answer says the request moved, restored or repaired links (the server's header
// X-Linkdoctor-Library-Changed), whichever view sent it: the Dashboard's and the folder tree's counts
// refresh. (Views that announce their own change send "linkdoctor:library-changed", quarantine_view.js.)
export const LIBRARY_CHANGED_ANSWER = "linkdoctor:library-changed-answer";

export function isReachable() {
  return lastReachable;
}

// api("/config"), api("/config", {method: "POST", body: {...}}), api("/directories", {query: {depth: 2}})
// State-changing requests always carry a JSON body ({} when there is nothing to send): the
// server refuses any other body type, which is what keeps cross-site HTML forms out.
export async function api(path, { method = "GET", body, query, signal } = {}) {
  const init = { method, headers: { Accept: "application/json" }, signal, credentials: "same-origin" };
  if (body === undefined && method !== "GET" && method !== "HEAD") body = {};
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(buildUrl(path, query), init);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    reachable(false);
    throw new ApiError(0, "network_error", "the server could not be reached: " + (err && err.message ? err.message : String(err)));
  }
  reachable(true);
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.status === 401 && !path.startsWith("/auth/") && window.location.pathname !== "/login") {
    // The session ended (logout elsewhere, new password): back to the login, then here again.
    window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.hash));
  }
  if (response.ok && response.headers.get("X-Linkdoctor-Library-Changed")) {
    queueMicrotask(() => window.dispatchEvent(new CustomEvent(LIBRARY_CHANGED_ANSWER, { detail: { path } })));
  }
  if (!response.ok) {
    const error = data && typeof data.error === "string" ? data.error : "http_" + response.status;
    const message = data && typeof data.message === "string"
      ? data.message
      : `the server answered ${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, error, message, data);
  }
  if (data === null && text) {
    throw new ApiError(response.status, "bad_response", "the server's answer was not JSON");
  }
  return data;
}

export const get = (path, query) => api(path, { query });
export const post = (path, body) => api(path, { method: "POST", body: body === undefined ? {} : body });
