"""Test the connection to every enabled Sonarr/Radarr: GET system/status, a readable verdict each.

The last verdict of each instance is kept on the config row (service_tests) for the Dashboard.
"""

from datetime import datetime, timezone

from sqlalchemy import update

from linkdoctor.arr.instances import configured_instances
from linkdoctor.clients.arr import ArrClient, ArrInstance
from linkdoctor.clients.radarr import RadarrClient
from linkdoctor.clients.records import ArrError
from linkdoctor.clients.sonarr import SonarrClient
from linkdoctor.models import db
from linkdoctor.models.config import SymlinkConfig

CLIENTS = {"sonarr": SonarrClient, "radarr": RadarrClient}


def client_for(instance: ArrInstance, timeout: float, retries: int = 2, backoff: float = 0.5) -> ArrClient:
    """The client of the instance's app."""
    return CLIENTS[instance.kind](instance, timeout=timeout, retries=retries, backoff=backoff)


def test_instance(instance: ArrInstance, timeout: float) -> dict:
    """One instance's verdict: {kind, name, url, ok, app, version, message}."""
    verdict = {"kind": instance.kind, "name": instance.name, "url": instance.url,
               "ok": False, "app": None, "version": None, "message": ""}
    if not instance.host:
        verdict["message"] = "no host set"
        return verdict
    if not instance.api_key:
        verdict["message"] = "no API key set (Settings > General > Security > API Key in the app)"
        return verdict
    # One retry only: a person is waiting for the answer.
    with client_for(instance, timeout, retries=1, backoff=0.3) as client:
        try:
            status = client.system_status()
        except ArrError as exc:
            verdict["message"] = exc.message
            return verdict
    verdict.update(ok=True, app=status.app, version=status.version,
                   message=f"connected to {status.app} {status.version}")
    return verdict


def test_services(instances: list[ArrInstance], timeout: float) -> dict:
    """Every enabled instance's verdict: {"services": [...]}."""
    return {"services": [test_instance(i, timeout) for i in instances if i.enabled]}


def record_key(kind: str, name: str) -> str:
    """Where an instance's last test is kept: names are unique per app only, so the app is part of it."""
    return f"{kind}:{name}"


def run_connection_tests(config: SymlinkConfig) -> dict:
    """Test every enabled instance and keep each verdict on the config row: {"services": [...]}."""
    instances = configured_instances(config)
    result = test_services(instances, config.arr_request_timeout)
    tested_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    configured = {record_key(i.kind, i.name) for i in instances}
    # Instances no longer configured lose their entry; disabled ones keep theirs for when they return.
    kept = {key: test for key, test in (config.service_tests or {}).items() if key in configured}
    for verdict in result["services"]:
        kept[record_key(verdict["kind"], verdict["name"])] = {
            "ok": verdict["ok"], "message": verdict["message"], "version": verdict["version"],
            "tested_at": tested_at,
        }
    # Written past the ORM: a test is not a change of the settings, so their "last saved" date stays.
    db.session.execute(update(SymlinkConfig).where(SymlinkConfig.id == config.id)
                       .values(service_tests=kept, updated_at=SymlinkConfig.updated_at))
    db.session.commit()
    return result


def last_connection_tests(config: SymlinkConfig) -> list[dict]:
    """Each enabled instance with its last test (None when never tested): {kind, name, url, last_test}."""
    tests = config.service_tests or {}
    return [{"kind": i.kind, "name": i.name, "url": i.url, "last_test": tests.get(record_key(i.kind, i.name))}
            for i in configured_instances(config) if i.enabled]
