"""The folder tree shown to pick what to scan: recursive link counts, depth, refused paths."""

import os
import time

import pytest

from linkdoctor.errors import PathOutsideRootError, ValidationError
from linkdoctor.scanner import fileops
from linkdoctor.scanner.fileops import SHOWN_SUBDIRS, count_links_below, relative_to
from linkdoctor.web import tree as tree_module
from linkdoctor.web.tree import MAX_DEPTH, directory_tree


@pytest.fixture
def films(library):
    """Films/ with 3 links at various depths, Series/ with 4, Empty/ with none."""
    library.healthy("Films/Alien (1979)/alien.mkv")
    library.broken("Films/Alien (1979)/Extras/deleted.mkv")
    library.empty("Films/Heat (1995)/heat.mkv")
    for season in (1, 2):
        for episode in (1, 2):
            library.healthy(f"Series/Dark/Season {season}/e{episode}.mkv")
    (library.root / "Empty").mkdir()
    return library


def child(node, name):
    matches = [sub for sub in node["subdirs"] if sub["name"] == name]
    assert len(matches) == 1, f"{name} not shown under {node['name']}: {[s['name'] for s in node['subdirs']]}"
    return matches[0]


def test_counts_include_every_level_below(films):
    tree = directory_tree(str(films.root), depth=MAX_DEPTH)
    assert tree["symlink_count"] == 7
    assert tree["path"] == os.path.realpath(films.root)
    assert tree["media_root"] == os.path.realpath(films.root)
    assert child(tree, "Films")["symlink_count"] == 3
    assert child(child(tree, "Films"), "Alien (1979)")["symlink_count"] == 2
    assert child(child(child(tree, "Films"), "Alien (1979)"), "Extras")["symlink_count"] == 1
    assert child(tree, "Series")["symlink_count"] == 4
    assert child(tree, "Empty")["symlink_count"] == 0


def test_a_full_count_marks_no_node_partial(films):
    def nodes(node):
        yield node
        for sub in node["subdirs"]:
            yield from nodes(sub)

    tree = directory_tree(str(films.root), depth=MAX_DEPTH, seconds=None)
    assert [node["partial"] for node in nodes(tree)] == [False] * 10
    assert all(node["more_subdirs"] == 0 for node in nodes(tree))


def test_counts_cut_by_the_time_budget_are_marked_partial(films, monkeypatch):
    films.healthy("top.mkv")
    monkeypatch.setattr(tree_module, "MIN_COUNT_SECONDS", -1.0)  # the budget is over before the workers count

    tree = directory_tree(str(films.root), depth=2, seconds=0)

    assert tree["partial"] is True
    assert tree["symlink_count"] == 1  # the root's own listing: only its direct links are in
    for name in ("Empty", "Films", "Series"):
        node = child(tree, name)  # still listed, as the root's listing names them
        assert node["partial"] is True and node["symlink_count"] == 0
        assert node["subdirs"] == [] and node["has_subdirs"] is True  # not known yet: opening it tells


def test_the_budget_stops_a_walk_between_folders(films):
    root = str(films.root)
    over = time.monotonic() - 1
    assert count_links_below([root], over) == (0, False)
    assert count_links_below([os.path.join(root, "Films"), os.path.join(root, "Series")]) == (7, True)
    node = fileops.tree_node(os.path.join(root, "Films"), root, 2, over)
    assert (node["relative_path"], node["symlink_count"], node["partial"]) == ("Films", 0, True)


def test_a_listing_cut_by_the_budget_names_no_sub_folders(library):
    films = library.root / "Films"
    for i in range(4096):
        (films / f"Title {i:04}").mkdir(parents=True)
    library.healthy("Films/a.mkv")
    subdirs, links, error = fileops.folder_children(str(films), time.monotonic() - 1)
    assert subdirs is None and error is None and links <= 1
    subdirs, links, error = fileops.folder_children(str(films), time.monotonic() + 60)
    assert (len(subdirs), links, error) == (4096, 1, None)


def test_relative_paths_are_sliced_from_the_root():
    assert relative_to("/medias", "/medias") == "."
    assert relative_to("/medias/Films/Alien", "/medias") == os.path.join("Films", "Alien")
    assert relative_to("/Films/Alien", "/") == "Films/Alien"
    assert relative_to("/mediasX/Films", "/medias") == os.path.relpath("/mediasX/Films", "/medias")


@pytest.mark.parametrize("parent", ["", "Films"])
def test_a_folder_lists_at_most_shown_subdirs_and_counts_them_all(library, parent):
    extra = 3
    for i in range(SHOWN_SUBDIRS + extra):
        library.healthy(os.path.join(parent, f"Title {i:04}", "a.mkv"))

    tree = directory_tree(str(library.root), depth=2)

    node = child(tree, parent) if parent else tree
    assert [sub["name"] for sub in node["subdirs"]] == [f"Title {i:04}" for i in range(SHOWN_SUBDIRS)]
    assert node["more_subdirs"] == extra
    assert node["symlink_count"] == tree["symlink_count"] == SHOWN_SUBDIRS + extra
    assert node["partial"] is False


def test_a_folders_next_sub_folders_come_from_an_offset_and_all_are_still_counted(library, monkeypatch):
    monkeypatch.setattr(tree_module, "SHOWN_SUBDIRS", 4)  # of the asked folder (its own listing, in this process)
    for i in range(10):
        library.healthy(f"Films/Title {i:02}/a.mkv")

    def window(offset):
        node = directory_tree(str(library.root), "Films", depth=1, seconds=None, offset=offset)
        assert (node["symlink_count"], node["partial"]) == (10, False)  # those before and after counted too
        return [sub["name"] for sub in node["subdirs"]], node["more_subdirs"]

    assert window(0) == ([f"Title {i:02}" for i in range(4)], 6)
    assert window(4) == ([f"Title {i:02}" for i in range(4, 8)], 2)
    assert window(8) == (["Title 08", "Title 09"], 0)
    assert window(50) == ([], 0)
    with pytest.raises(ValidationError):
        directory_tree(str(library.root), "Films", depth=1, offset=-1)


def test_sub_folders_come_in_the_order_a_person_reads_them(library):
    for name in ("Show 10", "show 9", "Show 100", "Alpha 3371", "Alpha 367", "Season 02", "Season 1"):
        library.healthy(f"TV/{name}/e.mkv")
    tree = directory_tree(str(library.root), "TV", depth=1)
    assert [sub["name"] for sub in tree["subdirs"]] == [
        "Alpha 367", "Alpha 3371", "Season 1", "Season 02", "show 9", "Show 10", "Show 100"]


def test_counts_are_recursive_even_below_what_is_shown(films):
    tree = directory_tree(str(films.root), depth=0)
    assert tree["subdirs"] == []
    assert tree["symlink_count"] == 7


def test_depth_limits_what_is_shown(films):
    one = directory_tree(str(films.root), depth=1)
    assert [sub["name"] for sub in one["subdirs"]] == ["Empty", "Films", "Series"]
    assert all(sub["subdirs"] == [] for sub in one["subdirs"])

    two = directory_tree(str(films.root), depth=2)
    assert [sub["name"] for sub in child(two, "Films")["subdirs"]] == ["Alien (1979)", "Heat (1995)"]
    assert child(child(two, "Films"), "Alien (1979)")["subdirs"] == []

    three = directory_tree(str(films.root), depth=3)
    assert [s["name"] for s in child(child(three, "Films"), "Alien (1979)")["subdirs"]] == ["Extras"]


def test_has_subdirs_marks_folders_whose_children_are_not_shown(films):
    tree = directory_tree(str(films.root), depth=1)
    films_node, empty = child(tree, "Films"), child(tree, "Empty")
    assert films_node["subdirs"] == [] and films_node["has_subdirs"] is True
    assert empty["has_subdirs"] is False
    heat = child(child(directory_tree(str(films.root), depth=2), "Films"), "Heat (1995)")
    assert heat["has_subdirs"] is False  # only a link inside: nothing to unfold
    assert tree["has_subdirs"] is True


def test_subfolders_are_sorted_case_insensitively(library):
    for name in ("beta", "Alpha", "gamma", "Delta"):
        (library.root / name).mkdir()
    tree = directory_tree(str(library.root), depth=1)
    assert [sub["name"] for sub in tree["subdirs"]] == ["Alpha", "beta", "Delta", "gamma"]


def test_links_to_folders_are_counted_as_links_and_not_descended(library, source_dir):
    target_folder = source_dir / "Collection"
    target_folder.mkdir()
    for i in range(5):
        os.symlink(source_dir / f"t{i}", target_folder / f"inner{i}.mkv")
    library.link("Films/Collection", target_folder)
    library.link("Films/Loop", library.root)  # a link back to the root must not loop
    library.healthy("Films/a.mkv")

    tree = directory_tree(str(library.root), depth=MAX_DEPTH)

    films = child(tree, "Films")
    assert films["symlink_count"] == 3
    assert films["subdirs"] == [] and films["has_subdirs"] is False
    assert tree["symlink_count"] == 3


def test_regular_files_are_not_counted(library):
    (library.root / "Films").mkdir()
    (library.root / "Films" / "real.mkv").write_bytes(b"x" * 100)
    library.healthy("Films/linked.mkv")
    assert directory_tree(str(library.root))["symlink_count"] == 1


def test_path_is_taken_relative_to_the_root(films):
    root = os.path.realpath(films.root)
    tree = directory_tree(str(films.root), path="Films", depth=1)
    assert tree["path"] == os.path.join(root, "Films")
    assert tree["relative_path"] == "Films"
    assert tree["name"] == "Films"
    assert tree["symlink_count"] == 3
    alien = child(tree, "Alien (1979)")
    assert alien["relative_path"] == os.path.join("Films", "Alien (1979)")
    assert alien["path"] == os.path.join(root, "Films", "Alien (1979)")


def test_absolute_path_inside_the_root_is_accepted(films):
    tree = directory_tree(str(films.root), path=str(films.root / "Series" / "Dark"), depth=1)
    assert tree["symlink_count"] == 4
    assert [sub["name"] for sub in tree["subdirs"]] == ["Season 1", "Season 2"]


def test_root_is_shown_when_no_path_is_given(films):
    for path in (None, ""):
        tree = directory_tree(str(films.root), path=path)
        assert tree["relative_path"] == "."
        assert tree["symlink_count"] == 7


@pytest.mark.parametrize("outside", ["..", "../source", "/etc"])
def test_paths_outside_the_root_are_refused(films, outside):
    with pytest.raises(PathOutsideRootError):
        directory_tree(str(films.root), path=outside)


def test_folder_link_pointing_outside_cannot_be_opened(library, source_dir):
    (source_dir / "Elsewhere" / "Deep").mkdir(parents=True)
    library.link("Escape", source_dir / "Elsewhere")
    with pytest.raises(ValidationError, match="not a folder"):
        directory_tree(str(library.root), path="Escape")
    with pytest.raises(PathOutsideRootError):
        directory_tree(str(library.root), path="Escape/Deep")


@pytest.mark.parametrize("rel", ["Films/Heat (1995)/heat.mkv", "Films/Missing", "notes.txt"])
def test_non_folder_paths_are_refused(films, rel):
    (films.root / "notes.txt").write_text("not a folder")
    with pytest.raises(ValidationError) as refused:
        directory_tree(str(films.root), path=rel)
    assert refused.value.message == f"{rel} is not a folder"


@pytest.mark.parametrize("depth", [-1, MAX_DEPTH + 1, 100])
def test_depth_outside_the_allowed_range_is_refused(films, depth):
    with pytest.raises(ValidationError) as refused:
        directory_tree(str(films.root), depth=depth)
    assert refused.value.message == f"depth must be between 0 and {MAX_DEPTH}"


def test_media_root_behind_a_symlink(films, tmp_path):
    alias = tmp_path / "alias"
    alias.symlink_to(films.root)
    tree = directory_tree(str(alias), path="Films", depth=1)
    assert tree["symlink_count"] == 3
    assert tree["media_root"] == os.path.realpath(films.root)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder whatever its mode")
def test_unreadable_folder_is_reported_not_fatal(films):
    locked = films.root / "Films" / "Heat (1995)"
    locked.chmod(0)
    try:
        tree = directory_tree(str(films.root), depth=2)
    finally:
        locked.chmod(0o755)
    heat = child(child(tree, "Films"), "Heat (1995)")
    assert heat["error"] == os.strerror(13)
    assert heat["symlink_count"] == 0
    assert child(tree, "Films")["symlink_count"] == 2


def test_folder_failing_with_an_io_error_is_reported_not_fatal(tmp_path, faulty_mount):
    backing = tmp_path / "backing"
    for rel in ("Films/Bad/Inner", "Films/Good"):
        (backing / rel).mkdir(parents=True)
    os.symlink("/nowhere/bad.mkv", backing / "Films" / "Bad" / "bad.mkv")
    os.symlink("/nowhere/good.mkv", backing / "Films" / "Good" / "good.mkv")
    os.symlink("/nowhere/top.mkv", backing / "Films" / "top.mkv")
    root = faulty_mount(backing, rules=[{"glob": "Films/Bad", "op": "readdir", "action": "eio"}])

    tree = directory_tree(str(root), depth=2)

    films = child(tree, "Films")
    bad, good = child(films, "Bad"), child(films, "Good")
    assert bad["error"] == os.strerror(5)  # EIO
    assert bad["symlink_count"] == 0
    assert good["error"] is None and good["symlink_count"] == 1  # every node names its error, None when none
    assert films["symlink_count"] == 2 and tree["symlink_count"] == 2
