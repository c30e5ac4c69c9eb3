"""The request layer (web/security.py): Host names, cross-site requests, body types, headers.

Findings 1, 4 and 11 of the security issue, through Flask's test client on a real app.
"""

import os

import pytest

from tests.support.api import assert_error
from tests.support.auth import with_settings
from tests.support.appstate import api_key, config_value, world

OTHER_SITE = "http://evil.example:8642"


def set_config(app, **changes):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config(changes)


def test_finding_1_dns_rebinding_host_is_refused(app, client, tmp_path):
    # The page of evil.example rebinds its name to 127.0.0.1: the browser sends Host: evil.example.
    headers = {"Host": "evil.example:8642"}
    assert_error(client.get("/api/symlink/config", headers=headers), 421, "host_not_allowed")
    assert_error(client.get("/api/symlink/scans/history", headers=headers), 421, "host_not_allowed")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    answer = client.post("/api/symlink/config", json={"max_workers": 2}, headers=headers)
    assert_error(answer, 421, "host_not_allowed")
    assert_error(client.post("/api/symlink/scan/start", json={}, headers=headers), 421)
    assert config_value(app, "max_workers") == 6
    page = client.get("/", headers=headers)
    assert page.status_code == 421 and b"allowed_hosts" in page.data
    # Our own names answer.
    for host in ("localhost", "localhost:8642", "127.0.0.1:8642", "[::1]:8642"):
        assert client.get("/api/symlink/config", headers={"Host": host}).status_code == 200, host
    # A malformed Host is refused too.
    assert client.get("/api/symlink/config", headers={"Host": "local host"}).status_code == 421


def test_allowed_hosts_setting_and_the_bound_address_add_names(app, client):
    assert client.get("/", headers={"Host": "media.lan:8642"}).status_code == 421
    set_config(app, allowed_hosts=["Media.LAN."])
    assert config_value(app, "allowed_hosts") == ["media.lan"]
    assert client.get("/", headers={"Host": "media.lan:8642"}).status_code == 200
    with_settings(app, host="192.168.1.20")
    key = {"X-Api-Key": api_key(app)}  # not loopback-only: login required by default
    assert client.get("/api/symlink/config", headers={"Host": "192.168.1.20:8642", **key}).status_code == 200
    assert client.get("/api/symlink/config", headers={"Host": "192.168.1.99:8642", **key}).status_code == 421


def test_listening_on_every_address_answers_ip_literals_but_not_names(app, client):
    with_settings(app, host="0.0.0.0")
    key = {"X-Api-Key": api_key(app)}  # not loopback-only: login required by default
    assert client.get("/api/symlink/config", headers={"Host": "10.0.0.5:8642", **key}).status_code == 200
    assert client.get("/api/symlink/config", headers={"Host": "[fd00::5]:8642", **key}).status_code == 200
    assert client.get("/api/symlink/config", headers={"Host": "rebind.example:8642", **key}).status_code == 421


ATTACKS = [
    ("/api/symlink/scan/start", {"mode": "real"}),
    ("/api/symlink/quarantine/purge", {"older_than_days": 0}),
    ("/api/symlink/config", {"max_workers": 2}),
    ("/api/symlink/scan/{scan}/restore", {}),
    ("/api/symlink/scan/cancel/{scan}", {}),
]


def test_finding_4_cross_site_form_posts_change_nothing(app, client, quarantined):
    scan_id, link, in_quarantine = quarantined
    before = world(app)
    for path, body in ATTACKS:
        path = path.format(scan=scan_id)
        form = {key: str(value) for key, value in body.items()}
        # What an HTML form on any site can send: urlencoded, multipart, text/plain, or nothing at all.
        for kind in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain"):
            assert_error(client.post(path, data=form, content_type=kind), 415, "unsupported_media_type")
        assert_error(client.post(path), 415)
        # A form cannot send JSON; a fetch can, but then says where it comes from.
        assert_error(client.post(path, json=body, headers={"Origin": OTHER_SITE}), 403, "cross_site_request")
        assert_error(client.post(path, json=body, headers={"Sec-Fetch-Site": "cross-site"}), 403)
        # Another port of 127.0.0.1 is the same *site* but another origin: refused as well.
        assert_error(client.post(path, json=body, headers={"Sec-Fetch-Site": "same-site"}), 403)
        assert_error(client.post(path, json=body, headers={"Origin": "null"}), 403)
        assert_error(client.post(path, json=body, headers={"Origin": "http://localhost:9999",
                                                           "Host": "localhost:8642"}), 403)
    assert world(app) == before
    assert os.path.islink(in_quarantine) and not os.path.lexists(link)


def test_same_origin_json_requests_pass(client):
    headers = {"Origin": "http://localhost:8642", "Host": "localhost:8642", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/symlink/config", json={"max_workers": 2}, headers=headers).status_code == 200
    # Reads are never refused for their origin (a cross-site read cannot see the answer anyway).
    assert client.get("/api/symlink/config", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_finding_11_pages_and_answers_carry_anti_framing_and_csp_headers(client):
    for path in ("/", "/login", "/api/symlink/config", "/api/symlink/nowhere", "/static/js/app.js"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_the_page_has_no_inline_script(client):
    import re

    html = client.get("/").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        # Only external modules and the JSON data block (not executed) are allowed.
        assert 'src="' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


@pytest.mark.parametrize("field", ["sonarr_host", "radarr_host", "sonarr_api_key", "radarr_api_key"])
def test_finding_11_host_and_key_fields_refuse_nul_and_huge_text(app, client, field):
    assert_error(client.post("/api/symlink/config", json={field: "abc\x00def"}), 400)
    assert_error(client.post("/api/symlink/config", json={field: "host\nname"}), 400)
    assert_error(client.post("/api/symlink/config", json={field: "x" * 100_000}), 400)
    assert client.post("/api/symlink/config", json={field: "y" * 255}).status_code == 200
    assert config_value(app, field) == "y" * 255


def test_finding_11_media_path_and_source_roots_refuse_nul_and_huge_text(client, media_root):
    assert_error(client.post("/api/symlink/config", json={"media_path": str(media_root) + "\x00"}), 400)
    assert_error(client.post("/api/symlink/config", json={"source_roots": ["/mnt/" + "x" * 100_000]}), 400)
    assert_error(client.post("/api/symlink/config", json={"source_roots": ["/mnt/a\x00b"]}), 400)


def test_finding_11_purge_refuses_unknown_fields(client):
    body = assert_error(client.post("/api/symlink/quarantine/purge", json={"older_than_days": 1, "all": True}), 400)
    assert "all" in body["message"]


def test_ping_is_open_to_any_host_and_client(app, client):
    set_config(app, auth_required="enabled")
    answer = client.get("/ping", headers={"Host": "anything.example"}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_oversized_bodies_are_refused_in_the_error_shape(client):
    assert_error(client.post("/api/symlink/config", data="[" * 2_000_000, content_type="application/json"), 413)
