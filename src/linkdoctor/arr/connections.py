"""Test the connection to every enabled Sonarr/Radarr: GET system/status, a readable verdict each.

The last verdict of each instance is kept on the config row (service_tests) for the Dashboard.
"""

from datetime import datetime, timezone

from sqlalchemy import update

from linkdoctor.arr_instances import INSTANCE_FIELDS, KINDS, configured_instances, parse_instance
from linkdoctor.clients.arr import ArrClient, ArrInstance
from linkdoctor.clients.radarr import RadarrClient
from linkdoctor.clients.records import ArrError
from linkdoctor.clients.sonarr import SonarrClient
from linkdoctor.config import mask, refuse_masked
from linkdoctor.connection_lists import keep_masked_secrets
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
    result = test_services(configured_instances(config), config.arr_request_timeout)
    record_verdicts(config, result["services"])
    return result


def test_form_instance(item, config: SymlinkConfig) -> dict:
    """{"services": [verdict]} of one instance as the settings form holds it, unsaved (Sonarr's Connect dialog
    tests its form too). A masked key sent back is the saved key of that app's instance of that name; the
    verdict is kept for the Dashboard only when the form holds the saved instance as it is."""
    if isinstance(item, dict) and item.get("kind") in KINDS and not item.get("name"):
        item = {**item, "name": item["kind"].capitalize()}  # the first instance's name when none is set
    parsed = parse_instance(item, 0, where="instance")
    saved = [{field: getattr(i, field) for field in INSTANCE_FIELDS} for i in configured_instances(config)]
    [parsed] = keep_masked_secrets([parsed], saved, mask, "api_key")
    refuse_masked(parsed["api_key"], f"the API key of {parsed['kind']} {parsed['name']!r}")
    instance = ArrInstance(**parsed)
    verdict = test_instance(instance, config.arr_request_timeout)
    same = [i for i in configured_instances(config) if (i.kind, i.name, i.url, i.api_key, i.enabled)
            == (instance.kind, instance.name, instance.url, instance.api_key, True)]
    if same:
        record_verdicts(config, [verdict])
    return {"services": [verdict]}


def record_verdicts(config: SymlinkConfig, verdicts: list[dict]) -> None:
    """Keep each verdict on the config row for the Dashboard (GET /system, "services")."""
    tested_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    configured = {record_key(i.kind, i.name) for i in configured_instances(config)}
    # Instances no longer configured lose their entry; disabled ones keep theirs for when they return.
    kept = {key: test for key, test in (config.service_tests or {}).items() if key in configured}
    for verdict in verdicts:
        kept[record_key(verdict["kind"], verdict["name"])] = {
            "ok": verdict["ok"], "message": verdict["message"], "version": verdict["version"],
            "tested_at": tested_at,
        }
    # Written past the ORM: a test is not a change of the settings, so their "last saved" date stays.
    db.session.execute(update(SymlinkConfig).where(SymlinkConfig.id == config.id)
                       .values(service_tests=kept, updated_at=SymlinkConfig.updated_at))
    db.session.commit()


def last_connection_tests(config: SymlinkConfig) -> list[dict]:
    """Each enabled instance with its last test (None when never tested): {kind, name, url, last_test}."""
    tests = config.service_tests or {}
    return [{"kind": i.kind, "name": i.name, "url": i.url, "last_test": tests.get(record_key(i.kind, i.name))}
            for i in configured_instances(config) if i.enabled]
