// Settings > Schedules and Notifications; the Dashboard's "next scheduled run" line.
//
// Each add, removal, run or test is its own request (POST/DELETE /schedules, /notifications), apart from
// the settings form, like the ignore rules. Times are shown as the server gives them, in its time zone.

import { api, get, post } from "./api.js";
import { el, formatDate } from "./format.js";

function when(schedule) {
  return schedule.cron ? `cron ${schedule.cron}` : `every ${schedule.interval_minutes} min`;
}

function what(schedule) {
  const where = schedule.paths.length ? schedule.paths.join(", ") : "whole library";
  const mode = schedule.mode === "real" ? `real, ≤ ${schedule.max_removals} removals` : "dry run";
  const then = schedule.then.length ? `, then ${schedule.then.join(" + ")}` : "";
  return `${schedule.depth} · ${mode} · ${where}${then}`;
}

function serverTime(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : "—";
}

// The Dashboard's line: the soonest next run, or nothing when no schedule is enabled.
export async function showNextRun(node) {
  const data = await get("/schedules");
  const upcoming = data.schedules.filter((s) => s.next_run).sort((a, b) => (a.next_run < b.next_run ? -1 : 1));
  node.hidden = upcoming.length === 0;
  if (!upcoming.length) return;
  const first = upcoming[0];
  const state = data.scheduler_running ? "" : " (not running: only linkdoctor serve runs schedules)";
  node.textContent = `Next scheduled run: ${first.name}, ${serverTime(first.next_run)} (${data.timezone})${state}`;
}

export function initSchedules(ctx) {
  const $ = (id) => document.getElementById(id);

  function say(id, text, tone = "ok") {
    const box = $(id);
    box.className = `banner banner-${tone} inline-banner`;
    box.textContent = text;
    box.hidden = false;
  }

  function fail(id, err) {
    const fields = err.body && err.body.fields ? Object.entries(err.body.fields).map(([k, v]) => `${k}: ${v}`) : [];
    say(id, fields.length ? fields.join("; ") : err.message, "error");
  }

  // -- schedules ---------------------------------------------------------------

  function scheduleRow(schedule) {
    const run = el("button", { type: "button", className: "btn btn-secondary btn-small", text: "Run now",
      onclick: async () => {
        try {
          await post(`/schedules/${schedule.id}/run`, {});
          say("schedules-result", `${schedule.name}: started; follow it on the Dashboard.`);
        } catch (err) {
          fail("schedules-result", err);
        }
      } });
    const remove = el("button", { type: "button", className: "btn btn-secondary btn-small", text: "Remove",
      onclick: async () => {
        if (!window.confirm(`Remove the schedule "${schedule.name}"? Scans it started stay in the history.`)) return;
        try {
          await api(`/schedules/${schedule.id}`, { method: "DELETE" });
          say("schedules-result", `Schedule "${schedule.name}" removed.`);
          loadSchedules();
        } catch (err) {
          fail("schedules-result", err);
        }
      } });
    const last = schedule.last_run_at ? `${serverTime(schedule.last_run_at)}: ${schedule.last_outcome}` : "never";
    return el("tr", { dataset: { scheduleId: schedule.id } },
      el("td", { dataset: { label: "Name" }, text: schedule.name }),
      el("td", { dataset: { label: "When" }, className: "mono", text: when(schedule) }),
      el("td", { dataset: { label: "What" }, text: what(schedule) }),
      el("td", { dataset: { label: "Next run" }, className: "mono", text: serverTime(schedule.next_run) }),
      el("td", { dataset: { label: "Last run" }, className: "small", text: last, title: last }),
      el("td", { dataset: { label: "Actions" } }, run, " ", remove));
  }

  async function loadSchedules() {
    try {
      const data = await get("/schedules");
      $("schedules-zone").textContent = data.timezone;
      $("schedules-stopped").hidden = data.scheduler_running;
      $("schedules-body").replaceChildren(...data.schedules.map(scheduleRow));
      $("schedules-table").hidden = data.schedules.length === 0;
      $("schedules-empty").hidden = data.schedules.length !== 0;
    } catch (err) {
      ctx.showError(err);
    }
  }

  $("schedule-when").addEventListener("change", () => {
    const cron = $("schedule-when").value === "cron";
    $("schedule-cron").closest(".field").hidden = !cron;
    $("schedule-interval").closest(".field").hidden = cron;
  });

  $("schedule-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const cron = $("schedule-when").value === "cron";
    const body = {
      name: $("schedule-name").value,
      cron: cron ? $("schedule-cron").value : null,
      interval_minutes: cron ? null : Number($("schedule-interval").value),
      paths: $("schedule-paths").value.split("\n").map((p) => p.trim()).filter(Boolean),
      depth: $("schedule-depth").value,
      mode: $("schedule-mode").value,
      allow_real: $("schedule-allow-real").checked,
      max_removals: Number($("schedule-max").value),
      then: ["import", "check"].filter((job) => $(`schedule-then-${job}`).checked),
    };
    try {
      const added = await post("/schedules", body);
      say("schedules-result", `Schedule "${added.name}" added; next run ${serverTime(added.next_run)} (${added.timezone}).`);
      $("schedule-name").value = "";
      loadSchedules();
    } catch (err) {
      fail("schedules-result", err);
    }
  });

  // -- notifications -----------------------------------------------------------

  let eventNames = [];

  function targetRow(target) {
    const remove = el("button", { type: "button", className: "btn btn-secondary btn-small", text: "Remove",
      onclick: async () => {
        if (!window.confirm(`Stop sending to ${target.service}?`)) return;
        try {
          await api(`/notifications/${target.id}`, { method: "DELETE" });
          loadTargets();
        } catch (err) {
          fail("notifications-result", err);
        }
      } });
    const failing = target.last_error ? el("p", { className: "small error-text", text: `Last error: ${target.last_error}` }) : null;
    return el("li", { dataset: { targetId: target.id } },
      el("strong", { text: target.service }), " ",
      el("span", { className: "mono small", text: target.url, title: target.url }),
      el("p", { className: "small muted", text: target.events.join(", ") }),
      failing, remove);
  }

  async function loadTargets() {
    try {
      const data = await get("/notifications");
      if (!eventNames.length) {
        eventNames = data.events;
        $("notification-events").append(...eventNames.map((e) => el("label", { className: "check" },
          el("input", { type: "checkbox", value: e.name, checked: true, name: "event" }), ` ${e.label}`)));
      }
      $("notifications-list").replaceChildren(...data.targets.map(targetRow));
      $("notifications-list").hidden = data.targets.length === 0;
      $("notifications-empty").hidden = data.targets.length !== 0;
      $("notifications-test").disabled = data.targets.length === 0;
    } catch (err) {
      ctx.showError(err);
    }
  }

  $("notification-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const events = [...$("notification-events").querySelectorAll("input:checked")].map((box) => box.value);
    try {
      const added = await post("/notifications", { url: $("notification-url").value, events });
      say("notifications-result", `Target added: ${added.url}`);
      $("notification-url").value = "";
      loadTargets();
    } catch (err) {
      fail("notifications-result", err);
    }
  });

  $("notifications-test").addEventListener("click", async () => {
    $("notifications-test").disabled = true;
    say("notifications-result", "Sending a test message to every target…");
    try {
      const { results } = await post("/notifications/test", {});
      const failed = results.filter((r) => !r.ok);
      say("notifications-result", failed.length
        ? `${failed.length} of ${results.length} failed: ${failed.map((r) => `#${r.id} ${r.message}`).join("; ")}`
        : `Sent to ${results.length} target(s).`, failed.length ? "error" : "ok");
      loadTargets();
    } catch (err) {
      fail("notifications-result", err);
    } finally {
      $("notifications-test").disabled = false;
    }
  });

  function load() {
    loadSchedules();
    loadTargets();
  }
  return { load };
}
