"""Issue 17, finding 2: no request thread waits on the library without a worker, a timeout and a bound.

The real `linkdoctor serve` (waitress, 8 request threads) with a folder of the library on a FUSE mount
that never answers: 8 parallel requests of each route that takes a path into it, and meanwhile /ping
and the settings answer at once. Before, `repair/apply` resolved its paths in the request thread and 8
of them froze the whole server until the mount was killed.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.served import linkdoctor_serve

PARALLEL = 8
ROUTES = {
    "scan start": ("post", "/api/symlink/scan/start", lambda p: {"json": {"paths": [p]}}),
    "import": ("post", "/api/symlink/library/import", lambda p: {"json": {"paths": [p]}}),
    "repair apply": ("post", "/api/symlink/repair/apply",
                     lambda p: {"json": {"items": [{"path": p, "target": "/srv/source/x.mkv"}]}}),
    "folder tree": ("get", "/api/symlink/directories", lambda p: {"params": {"path": p}}),
    "ignore": ("post", "/api/symlink/ignores", lambda p: {"json": {"path": p}}),
}


@pytest.fixture
def hung_folder(library, faulty_mount):
    """A path of the library inside a folder link onto a mount whose `dead/` part never answers."""
    backing = library.source / "nas"
    (backing / "dead" / "Show").mkdir(parents=True)
    (backing / "dead" / "Show" / "e1.mkv").write_bytes(b"x" * 4096)
    mount = faulty_mount(backing, rules=[{"glob": "dead/*", "op": "getattr", "action": "hang"}])
    (library.root / "Dead").symlink_to(mount / "dead")
    library.healthy("Films/a.mkv")
    return str(library.root / "Dead" / "Show" / "e1.mkv")


def answers_at_once(url: str) -> None:
    for path in ("/ping", "/api/symlink/config"):
        started = time.monotonic()
        answer = requests.get(url + path, timeout=10)
        assert answer.status_code == 200, path
        assert time.monotonic() - started < 2, f"{path} took {time.monotonic() - started:.1f}s"


def send_in_parallel(url: str, route: str, path: str) -> list:
    method, endpoint, body = ROUTES[route]
    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = [pool.submit(getattr(requests, method), url + endpoint, timeout=60, **body(path))
                   for _ in range(PARALLEL)]
        while not all(future.done() for future in futures):
            answers_at_once(url)
        return [future.result() for future in futures]


def test_finding_2_eight_requests_of_every_path_route_into_a_hung_folder_leave_the_server_answering(
        env, tmp_path, hung_folder):
    with linkdoctor_serve(tmp_path) as served:
        assert requests.post(f"{served.url}/api/symlink/config", json={"file_timeout": 2}, timeout=10).ok
        for route in ROUTES:
            started = time.monotonic()
            answers = send_in_parallel(served.url, route, hung_folder)
            assert time.monotonic() - started < 30, route
            for answer in answers:
                assert answer.status_code in (201, 202, 400, 409, 503), (route, answer.status_code, answer.text)
                assert answer.headers["Content-Type"].startswith("application/json"), route
            if route != "ignore":  # an ignore rule is text: it never looks at the folder
                assert any(a.status_code == 503 and a.json()["error"] == "library_not_answering" for a in answers), route
            answers_at_once(served.url)


def test_finding_2_eight_repairs_into_a_hung_mount_with_the_default_timeouts(env, tmp_path, hung_folder):
    with linkdoctor_serve(tmp_path) as served:
        answers = send_in_parallel(served.url, "repair apply", hung_folder)
        assert {a.status_code for a in answers} == {503}
        messages = " ".join(a.json()["message"] for a in answers)
        assert "is its mount down?" in messages
        # The folder is remembered as not answering: the next request is refused at once, not waited on.
        started = time.monotonic()
        again = requests.post(f"{served.url}/api/symlink/repair/apply", timeout=10,
                              json={"items": [{"path": hung_folder, "target": "/srv/source/x.mkv"}]})
        assert again.status_code == 503 and time.monotonic() - started < 2
        answers_at_once(served.url)
