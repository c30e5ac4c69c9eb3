"""Import: what is recorded, what a second import changes (nothing), moves, renames, changes, ghosts, failures."""

import os
import time

from tests.support.media import AMELIE, Media, do_import, inventory
from tests.support.waiting import wait_until


def test_first_import_records_every_media_link_and_file_with_its_identity(app, media):
    result = do_import(app)
    assert (result["imported"], result["updated"], result["skipped"], result["errors"]) == (Media.MEDIA_ITEMS, 0, 0, 0)
    assert result["pending"] == 1
    items = inventory(app)
    assert set(items) == {str(p) for p in (media.amelie, media.amelie_comedy, media.dune, media.e03, media.e04,
                                           media.e0102, media.unknown, media.regular)}
    amelie = items[str(media.amelie)]
    assert amelie["target"] == str(media.amelie_target) and amelie["is_link"]
    assert (amelie["kind"], amelie["title"], amelie["year"]) == ("movie", AMELIE[:-7], 2001)
    assert amelie["size"] == media.amelie_target.stat().st_size and len(amelie["hash"]) == 16
    double = items[str(media.e0102)]
    assert (double["kind"], double["title"], double["season"], double["episodes"]) == ("episode", "Dix pour cent", 1, [1, 2])
    regular = items[str(media.regular)]
    assert (regular["is_link"], regular["target"], regular["title"], regular["year"]) == (False, "", "Home", 2019)
    unknown = items[str(media.unknown)]
    assert unknown["pending"] and unknown["kind"] == ""


def test_importing_twice_changes_nothing_the_second_time(app, media):
    do_import(app)
    before = inventory(app)
    result = do_import(app)
    assert (result["imported"], result["updated"], result["skipped"], result["errors"]) == (0, 0, Media.MEDIA_ITEMS, 0)
    assert inventory(app) == before


def test_a_moved_link_keeps_its_record_under_the_new_path(app, media):
    do_import(app)
    old = inventory(app)[str(media.dune)]
    new_path = media.library.root / "Movies" / "Science-fiction" / "Dune (2021).mkv"
    new_path.parent.mkdir()
    os.rename(media.dune, new_path)
    result = do_import(app)
    assert (result["moved"], result["updated"], result["imported"], result["forgotten"]) == (1, 1, 0, 0)
    items = inventory(app)
    assert str(media.dune) not in items
    assert items[str(new_path)]["id"] == old["id"] and items[str(new_path)]["hash"] == old["hash"]


def test_a_pending_item_renamed_by_hand_leaves_the_pending_list(app, media):
    assert do_import(app)["pending"] == 1
    renamed = media.library.root / "Films" / "sans titre" / "Le Dîner de cons (1998).mkv"
    os.rename(media.unknown, renamed)
    result = do_import(app)
    assert result["pending"] == 0 and result["moved"] == 1
    item = inventory(app)[str(renamed)]
    assert (item["kind"], item["title"], item["year"], item["pending"]) == ("movie", "Le Dîner de cons", 1998, False)


def test_a_changed_target_updates_its_record(app, media):
    do_import(app)
    before = inventory(app)[str(media.dune)]
    media.dune_target.write_bytes(os.urandom(10_000))
    result = do_import(app)
    assert (result["updated"], result["imported"], result["skipped"]) == (1, 0, Media.MEDIA_ITEMS - 1)
    after = inventory(app)[str(media.dune)]
    assert after["id"] == before["id"] and after["size"] == 10_000 and after["hash"] != before["hash"]


def test_a_link_gone_from_the_library_is_forgotten_by_import(app, media):
    do_import(app)
    os.unlink(media.e04)
    result = do_import(app)
    assert result["forgotten"] == 1
    assert str(media.e04) not in inventory(app)


def test_a_dry_run_records_nothing(app, media):
    result = do_import(app, dry_run=True)
    assert result["imported"] == Media.MEDIA_ITEMS and result["dry_run"]
    assert inventory(app) == {}


def test_importing_a_folder_touches_only_that_folder(app, media):
    do_import(app, [str(media.library.root / "Séries")])
    assert set(inventory(app)) == {str(media.e03), str(media.e04), str(media.e0102)}
    assert do_import(app)["imported"] == Media.MEDIA_ITEMS - 3  # the rest, nothing forgotten


def test_a_broken_link_is_counted_as_an_error_but_still_recorded_by_its_name(app, media):
    os.unlink(media.dune_target)
    result = do_import(app)
    assert result["errors"] == 1 and result["imported"] == Media.MEDIA_ITEMS
    assert "target missing" in result["failures"][0]["reason"]
    dune = inventory(app)[str(media.dune)]
    # What repair will need: where it pointed and what it was.
    assert (dune["target"], dune["title"], dune["year"], dune["hash"]) == (str(media.dune_target), "Dune", 2021, None)


def test_a_known_item_whose_target_vanished_keeps_its_record(app, media):
    do_import(app)
    before = inventory(app)[str(media.dune)]
    os.unlink(media.dune_target)
    result = do_import(app)
    assert result["errors"] == 1 and result["forgotten"] == 0
    assert inventory(app)[str(media.dune)] == before


def test_a_failing_file_is_counted_and_the_import_goes_on(app, media):
    os.unlink(media.dune_target)
    media.dune_target.mkdir()  # a folder where a file was: cannot be hashed
    result = do_import(app)
    assert result["errors"] == 1 and result["imported"] == Media.MEDIA_ITEMS - 1
    assert result["failures"] == [{"path": str(media.dune), "reason": "not a regular file"}]


def test_a_dead_mount_costs_a_timeout_not_a_hang(app, library, faulty_mount):
    from linkdoctor.config import update_config

    backing = library.source / "backing"
    for i in range(6):
        (backing / f"d{i}").mkdir(parents=True)
        (backing / f"d{i}" / "f.mkv").write_bytes(os.urandom(4096))
    mount = faulty_mount(backing, rules=[{"glob": "*", "op": "getattr", "action": "hang"}])
    for i in range(6):
        library.link(f"Films/Dead {i} (2000)/Dead {i} (2000).mkv", mount / f"d{i}" / "f.mkv")
    library.link("Films/Alive (2001)/Alive (2001).mkv", library.target("alive.mkv", content=os.urandom(4096)))
    with app.app_context():
        update_config({"file_timeout": 1.0, "max_workers": 2})
    started = time.monotonic()
    result = do_import(app, timeout=60)
    elapsed = time.monotonic() - started
    assert result["imported"] == 1 and result["errors"] == 6
    assert any("stopped answering" in f["reason"] for f in result["failures"])
    assert elapsed < 30  # 6 targets x 3 s one at a time would be 18 s; the breaker stops after 3


def test_an_import_stuck_on_a_dead_mount_is_cancelled_at_once(app, library, faulty_mount):
    from linkdoctor.config import update_config
    from linkdoctor.library.service import start_import

    backing = library.source / "backing"
    backing.mkdir()
    (backing / "f.mkv").write_bytes(os.urandom(4096))
    mount = faulty_mount(backing, rules=[{"glob": "*", "op": "getattr", "action": "hang"}])
    library.link("Films/Stuck (2000)/Stuck (2000).mkv", mount / "f.mkv")
    with app.app_context():
        update_config({"file_timeout": 30.0})  # the deadline is 90 s: only the cancel can end it soon
        runner = app.extensions["linkdoctor.jobs"]
        ctx = start_import(runner)
        wait_until(faulty_mount.held, message="the import never blocked on the mount")
        started = time.monotonic()
        runner.cancel(ctx.job_id)
        assert ctx.done.wait(10)
        assert time.monotonic() - started < 5
        assert runner.status(ctx.job_id)["state"] == "cancelled"
    assert inventory(app) == {}
