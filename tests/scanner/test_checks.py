"""Phase-1 classification of single links: the hard cases, on real symlinks."""

import os

import pytest

from linkdoctor.scanner.checks import (
    BROKEN, OK, SMALL, absolute_target, check_link, list_folder,
)
from linkdoctor.scanner.buffers import ListingPieces
from linkdoctor.scanner.folderscan import scan_folder

AWKWARD_NAMES = [
    "with space.mkv", "quote'single.mkv", 'quote"double.mkv', "-leading-dash.mkv", "new\nline.mkv",
    "unicode é ü 日本.mkv", "concat:foo|bar.mkv", "$(echo pwned).mkv", "back\\slash.mkv",
]


def test_relative_target_resolves_against_the_links_own_folder(library):
    library.target("film.mkv", 4096)
    link = library.link("Films/A/film.mkv", os.path.relpath(library.source / "film.mkv", library.root / "Films/A"))
    check = check_link(str(link), 1024)
    assert check.category == OK
    assert check.target == str(library.source / "film.mkv")


def test_relative_target_is_not_taken_from_the_working_folder(library, tmp_path, monkeypatch):
    # "film.mkv" exists next to the process's working folder, but not next to the link.
    monkeypatch.chdir(library.source)
    library.target("film.mkv", 4096)
    link = library.link("Films/A/film.mkv", "film.mkv")
    assert check_link(str(link), 1024).category == BROKEN


def test_chain_of_links_is_followed_to_the_file(library):
    real = library.target("real.mkv", 4096)
    hop2 = library.source / "hop2.mkv"
    os.symlink(real, hop2)
    hop1 = library.source / "hop1.mkv"
    os.symlink("hop2.mkv", hop1)
    link = library.link("Films/chain.mkv", hop1)
    check = check_link(str(link), 1024)
    assert check.category == OK
    assert check.identity[2] == 4096  # the size of the final file, not of a link


def test_broken_chain_is_broken(library):
    hop = library.source / "hop.mkv"
    os.symlink(library.source / "gone.mkv", hop)
    link = library.link("Films/chain.mkv", hop)
    assert check_link(str(link), 1024).category == BROKEN


def test_loop_of_links_is_broken_and_says_loop(library):
    a, b = library.source / "a.mkv", library.source / "b.mkv"
    os.symlink(b, a)
    os.symlink(a, b)
    link = library.link("Films/loop.mkv", a)
    check = check_link(str(link), 1024)
    assert check.category == BROKEN
    assert "loop" in check.detail


def test_self_loop_is_broken(library):
    link = library.root / "self.mkv"
    os.symlink("self.mkv", link)
    check = check_link(str(link), 1024)
    assert (check.category, "loop" in check.detail) == (BROKEN, True)


def test_small_and_empty_targets(library):
    small = library.link("small.mkv", library.target("small.src", 100))
    empty = library.empty("empty.mkv")
    assert check_link(str(small), 1024).category == SMALL
    check = check_link(str(empty), 1024)
    assert check.category == SMALL
    assert "0 bytes" in check.detail


def test_threshold_is_respected(library):
    link = library.link("x.mkv", library.target("x.src", 2000))
    assert check_link(str(link), 1024).category == OK
    assert check_link(str(link), 4096).category == SMALL


def test_link_to_a_directory_is_ok_and_counted_once(library):
    folder = library.source / "folder"
    folder.mkdir()
    link = library.link("Films/dirlink", folder)
    assert check_link(str(link), 1024).category == OK
    listing = list_folder(str(library.root / "Films"), include_files=False)
    assert [path for path, _ in listing.links] == [str(link)]
    assert listing.subdirs == []  # not descended into


def test_broken_link_to_a_directory(library):
    link = library.link("Films/dirlink", library.source / "no-such-folder")
    assert check_link(str(link), 1024).category == BROKEN


def test_vanished_link_returns_none(library):
    assert check_link(str(library.root / "never-existed.mkv"), 1024) is None


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_awkward_names_are_checked_whole(library, name):
    target = library.target(name, 4096)
    link = library.link(name, target)
    check = check_link(str(link), 1024)
    assert check.category == OK
    assert check.target == str(target)


def test_listing_separates_links_folders_and_files(library):
    library.healthy("Films/A/a.mkv")
    (library.root / "Films/A/poster.jpg").write_bytes(b"x" * 2000)
    (library.root / "Films/A/regular.mkv").write_bytes(b"x" * 2000)
    listing = list_folder(str(library.root / "Films/A"), include_files=True)
    assert [os.path.basename(p) for p, _ in listing.links] == ["a.mkv"]
    assert sorted(os.path.basename(p) for p in listing.files) == ["poster.jpg", "regular.mkv"]
    assert list_folder(str(library.root / "Films/A"), include_files=False).files == []


def test_listing_reports_a_folder_it_cannot_read(tmp_path):
    listing = list_folder(str(tmp_path / "missing"), include_files=False)
    assert listing.error


def test_absolute_target_normalises_relative_paths():
    assert absolute_target("/lib/Films/A/x.mkv", "../../../src/x.mkv") == "/src/x.mkv"
    assert absolute_target("/lib/x.mkv", "/abs/x.mkv") == "/abs/x.mkv"


def _kinds_of_target(library) -> dict[str, str]:
    """A link to each kind of target a library may hold, by name, with the category both scans must give."""
    import socket
    import stat

    library.link("Films/file.mkv", library.target("file.src", 4096))
    library.link("Films/exact.mkv", library.target("exact.src", 1024))  # the threshold itself is not small
    library.link("Films/small.mkv", library.target("small.src", 1023))
    library.link("Films/empty.mkv", library.target("empty.src", 0))
    library.broken("Films/missing.mkv")
    hop = library.source / "hop.mkv"
    os.symlink(library.source / "file.src", hop)
    library.link("Films/chain.mkv", hop)
    (library.source / "folder").mkdir()
    library.link("Films/folder", library.source / "folder")
    os.mkfifo(library.source / "pipe")  # no writer: reading it would wait for one
    library.link("Films/pipe.mkv", library.source / "pipe")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(library.source / "sock"))
    library.link("Films/sock.mkv", library.source / "sock")
    library.link("Films/null.mkv", "/dev/null")
    expected = {name: OK for name in ("file.mkv", "exact.mkv", "chain.mkv", "folder", "pipe.mkv", "sock.mkv",
                                      "null.mkv")}
    expected.update({"small.mkv": SMALL, "empty.mkv": SMALL, "missing.mkv": BROKEN})
    assert stat.S_ISFIFO(os.stat(library.root / "Films/pipe.mkv").st_mode)
    return expected


@pytest.mark.parametrize("full", [False, True], ids=["basic", "full"])
def test_a_folder_scan_judges_every_kind_of_target_as_a_single_check_does(library, full):
    # A basic scan judges a healthy file without fstat (lseek and pread); a full scan and check_link with it.
    expected = _kinds_of_target(library)
    folder = library.root / "Films"
    singles = {name: check_link(str(folder / name), 1024).category for name in expected}
    assert singles == expected
    result = scan_folder((str(folder), None), {"small_threshold": 1024, "candidates": full, "budget": 60})
    problems = {os.path.basename(path): check for path, check in result.problems}
    assert {name: check.category for name, check in problems.items()} == {
        name: category for name, category in expected.items() if category != OK}
    assert problems["small.mkv"].detail == "1023 bytes, below 1024"
    assert problems["empty.mkv"].identity[2] == 0
    assert result.checked == len(expected)
    assert sum(result.ok_by_source.values()) == len(expected) - len(problems)
    probed = sorted(os.path.basename(path) for path, _, _ in result.candidates)
    assert probed == (["chain.mkv", "exact.mkv", "file.mkv"] if full else [])


def test_with_a_threshold_of_zero_an_empty_file_and_a_device_are_healthy(library):
    library.link("Films/empty.mkv", library.target("empty.src", 0))
    library.link("Films/zero.mkv", "/dev/zero")
    result = scan_folder((str(library.root / "Films"), None), {"small_threshold": 0, "budget": 60})
    assert (result.checked, result.problems, sum(result.ok_by_source.values())) == (2, [], 2)


def test_a_big_folder_listing_goes_to_a_file_in_shares_beyond_what_it_keeps(library, tmp_path):
    names = {f"e{i:03}.mkv" for i in range(100)}
    for name in names:
        library.healthy(f"Flat/{name}")
    folders = {str(library.root / f"Flat/Movie {i:02}") for i in range(60)}
    for folder in folders:
        os.mkdir(folder)
    spill_dir = tmp_path / "spill"
    spill_dir.mkdir()
    options = {"small_threshold": 1024, "share": 10, "listing_in_memory": 25, "spill_dir": str(spill_dir)}
    result = scan_folder((str(library.root / "Flat"), None), options)
    assert result.checked == 10 and result.spilled and os.path.dirname(result.spilled) == str(spill_dir)
    pieces, records = ListingPieces(result.spilled), []
    while (record := pieces.next()) is not None:
        records.append(record)
    assert os.listdir(spill_dir) == []  # removed once opened
    spilled_names = [name for kind, items in records if kind == "names" for name in items]
    spilled_folders = [path for kind, items in records if kind == "subdirs" for path in items]
    # Every name exactly once: checked by the task, handed back in memory, or in the file; shares of 10 at most.
    handed_back = [name for share in result.rest for name in share]
    assert len(spilled_names) + len(handed_back) == 90 and len(spilled_names) >= 100 - 25
    assert max(len(items) for kind, items in records if kind == "names") <= 10
    assert all(len(share) <= 10 for share in result.rest)
    assert set(spilled_names) | set(handed_back) < names and len(set(spilled_names) | set(handed_back)) == 90
    assert sorted(spilled_folders + result.subdirs) == sorted(folders) and len(spilled_folders) >= 25
    assert max(len(items) for kind, items in records if kind == "subdirs") <= 25


def test_without_a_spill_folder_a_listing_stays_in_memory(library):
    for i in range(40):
        library.healthy(f"Flat/e{i:03}.mkv")
    result = scan_folder((str(library.root / "Flat"), None), {"small_threshold": 1024, "share": 10,
                                                              "listing_in_memory": 15})
    assert (result.checked, result.spilled, sum(map(len, result.rest))) == (10, None, 30)


def test_a_listing_with_a_spill_folder_writes_its_sub_folders_beyond_what_it_keeps(library, tmp_path):
    for i in range(23):
        library.healthy(f"Films/Movie {i:02}/m.mkv")
    library.healthy("Films/loose.mkv")
    spill_dir = tmp_path / "spill"
    spill_dir.mkdir()
    listing = list_folder(str(library.root / "Films"), False, str(spill_dir), keep=5)
    pieces, blocks = ListingPieces(listing.spilled), []
    while (record := pieces.next()) is not None:
        blocks.append(record)
    assert [kind for kind, _ in blocks] == ["subdirs"] * 4 and all(len(block) == 5 for _, block in blocks)
    folders = [path for _, block in blocks for path in block] + listing.subdirs
    assert sorted(map(os.path.basename, folders)) == [f"Movie {i:02}" for i in range(23)]
    assert [os.path.basename(path) for path, _ in listing.links] == ["loose.mkv"]
    assert os.listdir(spill_dir) == [] and list_folder(str(library.root / "Films"), False).spilled is None
