"""The demo library: real links and ffmpeg-made media, and what a scan of it finds."""

import json
import os
import subprocess
import sys

from linkdoctor.demo import DEMO_LINKS, write_demo_library


def test_demo_library_has_every_kind_of_link(tmp_path):
    root, source = tmp_path / "medias", tmp_path / "demo-source"
    created = write_demo_library(root, source)
    assert len(created) == len(DEMO_LINKS)
    assert all(os.path.islink(path) for path in created)
    assert (root / "Films").is_dir() and (root / "Séries").is_dir()
    assert not os.path.exists(root / "Films/Blade Runner (1982)/Blade Runner (1982).mkv")  # broken
    assert os.path.getsize(root / "Films/Heat (1995)/Heat (1995).mkv") == 0


def test_demo_refuses_a_non_empty_media_root(tmp_path):
    root = tmp_path / "medias"
    root.mkdir()
    (root / "mine.mkv").write_text("the user's own file")
    result = subprocess.run([sys.executable, "-m", "linkdoctor", "demo"], capture_output=True, text=True,
                            env={**os.environ, "LINKDOCTOR_MEDIA_PATH": str(root),
                                 "LINKDOCTOR_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2 and "not empty" in result.stderr
    assert sorted(p.name for p in root.iterdir()) == ["mine.mkv"]


def test_full_scan_of_the_demo_finds_its_problems(env, media_root):
    run = lambda *args: subprocess.run([sys.executable, "-m", "linkdoctor", *args],  # noqa: E731
                                       capture_output=True, text=True)
    assert run("demo").returncode == 0
    result = run("scan", "--depth", "full", "--json")
    assert result.returncode == 1, result.stderr
    found = {os.path.basename(f["path"]): f["category"] for f in json.loads(result.stdout)["findings"]}
    assert found == {
        "Blade Runner (1982).mkv": "broken", "The Expanse - S01E02.mkv": "broken",
        "Heat (1995).mkv": "small", "Alien (1979).mkv": "corrupted", "The Expanse - S01E03.mkv": "corrupted",
    }


def test_the_demo_gives_repair_something_to_do(env, media_root):
    """The demo source holds the releases that replace its broken links and its wrong shared target."""
    run = lambda *args: subprocess.run([sys.executable, "-m", "linkdoctor", *args],  # noqa: E731
                                       capture_output=True, text=True)
    made = run("demo")
    assert made.returncode == 0 and "source_roots set to the demo source" in made.stdout
    broken = json.loads(run("repair-links", "--auto", "--dry-run", "--json").stdout)
    assert {os.path.basename(r["path"]): os.path.basename(r["new_target"]) for r in broken["repaired"]} == {
        "Blade Runner (1982).mkv": "Blade.Runner.1982.The.Final.Cut.1080p.BluRay.x264.mkv",
        "The Expanse - S01E02.mkv": "The.Expanse.S01E02.1080p.WEB.x264.mkv"}
    shared = json.loads(run("fix-bad-links", "--auto", "--dry-run", "--json").stdout)
    assert [(os.path.basename(r["path"]), os.path.basename(r["new_target"])) for r in shared["repaired"]] == [
        ("Dark - S01E02.mkv", "Dark.S01E02.1080p.WEB.x264.mkv")]
    assert os.path.realpath(media_root / "Séries/Dark/Season 01/Dark - S01E02.mkv").endswith("Dark.S01E01.mkv")
