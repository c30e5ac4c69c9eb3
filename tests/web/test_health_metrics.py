"""GET /api/symlink/health (open, nothing secret, never waits on a mount) and GET /metrics (Prometheus, behind auth)."""

import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.api import wait_for_scan
from tests.support.served import linkdoctor_serve, wait_until

REMOTE = {"REMOTE_ADDR": "192.0.2.10"}  # a client on another machine


def test_health_answers_each_part_and_says_no_secret_to_a_stranger(app, client, library):
    from linkdoctor.config import update_config

    with app.app_context():
        update_config({"source_roots": [str(library.source)], "auth_required": "enabled"})
    library.healthy("Films/Fine (2021)/fine.mkv")
    answer = client.get("/api/symlink/health", environ_base=REMOTE)
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    assert report["status"] == "ok"
    assert {"database", "data_folder", "ffprobe", "scheduler"} <= set(report["checks"])
    assert all(set(check) == {"ok", "detail"} for check in report["checks"].values())
    assert str(library.source) not in str(report)  # a stranger learns no path
    assert client.get("/api/symlink/config", environ_base=REMOTE).status_code == 401


def test_health_is_503_when_enabled_schedules_have_no_scheduler_to_run_them(client):
    client.post("/api/symlink/schedules", json={"name": "n", "cron": "0 3 * * *"})
    answer = client.get("/api/symlink/health")
    assert answer.status_code == 503 and answer.get_json()["status"] == "degraded"
    assert "serve" in answer.get_json()["checks"]["scheduler"]["detail"]


def source_roots(app, roots: list[str]) -> None:
    from linkdoctor.config import get_config
    from linkdoctor.models import db

    with app.app_context():
        get_config().source_roots = roots
        db.session.commit()


def test_health_answers_503_within_a_second_with_a_hung_source_and_200_when_it_is_back(
        app, env, tmp_path, library, faulty_mount):
    backing = tmp_path / "debrid"
    (backing / "torrents").mkdir(parents=True)
    (backing / "torrents" / "a.mkv").write_bytes(b"x" * 4096)
    mount = faulty_mount(backing)
    source = mount / "torrents"
    with linkdoctor_serve(tmp_path) as served:
        api = f"{served.url}/api/symlink"
        assert requests.post(f"{api}/config", json={"source_roots": [str(source)]}, timeout=10).ok

        def health(expected: int, about: str | None = None) -> dict | None:
            """The report when the status is `expected` (and names the source `about`); each answer at once."""
            started = time.monotonic()
            answer = requests.get(f"{api}/health", timeout=10)
            assert time.monotonic() - started < 1.0, "health waited"
            report = answer.json()
            if answer.status_code == expected and (about is None or f"source {about}" in report["checks"]):
                return report
            return None

        ok = wait_until(lambda: health(200, source), 30, "healthy with the source answering")
        assert ok["checks"][f"source {source}"]["ok"] is True  # this machine's client is signed in
        # A source on a mount that stops answering: health says so, each answer at once.
        hung_backing = tmp_path / "hung"
        (hung_backing / "torrents").mkdir(parents=True)
        hung = faulty_mount(hung_backing, rules=[{"glob": "torrents", "op": "getattr", "action": "hang"},
                                                 {"glob": "torrents/*", "op": "getattr", "action": "hang"}])
        # Set as if it had been configured while the mount was up (the settings API checks a new source root
        # on the filesystem, which a dead mount would hold for its 10 s bound).
        source_roots(app, [str(hung / "torrents")])
        degraded = wait_until(lambda: health(503), 30, "degraded with the source hung")
        [check] = [c for name, c in degraded["checks"].items() if name.startswith("source")]
        assert check["ok"] is False and "did not answer" in check["detail"]
        # Back: the source is the answering one again.
        source_roots(app, [str(source)])
        wait_until(lambda: health(200, source), 30, "healthy again")


def test_metrics_parse_as_prometheus_text_and_need_credentials(app, client, library):
    from linkdoctor.auth import credentials

    library.broken("Films/Gone (2020)/gone.mkv")
    library.healthy("Films/Fine (2021)/fine.mkv")
    scan_id = client.post("/api/symlink/scan/start", json={}).get_json()["scan_id"]
    wait_for_scan(client, scan_id)
    client.post("/api/symlink/config", json={"auth_required": "enabled"})
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorized"
    with app.app_context():
        key = credentials().api_key
    for headers in ({"X-Api-Key": key}, {"Authorization": f"Bearer {key}"}):
        answer = client.get("/metrics", headers=headers)
        assert answer.status_code == 200 and answer.mimetype == "text/plain"
    assert client.get(f"/metrics?apikey={key}").status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(answer.get_data(as_text=True))}
    assert all(name.startswith("linkdoctor_") for name in families)
    links = {s.labels["category"]: s.value for s in families["linkdoctor_links"].samples}
    assert links["broken"] == 1 and links["ok"] == 1
    assert families["linkdoctor_last_scan_links"].samples[0].value == 2
    assert {"linkdoctor_quarantine_links", "linkdoctor_jobs", "linkdoctor_arr_followups",
            "linkdoctor_notification_failures", "linkdoctor_scan_duration_seconds"} <= set(families)
    jobs = {(s.labels["kind"], s.labels["state"]): s.value for s in families["linkdoctor_jobs"].samples}
    assert jobs[("scan", "completed")] == 1


@pytest.mark.parametrize("path", ["/metrics", "/api/symlink/health"])
def test_the_open_and_the_closed_route_answer_a_stranger_as_they_should(app, client, path):
    client.post("/api/symlink/config", json={"auth_required": "enabled"})
    answer = client.get(path, environ_base=REMOTE)
    assert answer.status_code == (401 if path == "/metrics" else 200)
