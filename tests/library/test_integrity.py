"""Check: every category on a real library, the duplicate verdicts, --verify-hash, and that nothing changes."""

import os

from tests.support.media import do_check, do_import, inventory


def paths(entries) -> set[str]:
    return {entry["path"] for entry in entries}


def test_a_freshly_imported_library_has_only_its_known_oddities(app, media):
    do_import(app)
    report = do_check(app)
    assert report["ghost_entries"] == [] and report["broken_symlinks"] == [] and report["hash_mismatches"] == []
    assert paths(report["orphan_files"]) == {str(media.orphan)}  # not the file outside the source roots
    assert paths(report["unidentified"]) == {str(media.unknown)}
    groups = {group["target"]: group for group in report["duplicate_targets"]}
    assert set(groups) == {str(media.amelie_target), str(media.e03_target)}
    legit, suspicious = groups[str(media.amelie_target)], groups[str(media.e03_target)]
    assert legit["verdict"] == "legitimate" and set(legit["links"]) == {str(media.amelie), str(media.amelie_comedy)}
    assert suspicious["verdict"] == "suspicious" and set(suspicious["links"]) == {str(media.e03), str(media.e04)}
    assert suspicious["action"] == "linkdoctor fix-bad-links"
    assert not report["consistent"]


def test_each_inconsistency_comes_with_its_fix(app, media):
    do_import(app)
    os.unlink(media.e04)  # a ghost entry
    os.unlink(media.dune_target)  # a broken link
    report = do_check(app)
    ghost, = report["ghost_entries"]
    assert (ghost["path"], ghost["target"], ghost["action"]) == (str(media.e04), str(media.e03_target), "linkdoctor import")
    broken, = report["broken_symlinks"]
    assert (broken["path"], broken["target"], broken["action"]) == (str(media.dune), str(media.dune_target),
                                                                    "linkdoctor repair-links")
    assert report["orphan_files"][0]["action"].startswith("linkdoctor import")
    assert "linkdoctor import" in report["unidentified"][0]["action"]
    assert report["counts"]["ghost_entries"] == 1 and report["counts"]["broken_symlinks"] == 1
    for category in ("ghost_entries", "broken_symlinks", "orphan_files", "unidentified"):
        assert all(os.path.isabs(entry["path"]) for entry in report[category])


def test_a_library_whose_only_duplicates_are_legitimate_is_consistent(app, library, source_dir):
    from linkdoctor.config import update_config

    film = library.target("Amelie.2001.mkv", content=os.urandom(4096))
    library.link("Films/Amélie (2001)/Amélie (2001).mkv", film)
    library.link("Films/Comédie/Amélie (2001).mkv", film)
    with app.app_context():
        update_config({"source_roots": [str(source_dir)]})
    do_import(app)
    report = do_check(app)
    assert report["consistent"], report
    assert [group["verdict"] for group in report["duplicate_targets"]] == ["legitimate"]


def test_verify_hash_catches_new_content_at_the_same_size_and_mtime(app, media):
    do_import(app)
    stat = media.dune_target.stat()
    media.dune_target.write_bytes(os.urandom(stat.st_size))
    os.utime(media.dune_target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert media.dune_target.stat().st_mtime_ns == stat.st_mtime_ns
    assert do_check(app)["hash_mismatches"] == []  # without --verify-hash nothing is read
    report = do_check(app, verify_hash=True)
    mismatch, = report["hash_mismatches"]
    assert (mismatch["path"], mismatch["target"]) == (str(media.dune), str(media.dune_target))
    assert inventory(app)[str(media.dune)]["hash"] in mismatch["detail"]
    # import skips it (size and mtime unchanged): the check is the only way to see it
    assert do_import(app)["updated"] == 0


def test_check_changes_nothing(app, media):
    do_import(app)
    os.unlink(media.e04)
    before = inventory(app)
    listing = sorted(os.walk(media.library.root))
    do_check(app, verify_hash=True)
    assert inventory(app) == before
    assert sorted(os.walk(media.library.root)) == listing and media.orphan.exists()


def test_results_are_kept_in_the_database_and_paged(app, media):
    from linkdoctor.library.integrity import results_page

    do_import(app)
    report = do_check(app)
    with app.app_context():
        page = results_page(report["job_id"], "duplicate_targets", 1, 1)
        assert page["total"] == 2 and len(page["items"]) == 1 and page["counts"]["orphan_files"] == 1
        second = results_page(report["job_id"], "duplicate_targets", 2, 1)
        assert second["items"][0]["target"] != page["items"][0]["target"]


def test_a_dead_mount_during_a_check_is_a_warning_not_a_broken_link(app, library, source_dir, faulty_mount):
    import time

    from linkdoctor.config import update_config

    backing = library.source / "backing"
    for i in range(5):
        (backing / f"d{i}").mkdir(parents=True)
        (backing / f"d{i}" / "f.mkv").write_bytes(os.urandom(4096))
    library.link("Films/Alive (2001)/Alive (2001).mkv", library.target("alive.mkv", content=os.urandom(4096)))
    for i in range(5):
        library.link(f"Films/Dead {i} (2000)/Dead {i} (2000).mkv", backing / f"d{i}" / "f.mkv")
    with app.app_context():
        update_config({"file_timeout": 1.0, "max_workers": 2, "source_roots": [str(source_dir)]})
    do_import(app)
    mount = faulty_mount(backing, rules=[{"glob": "*", "op": "getattr", "action": "hang"}])
    for i in range(5):  # the same links, now into the dead mount
        link = library.root / f"Films/Dead {i} (2000)/Dead {i} (2000).mkv"
        link.unlink()
        os.symlink(mount / f"d{i}" / "f.mkv", link)
    started = time.monotonic()
    report = do_check(app)
    assert time.monotonic() - started < 30
    assert report["broken_symlinks"] == [] and len(report["warnings"]) == 5
    assert not report["consistent"]  # what did not answer is not vouched for
