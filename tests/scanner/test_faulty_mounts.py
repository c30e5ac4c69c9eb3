"""Phase 1 and 2 against real FUSE filesystems that fail: EIO, EACCES, hangs, a dead daemon."""

import os
import time

import pytest

from linkdoctor.scanner.engine import ScanEngine, ScanRequest
from tests.support.engine import ListSink, assert_consistent, by_category
from tests.support.faultmount import FaultyMount


def scan(root, depth="basic", **options):
    sink = ListSink()
    request = ScanRequest(paths=[str(root)], verification_depth=depth, max_workers=3, **options)
    started = time.monotonic()
    counters = ScanEngine(request, sink, None).run()
    return counters, sink, time.monotonic() - started


@pytest.fixture
def backing(library):
    path = library.source / "backing"
    for folder in ("ok", "eio", "denied", "hang", "slowread"):
        (path / folder).mkdir(parents=True)
        (path / folder / "f.mkv").write_bytes(b"x" * 8192)
    return path


def link_each(library, mount, folders):
    for folder in folders:
        library.link(f"Films/{folder}/{folder}.mkv", mount / folder / "f.mkv")


def test_each_fault_gets_its_own_category(library, backing, faulty_mount):
    mount = faulty_mount(backing, rules=[
        {"glob": "eio/*", "op": "read", "action": "eio"},
        {"glob": "denied/*", "op": "open", "action": "eacces"},
        {"glob": "hang/*", "op": "getattr", "action": "hang"},
        {"glob": "slowread/*", "op": "read", "action": "hang"},
    ])
    link_each(library, mount, ("ok", "eio", "denied", "hang", "slowread"))
    counters, sink, elapsed = scan(library.root, file_timeout=1.5)
    assert by_category(sink) == {
        "io_error": {"eio.mkv"}, "inaccessible": {"denied.mkv"}, "timeout": {"hang.mkv", "slowread.mkv"},
    }
    assert counters["phase1_ok"] == 1
    assert_consistent(counters, sink)
    assert elapsed < 30  # bounded by the timeouts; a hang would never return


def test_permission_error_from_the_filesystem_is_seen_even_as_root(library, backing, faulty_mount):
    mount = faulty_mount(backing, rules=[{"glob": "denied/*", "op": "open", "action": "eacces"}])
    link_each(library, mount, ("denied",))
    counters, sink, _ = scan(library.root)
    assert counters["phase1_inaccessible"] == 1
    assert "permission denied" in sink.findings[0].detail


def test_a_dead_mount_is_cut_off_after_a_few_timeouts(library, faulty_mount):
    backing = library.source / "dead-backing"
    backing.mkdir()
    for i in range(40):
        (backing / f"d{i:02}").mkdir()
        (backing / f"d{i:02}" / "f.mkv").write_bytes(b"x" * 4096)
    mount = faulty_mount(backing, rules=[{"glob": "*", "op": "getattr", "action": "hang"}])
    for i in range(40):
        library.link(f"Films/F{i:02}/f.mkv", mount / f"d{i:02}" / "f.mkv")
    counters, sink, elapsed = scan(library.root, file_timeout=1.0)
    assert counters["phase1_timeout"] == 40
    assert any("stopped answering" in f.detail for f in sink.findings)
    assert elapsed < 20  # 40 links x 1 s each, one at a time, would be 40 s


def test_a_crashed_fuse_daemon_is_an_io_error_not_broken(library, backing, tmp_path):
    mountpoint = tmp_path / "crashed"
    mountpoint.mkdir()
    mount = FaultyMount(backing, mountpoint)
    mount.start()
    try:
        library.link("Films/ok/ok.mkv", mountpoint / "ok" / "f.mkv")
        os.killpg(mount._proc.pid, 9)  # the mount stays, its daemon is gone: ENOTCONN
        mount._proc.wait(5)
        counters, sink, _ = scan(library.root)
        assert by_category(sink) == {"io_error": {"ok.mkv"}}
        assert "not connected" in sink.findings[0].detail
    finally:
        mount.stop()


def test_phase2_probe_that_hangs_times_out(library, faulty_mount):
    backing = library.source / "media"
    backing.mkdir()
    good = library.video("good.mkv")
    for name in ("good.mkv", "stuck.mkv"):
        (backing / name).write_bytes(good.read_bytes())
    # Phase 1 reads the first KiB; a hang on reads past it only catches ffprobe.
    mount = faulty_mount(backing, rules=[{"glob": "stuck.mkv", "op": "read", "action": "hang"}])
    library.link("Films/good.mkv", mount / "good.mkv")
    library.link("Films/stuck.mkv", mount / "stuck.mkv")
    counters, sink, elapsed = scan(library.root, depth="full", file_timeout=1.0, probe_timeout=2.0)
    assert by_category(sink) == {"timeout": {"stuck.mkv"}}
    assert counters["phase2_timeout"] + counters["phase1_timeout"] == 1
    assert elapsed < 30


def test_a_read_error_in_phase_2_is_an_io_error_never_corrupted(library, faulty_mount, tmp_path):
    """A debrid file whose start reads and whose end fails: the mount's fault, not the media's.

    Phase 1 reads the first KiB and passes; the probe reads the end and gets EIO. That is an
    io_error (shown, never proposed for removal) and is not remembered, so the next scan reads
    it again; the same file read whole through a sound path is ok.
    """
    from linkdoctor.mediagen import make_video
    from linkdoctor.quarantine import REMOVABLE

    backing = library.source / "backing"
    (backing / "cut").mkdir(parents=True)
    video = make_video(backing / "cut" / "film.mkv", seconds=20, size="640x360")
    assert video.stat().st_size > 512 * 1024  # its end lies well past the kernel's read-ahead
    mount = faulty_mount(backing, rules=[{"glob": "cut/*", "op": "read", "action": "eio", "min_offset": 256 * 1024}])
    library.link("Films/Cut/film.mkv", mount / "cut" / "film.mkv")
    library.link("Films/Sound/film.mkv", video)

    class Remembered:
        stored: list = []

        def lookup(self, identities):
            return {}

        def store(self, identity, verdict, probe_seconds):
            self.stored.append((identity, verdict))

        def mean_probe_seconds(self):
            return None

    cache = Remembered()
    sink = ListSink()
    request = ScanRequest(paths=[str(library.root)], verification_depth="full", max_workers=2,
                          phase2_decode="off")
    counters = ScanEngine(request, sink, cache).run()
    assert by_category(sink) == {"io_error": {"film.mkv"}}
    [finding] = sink.findings
    assert finding.path == str(library.root / "Films/Cut/film.mkv")
    assert "Input/output error" in finding.detail and finding.category not in REMOVABLE
    assert (counters["phase1_ok"], counters["phase2_io_error"], counters["phase2_corrupted"]) == (2, 1, 0)
    assert counters["phase2_ok"] == 1  # the same file through a sound path
    assert_consistent(counters, sink)
    assert [verdict.level for _identity, verdict in cache.stored] == ["ok"]  # the read error is not remembered


def test_a_hung_link_among_healthy_ones_in_one_folder_is_the_only_timeout(library, backing, faulty_mount):
    # The folder's links are first checked in one task; when it times out, the folder is checked again link
    # by link: exactly the hung link is a timeout and every other link is counted once.
    mount = faulty_mount(backing, rules=[{"glob": "hang/*", "op": "getattr", "action": "hang"}])
    for i in range(8):
        library.link(f"Series/S/Season 01/e{i}.mkv", mount / "ok" / "f.mkv")
    library.link("Series/S/Season 01/stuck.mkv", mount / "hang" / "f.mkv")
    library.link("Series/S/Season 02/e9.mkv", mount / "ok" / "f.mkv")
    counters, sink, _ = scan(library.root, file_timeout=1.0)
    assert by_category(sink) == {"timeout": {"stuck.mkv"}}
    assert counters["phase1_ok"] == 9 and counters["total_analyzed"] == 10
    assert_consistent(counters, sink)
