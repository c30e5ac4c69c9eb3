"""The whole scan engine on real libraries: categories, counters, phase 2, the verdict cache."""

import os
import threading

import pytest

from linkdoctor.scanner.engine import ScanEngine, ScanRequest
from linkdoctor.workers.pool import ScanCancelled
from tests.support.engine import ListSink, MemoryCache, assert_consistent, by_category, record_listing_pieces


def run(paths, depth="basic", cache=None, **options):
    sink = ListSink()
    request = ScanRequest(paths=[str(p) for p in paths], verification_depth=depth, max_workers=2, **options)
    counters = ScanEngine(request, sink, cache).run()
    return counters, sink


def test_phase1_counts_every_category(library):
    for i in range(5):
        library.healthy(f"Films/ok{i}/ok{i}.mkv")
    library.broken("Films/broken/broken.mkv")
    library.empty("Films/empty/empty.mkv")
    library.link("Films/small/small.mkv", library.target("small.src", 10))
    (library.root / "Films" / "regular.mkv").write_bytes(b"x" * 5000)  # not a link: not a finding
    counters, sink = run([library.root])
    assert counters["total_analyzed"] == 8
    assert counters["phase1_ok"] == 5
    assert by_category(sink) == {"broken": {"broken.mkv"}, "small": {"empty.mkv", "small.mkv"}}
    assert_consistent(counters, sink)


def test_walk_covers_many_folders_and_links(library):
    for i in range(600):
        library.healthy(f"Séries/Show {i % 7}/Season {i % 3}/ep{i}.mkv", size=2048)
    for i in range(40):
        library.broken(f"Films/F{i}/f{i}.mkv")
    counters, sink = run([library.root])
    assert counters["total_analyzed"] == 640
    assert counters["phase1_broken"] == 40
    assert_consistent(counters, sink)


def test_only_selected_folders_are_scanned(library):
    library.broken("Films/A/a.mkv")
    library.broken("Séries/B/b.mkv")
    counters, sink = run([library.root / "Films"])
    assert by_category(sink) == {"broken": {"a.mkv"}}


def test_a_selected_link_is_checked_itself(library):
    link = library.broken("Films/A/a.mkv")
    library.broken("Films/A/b.mkv")
    counters, sink = run([link])
    assert counters["total_analyzed"] == 1


def test_directory_links_are_not_descended(library):
    inner = library.source / "tree"
    (inner / "deep").mkdir(parents=True)
    os.symlink(library.source / "missing", inner / "deep" / "broken.mkv")
    library.link("Films/tree", inner)
    library.link("Films/loop", library.root / "Films")  # would loop forever if followed
    counters, sink = run([library.root])
    assert counters["total_analyzed"] == 2
    assert counters["phase1_ok"] == 2
    assert sink.findings == []


def test_progress_ends_at_one_hundred_percent(library):
    library.healthy("a.mkv")
    counters, sink = run([library.root])
    assert sink.snapshots[-1].progress == 1.0
    assert sink.snapshots[-1].phase == "done"


def test_cancel_raises_out_of_the_run(library):
    library.healthy("a.mkv")
    cancel = threading.Event()
    cancel.set()
    request = ScanRequest(paths=[str(library.root)], max_workers=1)
    with pytest.raises(ScanCancelled):
        ScanEngine(request, ListSink(), None, cancel).run()


# -- phase 2 -------------------------------------------------------------


@pytest.fixture
def media_library(library):
    library.link("Films/Good/good.mkv", library.video("good.mkv"))
    library.link("Films/GoodMp4/good.mp4", library.video("good.mp4"))
    library.link("Films/Trunc/trunc.mkv", library.truncated("trunc.mkv", 0.5))
    library.link("Films/Garbage/garbage.mkv", library.garbage("garbage.mkv"))
    library.link("Films/Good/good.fr.srt", library.target("good.fr.srt", 4096))  # never probed
    library.link("Films/Good/movie.nfo", library.target("movie.nfo", 4096))
    return library


def test_full_depth_finds_corrupted_media_and_skips_non_media(media_library):
    counters, sink = run([media_library.root], depth="full")
    assert counters["phase2_analyzed"] == 4
    assert by_category(sink) == {"corrupted": {"trunc.mkv", "garbage.mkv"}}
    assert_consistent(counters, sink)


def test_basic_depth_runs_no_probe(media_library):
    counters, sink = run([media_library.root], depth="basic")
    assert counters["phase2_analyzed"] == 0
    assert sink.findings == []


def test_rescan_of_unchanged_files_probes_nothing_new(media_library):
    cache = MemoryCache()
    first, first_sink = run([media_library.root], depth="full", cache=cache)
    second, second_sink = run([media_library.root], depth="full", cache=cache)
    assert first["phase2_cached"] == 0
    assert second["phase2_cached"] == second["phase2_analyzed"] == 4
    assert by_category(second_sink) == by_category(first_sink)


def test_a_changed_file_is_probed_again(media_library):
    cache = MemoryCache()
    run([media_library.root], depth="full", cache=cache)
    good = media_library.source / "good.mkv"
    good.write_bytes(good.read_bytes()[: good.stat().st_size // 3])  # now truncated: new size and mtime
    counters, sink = run([media_library.root], depth="full", cache=cache)
    assert counters["phase2_cached"] == 3
    assert "good.mkv" in by_category(sink)["corrupted"]


class SlowHistoryCache(MemoryCache):
    """A cache whose earlier scans measured 2 s per probe."""

    def mean_probe_seconds(self):
        return 2.0


def test_phase2_eta_comes_from_measured_probe_times(media_library):
    sink = ListSink()
    request = ScanRequest(paths=[str(media_library.root)], verification_depth="full", max_workers=1)
    ScanEngine(request, sink, SlowHistoryCache()).run()
    before = [s for s in sink.snapshots if s.phase == "phase2" and s.probed == 0]
    # Before any probe of this scan: 4 files to probe x 2 s measured earlier, one worker.
    assert before and before[0].eta == pytest.approx(8.0)



def test_phase2_eta_switches_to_this_scans_own_probe_times(media_library):
    request = ScanRequest(paths=[str(media_library.root)], verification_depth="full", max_workers=1)
    engine = ScanEngine(request, ListSink(), SlowHistoryCache())
    engine.phase, engine.phase2.to_probe, engine.phase2.probed = "phase2", 10, 1
    engine.phase2.expected_probe_seconds = 2.0
    engine.phase2.probe_seconds = [0.5]
    assert engine.snapshot().eta == pytest.approx(9 * 0.5)


def test_regular_media_files_are_probed_only_when_asked(media_library):
    regular = media_library.root / "Films" / "Regular" / "regular.mkv"
    regular.parent.mkdir(parents=True)
    regular.write_bytes(media_library.truncated("reg-trunc.mkv").read_bytes())
    (regular.parent / "poster.jpg").write_bytes(b"x" * 5000)
    without, sink = run([media_library.root], depth="full")
    assert "regular.mkv" not in by_category(sink).get("corrupted", set())
    counters, sink = run([media_library.root], depth="full", include_regular_files=True)
    assert "regular.mkv" in by_category(sink)["corrupted"]
    assert counters["total_analyzed"] == without["total_analyzed"] + 1  # the poster is not media


def test_walk_is_done_only_when_every_folder_is_listed(library):
    for i in range(300):
        library.healthy(f"Films/F{i}/f.mkv")
    sink = ListSink()
    ScanEngine(ScanRequest(paths=[str(library.root)], max_workers=3), sink, None).run()
    # Once the walk says it is done, the number of links found never grows again.
    done = [s.discovered for s in sink.snapshots if s.walk_done]
    assert done and len(set(done)) == 1 and done[0] == 300


def test_pending_folders_spill_to_disk_and_all_are_walked(library, monkeypatch):
    from linkdoctor.scanner import engine

    monkeypatch.setattr(engine, "FOLDERS_IN_MEMORY", 10)  # read when the engine is made
    for i in range(250):
        library.healthy(f"Films/T{i:03}/S/f.mkv")
    counters, sink = run([library.root])
    assert counters["total_analyzed"] == counters["phase1_ok"] == 250


@pytest.fixture
def started_workers(monkeypatch):
    """Counts the worker processes the pool starts."""
    from linkdoctor.workers import pool

    started = []
    original = pool._Worker.__init__

    def counting(self, *args, **kwargs):
        original(self, *args, **kwargs)
        started.append(self.proc.pid)

    monkeypatch.setattr(pool._Worker, "__init__", counting)
    return started


def test_a_fast_local_scan_starts_no_more_workers_than_cores(library, started_workers):
    for i in range(400):
        library.healthy(f"Series/S{i // 100}/Season 01/e{i:03}.mkv")
    request = ScanRequest(paths=[str(library.root)], max_workers=16)
    counters = ScanEngine(request, ListSink(), None).run()
    assert counters["phase1_ok"] == 400
    assert 1 <= len(started_workers) <= min(16, os.cpu_count() or 1)


def test_a_small_scan_starts_one_worker(library, started_workers):
    for i in range(10):
        library.healthy(f"Films/A/a{i}.mkv")
    counters = ScanEngine(ScanRequest(paths=[str(library.root)], max_workers=32), ListSink(), None).run()
    assert counters["phase1_ok"] == 10
    assert len(started_workers) == 1


def test_links_into_a_slow_mount_get_every_worker(library, faulty_mount, started_workers):
    cores = os.cpu_count() or 1
    links = 20 * (cores + 2)  # a season folder of 20 for each worker
    backing = library.source / "slow"
    backing.mkdir()
    for i in range(links):
        (backing / f"f{i:03}.mkv").write_bytes(b"x" * 2048)
    mount = faulty_mount(backing, latency_ms=10)  # every check waits on the mount, not on the CPU
    for i in range(links):
        library.link(f"Series/S/Season {i // 20 + 1:02}/e{i:03}.mkv", mount / f"f{i:03}.mkv")
    request = ScanRequest(paths=[str(library.root)], max_workers=cores + 2)
    counters = ScanEngine(request, ListSink(), None).run()
    assert counters["phase1_ok"] == links
    assert len(started_workers) > cores


def test_ignore_rules_apply_inside_the_folder_scans(library, started_workers):
    from linkdoctor.ignore_rules import IgnoreRules

    kept = library.broken("Films/Kept/k.mkv")
    one = library.broken("Films/One/o.mkv")
    for i in range(3):
        library.broken(f"Films/Extras/e{i}.mkv")
    library.link("Films/Elsewhere/x.mkv", "/mnt/old-debrid/x.mkv")
    rules = IgnoreRules(links=[str(one)], folders=[str(library.root / "Films/Extras")], targets=["/mnt/old-debrid"])
    sink = ListSink()
    engine = ScanEngine(ScanRequest(paths=[str(library.root)], max_workers=2, ignores=rules), sink, None)
    counters = engine.run()
    assert [record.path for record in sink.findings] == [str(kept)]
    assert counters["ignored"] == 5 and counters["total_analyzed"] == 1
    # The rules crossed to the worker processes (which import no SQLAlchemy): none crashed on them.
    assert started_workers and not engine.careful and engine.phase1_pool.replaced == 0


def test_a_folder_too_big_to_hold_is_read_back_a_share_at_a_time(library, monkeypatch):
    from linkdoctor.scanner import engine

    monkeypatch.setattr(engine, "LISTING_IN_MEMORY", 50)  # names (or sub-folders) a listing holds
    monkeypatch.setattr(engine, "SHARE", 20)
    for i in range(700):
        if i % 10:
            library.healthy(f"Flat/e{i:04}.mkv", size=2048)
        else:
            library.broken(f"Flat/e{i:04}.mkv")
    for i in range(130):
        library.healthy(f"Flat/Movie {i:03}/m.mkv", size=2048)
    records = record_listing_pieces(monkeypatch, engine)  # what the engine read back from its workers' files
    sink = ListSink()
    scan = ScanEngine(ScanRequest(paths=[str(library.root)], max_workers=2), sink, None)
    counters = scan.run()
    assert counters["total_analyzed"] == 830 and counters["phase1_broken"] == 70
    assert sorted(f.path for f in sink.findings) == sorted(
        str(library.root / f"Flat/e{i:04}.mkv") for i in range(0, 700, 10))
    read = [record for record in records if record is not None]
    names = [name for kind, items in read if kind == "names" for name in items]
    folders = [path for kind, items in read if kind == "subdirs" for path in items]
    assert len(names) >= 700 - 50 and len(set(names)) == len(names) and len(folders) >= 130 - 50
    assert max(len(items) for kind, items in read if kind == "names") <= 20
    assert not os.path.exists(scan.spill_dir)


def test_a_scan_leaves_no_listing_file_behind_when_cancelled(library, monkeypatch):
    from linkdoctor.scanner import engine

    monkeypatch.setattr(engine, "LISTING_IN_MEMORY", 30)
    monkeypatch.setattr(engine, "SHARE", 10)
    for i in range(400):
        library.healthy(f"Flat/e{i:04}.mkv", size=2048)
    cancel = threading.Event()

    class CancelOnRead(engine.ListingPieces):
        def next(self):
            cancel.set()  # while the listing's file is still being read
            return super().next()

    monkeypatch.setattr(engine, "ListingPieces", CancelOnRead)
    scan = ScanEngine(ScanRequest(paths=[str(library.root)], max_workers=2), ListSink(), None, cancel)
    with pytest.raises(ScanCancelled):
        scan.run()
    assert scan.pieces and all(pieces.handle.closed for _, pieces in scan.pieces)
    assert not os.path.exists(scan.spill_dir)


@pytest.mark.parametrize("in_memory", [50, 10_000], ids=["in a file", "in memory"])
def test_a_flat_folder_counts_its_links_as_found_from_its_listing(library, monkeypatch, in_memory):
    # A big flat folder's links are checked in shares; the progress counts them all from the listing on,
    # so that it does not reach its end after the first share.
    from linkdoctor.scanner import engine

    monkeypatch.setattr(engine, "LISTING_IN_MEMORY", in_memory)
    monkeypatch.setattr(engine, "SHARE", 10)
    for i in range(300):
        library.healthy(f"Flat/e{i:04}.mkv", size=2048)
    library.healthy("Flat/Sub/one.mkv", size=2048)
    running = []  # what a status poll would have seen after each answer of a worker

    class Polled(ScanEngine):
        def _on_scan(self, outcome, candidates):
            super()._on_scan(outcome, candidates)
            running.append(self.snapshot())

    sink = ListSink()
    counters = Polled(ScanRequest(paths=[str(library.root)], max_workers=2), sink, None).run()
    assert counters["total_analyzed"] == 301
    flat = [s for s in running if s.checked and s.checked < 300]  # after the first share of the flat folder
    assert len(flat) >= 10 and all(s.discovered in (300, 301) for s in flat)
    assert all(s.progress < 0.99 for s in flat)
    assert all(s.discovered <= 301 for s in running + sink.snapshots) and sink.snapshots[-1].discovered == 301


def test_a_careful_walk_lists_a_folder_too_big_to_hold_through_a_file(library, monkeypatch):
    from linkdoctor.scanner import engine

    monkeypatch.setattr(engine, "LISTING_IN_MEMORY", 5)
    for i in range(40):
        if i % 8:
            library.healthy(f"Films/Movie {i:02}/m.mkv", size=2048)
        else:
            library.broken(f"Films/Movie {i:02}/m.mkv")
    sink = ListSink()
    scan = ScanEngine(ScanRequest(paths=[str(library.root)], max_workers=2), sink, None)
    scan.careful = True  # as after a killed worker: folders listed, their links checked one batch per task
    counters = scan.run()
    assert (counters["total_analyzed"], counters["phase1_broken"]) == (40, 5)
    assert len({f.path for f in sink.findings}) == 5 and not os.path.exists(scan.spill_dir)


def test_one_big_folder_does_not_make_the_folders_still_to_list_look_as_big(library, monkeypatch):
    # 3 movie folders of one link are listed after a flat folder of 200 links: the estimate of the links still
    # to find goes by the folders listed whole (one link each), not by the flat one; the bar never goes back.
    from linkdoctor.scanner import engine

    monkeypatch.setattr(engine, "SHARE", 10)
    for i in range(200):
        library.healthy(f"Flat/e{i:03}.mkv", size=2048)
    for i in range(30):
        library.healthy(f"Movies/M{i:02}/m.mkv", size=2048)
    estimates = []

    class Polled(ScanEngine):
        def _on_scan(self, outcome, candidates):
            super()._on_scan(outcome, candidates)
            estimates.append((self._expected_links(), self.snapshot().progress))

    sink = ListSink()
    counters = Polled(ScanRequest(paths=[str(library.root)], max_workers=2), sink, None).run()
    assert counters["total_analyzed"] == 230
    assert max(expected for expected, _ in estimates) <= 230 + 30  # never the flat folder's 200 per folder
    progress = [p for _, p in estimates]
    assert all(a <= b for a, b in zip(progress, progress[1:])) and sink.snapshots[-1].progress == 1.0
