"""Phase-1 classification of single links: the hard cases, on real symlinks."""

import os

import pytest

from linkdoctor.scanner.checks import (
    BROKEN, OK, SMALL, absolute_target, check_link, list_folder,
)

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
