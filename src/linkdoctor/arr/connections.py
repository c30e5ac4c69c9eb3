"""Test the connection to every enabled Sonarr/Radarr: GET system/status, a readable verdict each."""

from linkdoctor.clients.arr import ArrClient, ArrInstance
from linkdoctor.clients.radarr import RadarrClient
from linkdoctor.clients.records import ArrError
from linkdoctor.clients.sonarr import SonarrClient

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
