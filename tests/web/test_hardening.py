"""Issue 17, findings 4 and 6 to 9: each answer that was wrong, through the app's real routes.

Findings 1, 2, 3 and 5 (reverse proxy, hung mounts, sessions, file modes) have their own tests.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.fakes.arr import FakeArr
from tests.support.browser import Page
from tests.support.api import assert_error
from tests.support.api import wait_job

API = "/api/symlink"
SURROGATE = "\ud800"


def openapi(client) -> dict:
    answer = client.get(f"{API}/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def finished_scan(client) -> int:
    answer = client.post(f"{API}/scan/start", json={})
    assert answer.status_code == 202, answer.get_json()
    from tests.support.api import wait_for_scan

    scan_id = answer.get_json()["scan_id"]
    assert wait_for_scan(client, scan_id)["status"] == "completed"
    return scan_id


def finished_check(client) -> int:
    answer = client.post(f"{API}/library/check", json={})
    assert answer.status_code == 202, answer.get_json()
    job_id = answer.get_json()["job_id"]
    assert wait_job(client, job_id)["state"] == "completed"
    return job_id


# --- finding 4: the login's ?next= -----------------------------------------------------------------

HOSTILE_NEXT = ["/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example",
                "/\\/evil.example", "https://evil.example", "/%09/evil.example", "/%2F/evil.example",
                "/ /evil.example", "/\u00a0/evil.example", "/x/..//evil.example", "evil.example", "/%E0%A4%A"]
FRIENDLY_NEXT = ["/", "/?tab=settings", "/api/symlink/config?apikey=x", "/static/js/app.js"]


def test_open_redirect_with_a_tab_after_the_slash_is_refused(client):
    from linkdoctor.web.pages import safe_next

    for target in HOSTILE_NEXT:
        assert safe_next(target) == "/", target
        answer = client.get("/login", query_string={"next": target})
        # The page is never served with it: the address loses it, the login then goes on to "/".
        assert answer.status_code == 302 and answer.headers["Location"] == "/login", target
    for target in FRIENDLY_NEXT:
        assert safe_next(target) == target
        assert client.get("/login", query_string={"next": target}).status_code == 200
    # The issue's own address, as a browser sends it.
    answer = client.get("/login?next=/%09/evil.example")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def test_open_redirect_with_a_tab_after_the_slash_is_refused_in_chromium(app, page: Page):  # noqa: F811
    from linkdoctor.config import update_config

    driver = page.driver
    driver.get(f"{page.base_url}/login")
    # The page's own check, in the browser that reads ?next= (the server's is above).
    checked = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "import('/static/js/next_page.js').then((m) => done(arguments[0].map((t) => m.safeNext(t))),"
        " (e) => done(String(e)));", HOSTILE_NEXT + FRIENDLY_NEXT)
    assert checked == ["/"] * len(HOSTILE_NEXT) + FRIENDLY_NEXT
    # The whole flow: the address, a password chosen, and the browser stays on this app.
    with app.app_context():
        update_config({"auth_required": "enabled"})
    driver.get(f"{page.base_url}/login?next=/%09/evil.example")
    page.wait(lambda _: page.visible("login-form"), message="no login form")
    page.fill("login-password", "open sesame 42")
    page.fill("login-password-repeat", "open sesame 42")
    page.by_id("login-submit").click()
    page.wait(lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true",
              message="the app never showed after choosing the password")
    assert driver.current_url == f"{page.base_url}/"


# --- finding 6: the Sonarr/Radarr and TMDB clients, the hosts they are given ------------------------


@pytest.fixture
def elsewhere():
    """Another origin (a fake Sonarr on another port) that records whatever reaches it."""
    fake = FakeArr("sonarr", api_key="not-the-key").start()
    yield fake
    fake.stop()


def use_sonarr(client, fake, **extra):
    answer = client.post(f"{API}/config", json={"sonarr_enabled": True, "sonarr_host": "127.0.0.1",
                                                "sonarr_port": fake.port, "sonarr_api_key": fake.api_key, **extra})
    assert answer.status_code == 200, answer.get_json()


def test_arr_client_never_sends_the_api_key_to_another_origin_on_a_redirect(client, sonarr, elsewhere):
    from linkdoctor.clients.arr import ArrInstance
    from linkdoctor.clients.records import ArrError
    from linkdoctor.clients.sonarr import SonarrClient

    sonarr.redirect_to = f"http://127.0.0.1:{elsewhere.port}"
    # The real client, as the connection test, the follow-up and the detection use it.
    instance = ArrInstance(kind="sonarr", name="main", host="127.0.0.1", port=sonarr.port, api_key=sonarr.api_key)
    with SonarrClient(instance, timeout=5, retries=0) as arr, pytest.raises(ArrError) as caught:
        arr.system_status()
    assert f"redirected to http://127.0.0.1:{elsewhere.port}/api/v3/system/status (HTTP 307)" in caught.value.message
    # Through the API: the verdict names the new location; nothing at all reached the other origin.
    use_sonarr(client, sonarr)
    [verdict] = client.post(f"{API}/test/services", json={}).get_json()["services"]
    assert not verdict["ok"] and f"127.0.0.1:{elsewhere.port}" in verdict["message"], verdict
    assert elsewhere.requests == []
    assert [r["api_key"] for r in sonarr.requests] == [sonarr.api_key] * len(sonarr.requests)


def test_tmdb_client_never_sends_the_key_to_another_origin_on_a_redirect():
    from linkdoctor.clients.tmdb import TmdbClient, TmdbError
    from tests.fakes.tmdb import API_KEY, TOKEN, FakeTmdb

    tmdb, other = FakeTmdb().start(), FakeTmdb().start()
    try:
        tmdb.redirect_to = other.url.rsplit("/3", 1)[0]
        for key in (API_KEY, TOKEN):  # a v3 key (query) and a v4 token (Authorization header)
            with pytest.raises(TmdbError, match="redirected to http://127.0.0.1:"):
                TmdbClient(tmdb.url, key, retries=0).search("movie", "Amélie", 2001)
        assert other.requests == [] and len(tmdb.requests) == 2
    finally:
        tmdb.stop()
        other.stop()


@pytest.mark.parametrize("host, words", [("admin:secret@sonarr", "user name or password"), ("sonarr?x=1", "query"),
                                         ("sonarr#top", "fragment"), ("http://sonarr:8989/sonarr", "sonarr_url_base"),
                                         ("sonarr/sonarr", "sonarr_url_base"), ("sonarr:8989", "sonarr_port"),
                                         ("son arr", "not a host name")])
def test_sonarr_host_with_userinfo_query_fragment_or_path_is_a_field_error(client, host, words):
    for name in ("sonarr_host", "radarr_host"):
        body = assert_error(client.post(f"{API}/config", json={name: host}), 400)
        assert set(body["fields"]) == {name} and words.replace("sonarr_", name.split("_")[0] + "_") in body["message"]
    body = assert_error(client.post(f"{API}/config", json={"arr_instances": [
        {"kind": "sonarr", "name": "4K", "host": host}]}), 400)
    assert set(body["fields"]) == {"arr_instances"} and "arr_instances[0].host" in body["message"]


def test_sonarr_url_base_keeps_paths_and_refuses_queries(client, sonarr):
    for value in ("sonarr?apikey=x", "sonarr#x", "../admin", "so narr"):
        body = assert_error(client.post(f"{API}/config", json={"sonarr_url_base": value}), 400)
        assert set(body["fields"]) == {"sonarr_url_base"}
    # What the *arr apps use is kept: a host name, an IP address, a URL base path.
    sonarr.url_base = "/apps/sonarr"
    use_sonarr(client, sonarr, sonarr_url_base="/apps/sonarr/")
    [verdict] = client.post(f"{API}/test/services", json={}).get_json()["services"]
    assert verdict["ok"] and verdict["url"] == f"http://127.0.0.1:{sonarr.port}/apps/sonarr", verdict
    for host in ("sonarr", "nas.local", "my_sonarr", "192.168.1.10"):
        assert client.post(f"{API}/config", json={"radarr_host": host}).get_json()["radarr_host"] == host
    assert client.post(f"{API}/config", json={"radarr_host": "::1"}).get_json()["radarr_host"] == "[::1]"


def test_remote_error_bodies_are_not_echoed_in_the_connection_test(client, sonarr):
    use_sonarr(client, sonarr)
    sonarr.error_next = (403, b"<html><script>alert(1)</script>internal page SECRET-42</html>")
    [verdict] = client.post(f"{API}/test/services", json={}).get_json()["services"]
    assert not verdict["ok"] and verdict["message"].endswith("HTTP 403 Forbidden"), verdict
    assert "SECRET" not in verdict["message"] and "<" not in verdict["message"]
    status = client.get(f"{API}/system").get_json()
    assert "SECRET" not in json.dumps(status)


# --- finding 7: huge pages, lone surrogates, a race of identical ignores -------------------------


def finished_listing(client) -> int:
    """A completed listing of links to repair (an empty source root of its own: nothing to offer)."""
    sources = client.application.config["LINKDOCTOR_SETTINGS"].data_dir / "sources"
    sources.mkdir(exist_ok=True)
    assert client.post(f"{API}/config", json={"source_roots": [str(sources)]}).status_code == 200
    answer = client.post(f"{API}/repair/proposals", json={})
    assert answer.status_code == 202, answer.get_json()
    job_id = answer.get_json()["job_id"]
    assert wait_job(client, job_id)["state"] == "completed"
    return job_id


def paged_routes(client) -> list[str]:
    """Every GET of the API that takes ?page=, its ids filled with real ones."""
    ids = {"scan_id": finished_scan(client), "job_id": finished_check(client)}
    listing = finished_listing(client)  # the job a repair listing's pages are of
    routes = [path.format(**(ids | {"job_id": listing} if path.startswith("/repair/proposals/") else ids))
              for path, operations in openapi(client)["paths"].items()
              for method, operation in operations.items()
              if method == "get" and any(p["name"] == "page" for p in operation.get("parameters", []))]
    assert len(routes) == 6, routes  # findings, quarantine, check results, pending, repairs, a repair listing
    return routes


@pytest.mark.parametrize("name,value", [("page", "9223372036854775808"), ("page", str(10**30)), ("page", "1" * 5000),
                                        ("page", "1000000001"), ("page", "0"), ("per_page", str(2**64)),
                                        ("per_page", "501"), ("page", "x")])
def test_a_huge_page_on_every_paged_route_is_a_400_naming_the_field(client, name, value):
    for route in paged_routes(client):
        body = assert_error(client.get(API + route, query_string={name: value}), 400)
        assert body["field"] == name and name in body["fields"], (route, body)
    for route in paged_routes(client):  # the largest page allowed is an empty page, not an overflow
        answer = client.get(API + route, query_string={"page": "1000000000", "per_page": "500"})
        assert answer.status_code == 200, (route, answer.get_json())


def text_fields(document: dict) -> list[tuple[str, str, object]]:
    """(path, field, value holding a lone surrogate) for every text field of every JSON body the API documents."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            for name, field in schema.get("properties", {}).items():
                if field.get("type") == "string":
                    found.append((method, path, name, SURROGATE))
                elif field.get("type") == "array" and field["items"].get("type") == "string":
                    found.append((method, path, name, ["ok", SURROGATE]))
                elif field.get("type") == "array" and field["items"].get("type") == "object":
                    for inner, spec in field["items"]["properties"].items():
                        if spec.get("type") == "string":
                            found.append((method, path, name, [{inner: SURROGATE}]))
    return found


def test_a_lone_surrogate_in_any_text_field_is_a_400_naming_the_field(app, client):
    from linkdoctor.config import EDITABLE

    ids = {"scan_id": finished_scan(client), "job_id": 1, "repair_id": 1, "rule_id": 1}
    fields = text_fields(openapi(client))
    # Settings the document leaves to additionalProperties, each as text and inside a list.
    fields += [("post", "/config", name, SURROGATE) for name in EDITABLE]
    fields += [("post", "/config", "arr_instances", [{"kind": "sonarr", "name": SURROGATE, "host": "h"}]),
               ("post", "/config", "path_mappings", [{"remote": "/tv", "local": "/medias/" + SURROGATE}])]
    assert len(fields) > 40
    for method, path, name, value in fields:
        answer = getattr(client, method)(API + path.format(**ids), json={name: value})
        body = assert_error(answer, 400)
        assert body.get("fields") == {name: "must be text without lone surrogates"}, (path, name, body)
    # A field's name is text too.
    body = assert_error(client.post(f"{API}/ignores", json={SURROGATE: "x"}), 400)
    assert "surrogate" in body["message"]
    # What a surrogate pair spells (one character outside the BMP) is text, and passes.
    assert client.post(f"{API}/ignores", json={"prefix": "/mnt/\U0001f3ac"}).status_code == 201


def race(base: str, path: str, body: dict, count: int = 8) -> list[tuple[int, dict]]:
    """`count` identical POSTs released at once by a barrier, each on its own connection: (status, body) each."""
    barrier = threading.Barrier(count)
    answers = []

    def post():
        request = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answers.append((response.status, json.load(response)))
        except urllib.error.HTTPError as error:
            answers.append((error.code, json.load(error)))

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert len(answers) == count
    return answers


def test_eight_identical_ignores_at_once_give_one_201_and_the_rest_409(live_server):  # noqa: F811
    # Several rounds: the race (both see no rule, both insert) does not happen on every one.
    for round_ in range(6):
        answers = race(live_server, f"{API}/ignores", {"prefix": f"/mnt/debrid/same-{round_}"})
        statuses = sorted(status for status, _ in answers)
        assert statuses == [201] + [409] * 7, answers
        rule_id = next(body["id"] for status, body in answers if status == 201)
        assert all(body["error"] == "conflict" and body["rule"]["id"] == rule_id
                   for status, body in answers if status == 409), answers


# --- finding 8: system folders and their parents --------------------------------------------------


@pytest.mark.parametrize("folder", ["/var", "/run", "/home", "/opt", "/srv", "/var/run", "/var/log", "/etc", "/"])
def test_media_path_in_a_parent_of_system_folders_is_refused(free_app, media_root, folder):
    if not os.path.isdir(folder):
        pytest.skip(f"{folder} does not exist here")
    client = free_app.test_client()
    body = assert_error(client.post(f"{API}/config", json={"media_path": folder}), 400)
    assert body["field"] == "media_path" and "system folder" in body["message"]
    assert client.get(f"{API}/config").get_json()["media_path"] == str(media_root)


def test_media_path_var_from_the_environment_is_refused_at_start(env, monkeypatch):
    from tests.support.cli import run_cli

    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", "/var")
    result = run_cli("scan")
    assert result.returncode == 2 and "system folder" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("folder", ["/", "/etc", "/root", "/etc/ssl", "/var", "/usr/lib"])
def test_source_roots_in_system_folders_are_refused(client, folder):
    body = assert_error(client.post(f"{API}/config", json={"source_roots": ["/mnt/debrid", folder]}), 400)
    assert set(body["fields"]) == {"source_roots"} and "system folder" in body["message"]


def test_source_roots_in_or_around_the_data_folder_are_refused(client, env, cli):
    for folder in (env, env / "backups", env / "trash" / "orphans", env.parent):
        body = assert_error(client.post(f"{API}/config", json={"source_roots": [str(folder)]}), 400)
        assert set(body["fields"]) == {"source_roots"} and "data folder" in body["message"]
    # What linkdoctor itself writes there for the user stays usable: the demo's source.
    result = cli("demo")
    assert result.returncode == 0 and "source_roots set to the demo source" in result.stdout, result.stderr


@pytest.mark.parametrize("setting", ["path_mappings", "sonarr_path_mappings", "radarr_path_mappings"])
def test_path_mappings_to_a_system_folder_are_refused(client, setting):
    body = assert_error(client.post(f"{API}/config", json={setting: [{"remote": "/tv", "local": "/etc"}]}), 400)
    assert set(body["fields"]) == {setting} and "system folder" in body["message"]
    body = assert_error(client.post(f"{API}/config", json={"arr_instances": [
        {"kind": "sonarr", "name": "4k", "host": "sonarr4k", "path_mappings": [{"remote": "/tv", "local": "/etc"}]}]}), 400)
    assert "system folder" in body["message"]


def test_libraries_inside_those_folders_are_still_accepted(app, client, tmp_path):
    from linkdoctor.system_folders import system_folder

    # The check itself, for folders this machine may not have.
    for folder in ("/mnt/media", "/media/user/disk", "/data/media", "/home/user/media", "/srv/media",
                   "/run/media/user/disk", "/opt/media", "/var/media", "/mnt"):
        assert system_folder(folder) is None, folder
    # And through the API for folders that exist.
    mine = tmp_path / "library"
    mine.mkdir()
    answer = client.post(f"{API}/config", json={"source_roots": [str(mine)], "path_mappings": [
        {"remote": "/tv", "local": str(mine)}]})
    assert answer.status_code == 200, answer.get_json()


# --- finding 9: a lost database, the 503 before credentials, falsy paths, masked secrets, Allow -----


def serve_until_listening(port: int) -> tuple[subprocess.Popen, str]:
    """`linkdoctor serve` on 127.0.0.1:port; what it printed until it said it serves."""
    server = subprocess.Popen([sys.executable, "-m", "linkdoctor", "serve", "--port", str(port)],
                              env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Lines are read by a thread into a queue: select() on the pipe would miss a line already read into
    # the file object's buffer together with the one before it.
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stderr] + [lines.put("")],
                     name="serve-stderr", daemon=True).start()
    printed = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if not line:
            break
        printed.append(line)
        if "serving http://" in line:
            return server, "".join(printed)
    server.kill()
    server.wait(10)
    raise AssertionError("serve did not start: " + "".join(printed))


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(10)


def test_losing_the_database_warns_loudly_naming_what_was_reset(env, library):
    from tests.support.cli import run_cli
    from tests.support.served import free_port

    # A data folder in use: a real scan that moved a link into the quarantine, a password, a mode.
    library.broken("Films/B/b.mkv")
    assert run_cli("scan", "--mode", "real", "--yes", "--force").returncode == 1
    assert run_cli("config", "set", "auth_required", "enabled").returncode == 0
    server, printed = serve_until_listening(free_port())
    stop(server)
    assert "WARNING" not in printed  # the database was there
    for name in ("linkdoctor.db", "linkdoctor.db-wal", "linkdoctor.db-shm"):
        (env / name).unlink(missing_ok=True)
    server, printed = serve_until_listening(free_port())
    stop(server)
    warning = next(line for line in printed.splitlines() if "WARNING" in line)
    for reset in ("NEW, EMPTY database", "auth_required", "password", "API key", "allowed_hosts", "journal"):
        assert reset in warning, (reset, warning)
    assert "a new database was made" in (env / "linkdoctor.log").read_text()


def test_a_first_start_says_nothing_of_a_lost_database(env):
    from tests.support.served import free_port

    server, printed = serve_until_listening(free_port())
    stop(server)
    assert "WARNING" not in printed and (env / "linkdoctor.db").exists()


def test_the_503_of_a_lost_database_does_not_reveal_the_data_folder(app, client, env):
    from linkdoctor.auth import credentials
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"auth_required": "enabled"})
        key = credentials().api_key
    os.unlink(env / "linkdoctor.db")
    for headers in ({}, {"X-Api-Key": key}):  # answered before the credentials (they were in that file)
        for answer in (client.get(f"{API}/config", headers=headers), client.get("/", headers=headers),
                       client.post(f"{API}/auth/login", json={"password": "x" * 10}, headers=headers)):
            body = assert_error(answer, 503, "database_unavailable")
            assert str(env) not in body["message"] and "data" not in body["message"].replace("database", "")
            assert "deleted or replaced" in body["message"] and "Restart linkdoctor" in body["message"]
    assert client.get("/ping").status_code == 200


@pytest.mark.parametrize("paths", ["", False, 0, {}, "/medias", [1], [None], {"a": 1}, True])
def test_falsy_paths_are_a_400_not_the_whole_library(app, client, paths):
    scan_id = finished_scan(client)
    routes = [("/scan/start", {}), ("/library/import", {}), (f"/scan/{scan_id}/confirm", {"token": "t"}),
              (f"/scan/{scan_id}/restore", {})]
    for route, extra in routes:
        body = assert_error(client.post(API + route, json={**extra, "paths": paths}), 400)
        assert set(body["fields"]) == {"paths"}, (route, body)
    assert len(client.get(f"{API}/scans/history").get_json()["scans"]) == 1  # no scan started
    assert client.get(f"{API}/jobs", query_string={"kind": "import"}).get_json()["jobs"] == []


def test_absent_or_null_paths_still_mean_the_whole_library(client, media_root):
    for body in ({}, {"paths": None}):
        answer = client.post(f"{API}/scan/start", json=body)
        assert answer.status_code == 202, answer.get_json()
        from tests.support.api import wait_for_scan

        status = wait_for_scan(client, answer.get_json()["scan_id"])
        assert status["status"] == "completed" and status["selected_paths"] == [str(media_root)]


def test_falsy_paths_on_the_command_line_are_a_plain_error(cli):
    for command in (("scan", ""), ("import", ""), ("scan", " ")):
        result = cli(*command)
        assert result.returncode == 2 and "Traceback" not in result.stderr, (command, result.stderr)
        assert "path" in result.stderr


def test_tmdb_base_url_credentials_are_masked_in_every_answer(app, client, cli):
    from linkdoctor.config import get_config

    url = "https://reader:s3cret-pass@tmdb-proxy.lan:8443/3"
    answer = client.post(f"{API}/config", json={"tmdb_base_url": url})
    assert answer.get_json()["tmdb_base_url"] == "https://********@tmdb-proxy.lan:8443/3"
    assert client.get(f"{API}/config").get_json()["tmdb_base_url"] == "https://********@tmdb-proxy.lan:8443/3"
    shown = cli("config", "show")
    assert "s3cret" not in shown.stdout and "tmdb-proxy.lan" in shown.stdout
    # The form sends back what it was shown: the stored URL stays, credentials included.
    client.post(f"{API}/config", json={"tmdb_base_url": "https://********@tmdb-proxy.lan:8443/3", "max_workers": 3})
    with app.app_context():
        assert get_config().tmdb_base_url == url
    for bad in ("https://tmdb.lan/3?api_key=x", "https://tmdb.lan/3#x", "ftp://tmdb.lan/3", "https://tmdb.lan:port/3"):
        body = assert_error(client.post(f"{API}/config", json={"tmdb_base_url": bad}), 400)
        assert set(body["fields"]) == {"tmdb_base_url"}


def test_docker_detection_masks_other_apps_keys_and_applies_by_container(app, client, cli, monkeypatch, docker_engine,
                                                                          sonarr, radarr):
    from linkdoctor.config import get_config
    from tests.fakes.docker_engine import config_xml

    monkeypatch.setenv("LINKDOCTOR_IN_CONTAINER", "0")
    docker_engine.add_container("sonarr", "lscr.io/linuxserver/sonarr", 8989, published=sonarr.port,
                                config=config_xml(sonarr.api_key, 8989))
    films_id = docker_engine.add_container("films", "ghcr.io/hotio/radarr", 7878, published=radarr.port,
                                           env={"RADARR__AUTH__APIKEY": radarr.api_key})
    docker_engine.add_container("plex", "plexinc/pms-docker", 32400, published=32400)
    answer = client.post(f"{API}/services/detect", json={})
    text = answer.get_data(as_text=True)
    assert sonarr.api_key not in text and radarr.api_key not in text
    assert {s["container"]: s["api_key"] for s in answer.get_json()["services"]} == {
        "sonarr": "********" + sonarr.api_key[-4:], "films": "********" + radarr.api_key[-4:]}
    # Applied by its container: the key is read on the server and never sent back.
    applied = client.post(f"{API}/services/apply", json={"container": "sonarr"})
    assert applied.status_code == 200, applied.get_json()
    assert sonarr.api_key not in applied.get_data(as_text=True)
    assert applied.get_json()["message"] == "applied and saved as sonarr 'Sonarr'"
    with app.app_context():
        config = get_config()
        assert (config.sonarr_enabled, config.sonarr_port, config.sonarr_api_key) == (True, sonarr.port, sonarr.api_key)
    # By id, a second Radarr goes in as a further instance named after its container.
    client.post(f"{API}/config", json={"radarr_enabled": True, "radarr_host": "elsewhere", "radarr_api_key": "k" * 32})
    applied = client.post(f"{API}/services/apply", json={"container": films_id})
    assert applied.status_code == 200 and applied.get_json()["name"] == "films", applied.get_json()
    with app.app_context():
        [extra] = get_config().arr_instances
        assert (extra["name"], extra["port"], extra["api_key"]) == ("films", radarr.port, radarr.api_key)
    # What cannot be applied says so in the one error shape.
    assert_error(client.post(f"{API}/services/apply", json={"container": "nothing-here"}), 404)
    assert_error(client.post(f"{API}/services/apply", json={"container": "plex"}), 400)
    assert_error(client.post(f"{API}/services/apply", json={"container": ""}), 400)
    assert_error(client.post(f"{API}/services/apply", json={"container": "sonarr", "api_key": "x"}), 400)
    # The command line: detect shows no key, apply works by name.
    detected = cli("services", "detect", "--json")
    assert detected.returncode == 0 and sonarr.api_key not in detected.stdout and radarr.api_key not in detected.stdout
    missing = cli("services", "apply", "nothing-here")
    assert missing.returncode != 0 and "nothing-here" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.parametrize("method, path, allowed", [("put", "/config", {"GET", "POST"}),
                                                   ("delete", "/scans/history", {"GET"}),
                                                   ("patch", "/ignores", {"GET", "POST"}),
                                                   ("get", "/ignores/1", {"DELETE"})])
def test_a_405_says_which_methods_are_allowed(client, method, path, allowed):
    answer = getattr(client, method)(API + path, json={})
    assert_error(answer, 405, "method_not_allowed")
    assert allowed <= {m.strip() for m in answer.headers["Allow"].split(",")}
    page = client.post("/ping", json={})
    assert page.status_code == 405 and "GET" in page.headers["Allow"]
