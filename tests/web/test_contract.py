"""The page and the API agree (issue 10): every field the JavaScript sends is one the API reads, and every
field it reads is one the API sends. Redriva's page once sent `selected_paths` while its server read
`directories`; this catches that class of mistake.

Chromium runs the page through the main flows with a recorder installed before any page script: it
notes each request's route, query and body, every answer, and every property the page's code reads
from an answer (answers are wrapped in recording proxies). The test then checks the sent fields
against the OpenAPI document (linkdoctor/web/api/openapi.py) and the settings the config API takes,
and each read against the answers the server really gave on that route.
"""

import re

from linkdoctor.config import EDITABLE
from linkdoctor.web.api.openapi import openapi_document
from tests.support.browser import requires_chromium
from tests.support.pages import confirm, open_alert, scan
from tests.support.trees import SharedTree

pytestmark = requires_chromium

RECORDER = r"""
(() => {
  const rec = window.__contract = { sent: [], read: [], answers: [] };
  const parse = JSON.parse;
  const routeOfText = new Map();
  const realFetch = window.fetch;
  window.fetch = async function (input, init) {
    const url = new URL(String(input), window.location.href);
    if (!url.pathname.startsWith("/api/symlink/")) return realFetch.apply(this, arguments);
    const route = url.pathname.slice("/api/symlink".length);
    const method = (init && init.method) || "GET";
    const body = init && typeof init.body === "string" ? parse(init.body) : null;
    rec.sent.push({ route, method, query: [...url.searchParams.keys()], body });
    const response = await realFetch.apply(this, arguments);
    const text = response.text.bind(response);
    response.text = async () => {
      const t = await text();
      routeOfText.set(t, route);
      try { rec.answers.push({ route, status: response.status, body: parse(t) }); } catch (e) { /* not JSON */ }
      return t;
    };
    return response;
  };
  const METHODS = new Set(["then", "toJSON", "constructor", "length", "valueOf", "toString"]);
  function wrap(value, route, path) {
    if (value === null || typeof value !== "object") return value;
    return new Proxy(value, {
      get(target, key, receiver) {
        const result = Reflect.get(target, key, receiver);
        if (typeof key !== "string" || METHODS.has(key)) return result;
        if (Array.isArray(target)) {
          return /^\d+$/.test(key) ? wrap(result, route, path + "[]") : result;
        }
        const next = path ? path + "." + key : key;
        rec.read.push({ route, path: next });
        return wrap(result, route, next);
      },
    });
  }
  JSON.parse = function (text, reviver) {
    const value = parse(text, reviver);
    const route = routeOfText.get(text);
    return route === undefined ? value : wrap(value, route, "");
  };
})();
"""


def template(route: str) -> str:
    """/scan/12/findings -> /scan/{}/findings; /scan/{scan_id}/findings -> the same."""
    return re.sub(r"/(\d+|\{[a-z_]+\})(?=/|$)", "/{}", route)


def resolves(value, path: list[str]) -> bool:
    """Whether the dotted path (with [] for array elements) exists in the value."""
    if not path:
        return True
    if isinstance(value, list):
        return any(resolves(item, path) for item in value) if value else True
    if not isinstance(value, dict):
        return value is None  # a null on the way: nothing further can be read, nothing is missing
    head, rest = path[0], path[1:]
    array = head.endswith("[]")
    key = head[:-2] if array else head
    if key not in value:
        return False
    return resolves(value[key], rest if not array else rest)


def split(path: str) -> list[str]:
    return [part for part in path.replace("[]", "[].").split(".") if part]


def run_main_flows(page, client, library):
    """Dashboard, a real scan confirmed and restored, findings views, settings saved, the quarantine,
    an import, both repair lists, a repair accepted and undone."""
    library.healthy("Movies/Ok 1/ok1.mkv")
    library.healthy("Movies/Ok 2/ok2.mkv")
    library.healthy("Movies/Ok 3/ok3.mkv")
    library.broken("Movies/Gone/gone.mkv")
    shared = SharedTree(library, library.source)
    client.post("/api/symlink/config", json={"source_roots": [str(library.source)]})
    page.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    scan_id = scan(page, "real", "awaiting_confirmation")
    page.select("findings-sort", "path")
    page.wait_findings()
    confirm(page, "1 link", "move 1 link")
    page.wait(lambda _: page.visible("restore-button"), message="no restore after the move")
    page.by_id("restore-button").click()
    page.wait_for_text("progress-scan-id", f"#{scan_id}")
    # The details panel of a finding, and an ignore rule made from it.
    page.wait_findings()
    page.click_first("#findings-body button.finding-open")
    page.wait(lambda _: page.visible("finding-ignore-link"), message="the details panel never loaded")
    page.by_id("finding-ignore-link").click()
    page.wait_for_text("finding-ignore-message", "Ignored from the next scan on")
    page.by_id("finding-dialog-close").click()
    page.tab("dashboard")
    page.wait(lambda _: len(page.css("#history-body tr")) >= 1, message="history not shown")
    page.wait_for_text("system-facts", "ffprobe")
    page.tab("settings")
    page.wait(lambda _: page.by_id("cfg-max_workers").get_attribute("value") not in (None, ""),
              message="settings not loaded")
    page.fill("cfg-max_workers", "5")
    page.by_id("settings-save").click()
    page.wait_for_text("settings-saved", "Settings saved")
    page.fill("ignore-prefix", "Movies/Ok 3")
    page.fill("ignore-note", "contract")
    page.by_id("ignore-add").click()
    page.wait_for_text("ignores-result", "Ignored from the next scan on")
    page.click_first("#ignores-list .ignore-remove")
    page.wait(lambda driver: open_alert(driver), message="removing a rule did not ask").accept()
    page.wait_for_text("ignores-result", "come back in the next scan")
    page.tab("maintenance")
    page.by_id("maint-import").click()
    page.wait_for_text("maint-summary", " imported, ", timeout=60)  # ended (the library is free for repair)
    page.by_id("repair-list").click()
    page.wait_for_text("repair-status", "broken link(s)", timeout=60)
    page.by_id("repair-list-shared").click()
    page.wait_for_text("repair-status", "sharing a wrong target", timeout=60)
    page.click_first(f"#repair-body tr[data-path='{shared.bad}'] .repair-accept")
    page.wait_for_text("repair-status", "1 link(s) repaired", timeout=60)
    page.click_first("#repairs-block > summary")  # the journal is collapsed, its count in the heading
    page.click_first("#repairs-body .repair-undo")
    page.wait(lambda driver: open_alert(driver), message="Undo did not ask").accept()
    page.wait_for_text("repairs-message", "points at")
    return page.driver.execute_script("return window.__contract")


def test_the_page_sends_only_what_the_api_reads_and_reads_only_what_it_sends(page, client, library):
    record = run_main_flows(page, client, library)
    assert record["sent"] and record["read"] and record["answers"]
    paths = {template(path): operations for path, operations in openapi_document()["paths"].items()}
    problems = []
    for request in record["sent"]:
        operation = paths.get(template(request["route"]), {}).get(request["method"].lower())
        if operation is None:
            problems.append(f"{request['method']} {request['route']}: no such API route")
            continue
        known_query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        problems += [f"{request['route']}: query {name!r} is not read" for name in request["query"]
                     if name not in known_query]
        if request["body"]:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            known = set(schema.get("properties", {})) or (set(EDITABLE) if request["route"] == "/config" else None)
            if known is not None:
                problems += [f"{request['route']}: field {name!r} is not read by the API"
                             for name in request["body"] if name not in known]
    answers = {}
    for answer in record["answers"]:
        answers.setdefault(template(answer["route"]), []).append(answer["body"])
    for read in {(r["route"], r["path"]) for r in record["read"]}:
        route, path = template(read[0]), read[1]
        if not any(resolves(body, split(path)) for body in answers.get(route, [])):
            problems.append(f"{route}: the page reads {path!r}, which the API never sent")
    assert not problems, "\n".join(sorted(set(problems)))
