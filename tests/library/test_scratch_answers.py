"""A re-import after moves, deletions and changes, then a check: every answer, exactly, at any batch size.

Import and check keep what they learn of the whole library in a scratch SQLite database, written in
batches; these tests run the same story with the real batch sizes and with batches of two (every
boundary crossed), and the answers must be the same: counts, records (a moved record keeps its id),
and the check's entries in their order.
"""

import os

import pytest

from tests.support.media import AMELIE, do_check, do_import, inventory


@pytest.fixture(params=["real batches", "batches of two"])
def batches(request, monkeypatch):
    if request.param == "batches of two":
        from linkdoctor.library import integrity, inventory as importer, scratch

        monkeypatch.setattr(scratch, "BATCH", 2)
        monkeypatch.setattr(importer, "INSERT_BATCH", 2)
        monkeypatch.setattr(integrity, "INSERT_BATCH", 2)
        monkeypatch.setattr(integrity, "DUPLICATES_BATCH", 1)
    return request.param


def test_a_reimport_after_moves_deletions_and_changes_records_each_one(app, media, batches):
    do_import(app)
    before = inventory(app)
    root = media.library.root
    # Dune moved to another folder: its record follows it.
    dune = root / "Movies" / "Science-fiction" / "Dune (2021).mkv"
    dune.parent.mkdir()
    os.rename(media.dune, dune)
    # Both links to one Amélie file gone, one of them back under a new name: the first record of that
    # hash is the one moved, the other is forgotten.
    amelie = root / "Films" / "Amélie (2001)" / "Amélie (2001).mkv"
    amelie.parent.mkdir()
    os.rename(media.amelie, amelie)
    os.unlink(media.amelie_comedy)
    os.unlink(media.e0102)  # forgotten
    media.e03_target.write_bytes(os.urandom(9000))  # new content behind two links: both updated
    new_film = media.library.link("Movies/Arrival (2016)/Arrival (2016).mkv", media.target("arrival.mkv"))
    broken = media.library.link("Movies/Tenet (2020)/Tenet (2020).mkv", media.library.source / "tenet.mkv")

    result = do_import(app)

    counts = {key: result[key] for key in ("imported", "updated", "skipped", "pending", "errors", "moved", "forgotten")}
    assert counts == {"imported": 2, "updated": 4, "skipped": 2, "pending": 1, "errors": 1, "moved": 2, "forgotten": 2}
    assert [failure["path"] for failure in result["failures"]] == [str(broken)]
    items = inventory(app)
    assert set(items) == {str(p) for p in (amelie, dune, media.e03, media.e04, media.unknown, media.regular,
                                           new_film, broken)}
    assert items[str(amelie)]["id"] == before[str(media.amelie)]["id"]  # the first of the two records
    assert items[str(amelie)]["hash"] == before[str(media.amelie)]["hash"]
    assert (items[str(amelie)]["title"], items[str(amelie)]["year"]) == ("Amélie", 2001)
    assert items[str(dune)]["id"] == before[str(media.dune)]["id"]
    for link in (media.e03, media.e04):
        assert items[str(link)]["id"] == before[str(link)]["id"]
        assert items[str(link)]["size"] == 9000 and items[str(link)]["hash"] != before[str(link)]["hash"]
    assert items[str(new_film)]["title"] == "Arrival" and len(items[str(new_film)]["hash"]) == 16
    assert items[str(broken)]["title"] == "Tenet" and items[str(broken)]["hash"] is None
    for path in (media.unknown, media.regular):
        assert items[str(path)] == before[str(path)]  # skipped: untouched

    again = do_import(app)
    assert (again["imported"], again["updated"], again["moved"], again["forgotten"]) == (0, 0, 0, 0)
    assert inventory(app) == items


def test_a_check_reports_every_category_in_order(app, media, batches):
    do_import(app)
    root = media.library.root
    os.unlink(media.e0102)  # a ghost, and its target an orphan
    os.unlink(media.dune_target)  # a broken link
    # A link whose name is not UTF-8 points at the orphan: it is no orphan any more, and the odd name
    # does not stop the check.
    os.symlink(media.orphan, os.fsencode(root / "Films") + b"/Orphan (2010) caf\xe9.mkv")
    second_orphan = media.target("another.mkv")
    first_orphan = media.target("a first.mkv")
    # A third link to the Amélie file, in a folder that makes it the same film: still legitimate.
    romance = media.library.link(f"Films/Romance/{AMELIE}.mkv", media.amelie_target)

    report = do_check(app)

    assert report["counts"] == {"ghost_entries": 1, "broken_symlinks": 1, "orphan_files": 3,
                                "duplicate_targets": 2, "unidentified": 1, "hash_mismatches": 0}
    assert [(e["path"], e["target"]) for e in report["ghost_entries"]] == [
        (str(media.e0102), str(media.library.source / "dix.pour.cent.s01e01e02.mkv"))]
    assert [(e["path"], e["target"]) for e in report["broken_symlinks"]] == [(str(media.dune), str(media.dune_target))]
    e0102_target = media.library.source / "dix.pour.cent.s01e01e02.mkv"
    assert [e["path"] for e in report["orphan_files"]] == [str(first_orphan), str(second_orphan), str(e0102_target)]
    assert [e["path"] for e in report["unidentified"]] == [str(media.unknown)]
    groups = [(g["target"], g["links"], g["verdict"]) for g in report["duplicate_targets"]]
    assert groups == sorted([
        (str(media.amelie_target), sorted([str(media.amelie), str(media.amelie_comedy), str(romance)]), "legitimate"),
        (str(media.e03_target), [str(media.e03), str(media.e04)], "suspicious"),
    ])
    # 9 media items in the library (8, one gone, two new links); 7 media files in the source root.
    assert not report["consistent"] and report["checked"] == 9 + 7
