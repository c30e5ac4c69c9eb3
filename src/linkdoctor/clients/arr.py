"""One client for Sonarr and Radarr (API v3): a session per instance, the key in a header, bounded calls.

Every call has a timeout; connection errors and 5xx answers are retried with a
growing pause; everything else that goes wrong becomes an ArrError whose message
a person can act on (wrong key, wrong URL base, not a Sonarr, TLS, unreachable).
"""

import time
from urllib.parse import urljoin

import requests

from linkdoctor.clients import records
from linkdoctor.clients.api_session import ApiSession, readable_cause, shown_url, status_phrase
from linkdoctor.clients.history import GRABBED, parse_blocklist, parse_history
from linkdoctor.clients.identify import is_product, who_answers
from linkdoctor.clients.records import ArrError, ArrInstance  # noqa: F401  (ArrInstance: re-exported)

FINISHED_COMMAND_STATES = ("completed", "failed", "aborted", "cancelled", "orphaned")


class ArrAnswerError(ArrError):
    """Something answered, but not as the app would (401, 404, not JSON): maybe another app."""


class ArrClient(ApiSession):
    """The API v3 calls both apps share; SonarrClient and RadarrClient add their own."""

    app_name = ""  # what system/status calls itself: "Sonarr" or "Radarr"

    def __init__(self, instance: ArrInstance, timeout: float = 10.0, retries: int = 2, backoff: float = 0.5):
        super().__init__({"X-Api-Key": instance.api_key}, timeout)
        self.instance = instance
        self.retries = retries
        self.backoff = backoff

    # -- HTTP ----------------------------------------------------------------

    def request(self, method: str, path: str, params: dict | None = None, body: dict | None = None):
        """One API call with timeout and retries; the decoded JSON answer or an ArrError."""
        url = f"{self.instance.url}/api/v3/{path.lstrip('/')}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self._send(method, url, params, body)  # a redirect is reported by _decode
            except requests.exceptions.SSLError as exc:
                raise ArrError(f"{self._where()}: TLS error ({readable_cause(exc)}); "
                               "check http/https and the certificate") from exc
            except requests.exceptions.ReadTimeout as exc:
                raise ArrError(f"{self._where()}: no answer within {self.timeout:g}s (timeout)") from exc
            except requests.exceptions.ConnectionError as exc:
                if last:
                    raise ArrError(f"{self._where()}: cannot connect ({readable_cause(exc)}); "
                                   "check the host, the port and that it is running") from exc
                self._pause(attempt)
                continue
            if response.status_code >= 500 and not last:
                self._pause(attempt)
                continue
            return self._decode(response)
        raise AssertionError("unreachable")

    def _pause(self, attempt: int) -> None:
        time.sleep(self.backoff * (2 ** attempt))

    def _where(self) -> str:
        return f"{self.instance.label} at {self.instance.url}"

    def _decode(self, response: requests.Response):
        status = response.status_code
        if status == 401:
            raise ArrAnswerError(f"{self._where()}: wrong API key (401 Unauthorized); copy it from Settings > General")
        if status == 404:
            raise ArrAnswerError(f"{self._where()}: {response.request.path_url.split('?')[0]} not found (404); "
                           "check the URL base and that this is a Sonarr/Radarr v3 or newer")
        if 300 <= status < 400:
            where = shown_url(urljoin(response.url, response.headers.get("Location", "")))
            raise ArrError(f"{self._where()}: redirected to {where} (HTTP {status}); redirects are not followed, "
                           "so that the API key never leaves this address: set the scheme, host, port and URL base "
                           "to where the app answers")
        if status >= 400:
            # The status and its standard reason only: the body (and the reason line) are the remote's words,
            # not shown to whoever reads the test's message.
            raise ArrError(f"{self._where()}: HTTP {status} {status_phrase(status)}")
        return self._json(response, ArrAnswerError(f"{self._where()}: the answer is not JSON: this is not a "
                                                   "Sonarr/Radarr API (another application answers there, or the "
                                                   "URL base is wrong)"))

    # -- calls both apps share ------------------------------------------------

    def system_status(self) -> records.SystemStatus:
        """GET system/status, checked to come from the expected app."""
        try:
            data = self.request("GET", "system/status")
        except ArrAnswerError as exc:
            # A 401 from a Radarr in the Sonarr slot is not a wrong key: ask, without the key, who answers.
            other = who_answers(self.instance.url, self.timeout)
            if other and not is_product(other, self.app_name):
                raise ArrError(f"{self._where()}: this is {other}, not {self.app_name}: "
                               f"put {self.app_name}'s address here") from exc
            raise
        status = records.parse_system_status(data)
        if status.app.lower() != self.app_name.lower():
            found = f"{status.app} {status.version}".strip() if status.app else "an application that does not say its name"
            raise ArrError(f"{self._where()}: this is {found}, not {self.app_name}: put {self.app_name}'s address here")
        return status

    def send_command(self, name: str, **fields) -> records.Command:
        """POST command {name, ...fields}; the queued command."""
        return records.parse_command(self.request("POST", "command", body={"name": name, **fields}))

    def get_command(self, command_id: int) -> records.Command:
        return records.parse_command(self.request("GET", f"command/{command_id}"))

    # -- history and blocklist (no bad release twice) ---------------------------

    def history_of_download(self, download_id: str) -> list:
        """GET history?downloadId=&eventType=1: the grabs of one release, newest first."""
        return parse_history(self.request("GET", "history", params={
            "downloadId": download_id, "eventType": GRABBED, "sortKey": "date", "sortDirection": "descending"}))

    def mark_failed(self, history_id: int) -> None:
        """POST history/failed/{id}: the release is marked failed, which blocklists it."""
        self.request("POST", f"history/failed/{history_id}")

    def blocklist(self, page_size: int = 1000) -> list:
        """GET blocklist: the blocklisted releases (the newest `page_size`)."""
        return parse_blocklist(self.request("GET", "blocklist", params={
            "page": 1, "pageSize": page_size, "sortKey": "date", "sortDirection": "descending"}))

    def remove_from_blocklist(self, entry_id: int) -> None:
        """DELETE blocklist/{id}: the release may be grabbed again."""
        self.request("DELETE", f"blocklist/{entry_id}")

    def wait_for_command(self, command: records.Command, timeout: float, interval: float = 1.0,
                         cancelled=None) -> records.Command:
        """Poll the command until it has finished or `timeout` seconds passed (then state 'timeout')."""
        deadline = time.monotonic() + timeout
        while command.status not in FINISHED_COMMAND_STATES:
            if time.monotonic() >= deadline:
                return records.Command(command.id, command.name, "timeout",
                                       f"still {command.status} after {timeout:g}s")
            if cancelled is not None:
                cancelled()
            time.sleep(interval)
            command = self.get_command(command.id)
        return command
