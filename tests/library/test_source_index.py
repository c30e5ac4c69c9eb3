"""The source index: built on first use, refreshed by listing only the folders that changed."""

import os
import threading

from linkdoctor.library.identify import Identity
from linkdoctor.library.source_index import Candidates, identify_release, refresh
from linkdoctor.models import EPISODE, MOVIE, SourceFile, db


def files(app):
    with app.app_context():
        return {row.path: row for row in db.session.execute(db.select(SourceFile)).scalars()}


def do_refresh(app, roots, timeout=5.0):
    with app.app_context():
        return refresh([str(r) for r in roots], 2, timeout, threading.Event())


def test_scene_and_arr_names_are_read_without_guessit():
    assert identify_release("/s/Dune.2021.2160p.WEB-DL.mkv") == Identity(MOVIE, "Dune", 2021)
    assert identify_release("/s/The.Office.US.S04E02E03.720p.mkv") == Identity(EPISODE, "The Office US", None, 4, (2, 3))
    assert identify_release("/s/Doctor.Who.2005.S00E01.mkv") == Identity(EPISODE, "Doctor Who", 2005, 0, (1,))
    assert identify_release("/s/Blade Runner 2049 (2017).mkv") == Identity(MOVIE, "Blade Runner 2049", 2017)
    assert identify_release("/s/2001.A.Space.Odyssey.1968.1080p.mkv") == Identity(MOVIE, "2001 A Space Odyssey", 1968)
    assert identify_release("/s/Blade.Runner.2049.2017.mkv") == Identity(MOVIE, "Blade Runner 2049", 2017)


def test_built_then_refreshed_incrementally(app, source_dir):
    show = source_dir / "The.Office.US.S04.720p"
    show.mkdir()
    for number in (1, 2, 20, 21):
        (show / f"The.Office.US.S04E{number:02d}.720p.mkv").write_bytes(b"x" * number)
    (show / "The.Office.US.S04E01.720p.nfo").write_text("not media")
    films = source_dir / "Films"
    films.mkdir()
    (films / "Dune.2021.2160p.mkv").write_bytes(b"d")
    first = do_refresh(app, [source_dir])
    assert first.listed == 3 and first.files == 5 and not first.warnings
    indexed = files(app)
    assert indexed[str(show / "The.Office.US.S04E20.720p.mkv")].episodes == [20]
    assert indexed[str(films / "Dune.2021.2160p.mkv")].year == 2021 and indexed[str(show / "The.Office.US.S04E20.720p.mkv")].size == 20

    second = do_refresh(app, [source_dir])
    assert second.listed == 0 and second.unchanged == 3 and second.files == 5

    os.unlink(show / "The.Office.US.S04E21.720p.mkv")
    (films / "Dune.Part.Two.2024.2160p.mkv").write_bytes(b"d2")
    third = do_refresh(app, [source_dir])
    assert third.listed == 2 and third.unchanged == 1
    assert set(files(app)) == {str(show / f"The.Office.US.S04E{n:02d}.720p.mkv") for n in (1, 2, 20)} | {
        str(films / "Dune.2021.2160p.mkv"), str(films / "Dune.Part.Two.2024.2160p.mkv")}

    # A whole folder gone: what was under it leaves the index.
    for name in os.listdir(show):
        os.unlink(show / name)
    os.rmdir(show)
    assert do_refresh(app, [source_dir]).files == 2


def test_candidates_are_looked_up_by_episode_numbers_and_title_words(app, source_dir):
    for name in ("The.Office.US.S04E02.mkv", "The.Office.US.S04E020.mkv", "Dune.1984.mkv", "Dune.2021.mkv"):
        (source_dir / name).write_bytes(b"x")
    do_refresh(app, [source_dir])
    with app.app_context():
        candidates = Candidates()
        found = candidates.for_identity(Identity(EPISODE, "The Office US", None, 4, (2,)))
        assert [os.path.basename(p) for p, _ in found] == ["The.Office.US.S04E02.mkv"]
        assert {os.path.basename(p) for p, _ in candidates.for_identity(Identity(MOVIE, "Dune", 2021))} == {
            "Dune.1984.mkv", "Dune.2021.mkv"}


def test_a_root_removed_from_the_settings_leaves_the_index(app, tmp_path, source_dir):
    other = tmp_path / "other"
    other.mkdir()
    (other / "Dune.2021.mkv").write_bytes(b"x")
    (source_dir / "Alien.1979.mkv").write_bytes(b"x")
    assert do_refresh(app, [source_dir, other]).files == 2
    assert do_refresh(app, [source_dir]).files == 1
