"""The media-root guard on real folders and symlinks: what a user may select, and what is refused."""

import os

import pytest

from linkdoctor.errors import PathOutsideRootError, ValidationError
from linkdoctor.paths import checked_paths, resolve_in_root


def existing_in_root(user_path, media_root):
    """The path as a scan request checks it: in a worker process, and it must exist."""
    return checked_paths([user_path], media_root, timeout=10.0)[0][1]


@pytest.fixture
def root(media_root):
    """The media root spelled as the kernel sees it (tmp_path may itself sit behind a symlink)."""
    return os.path.realpath(media_root)


def test_relative_path_resolves_under_the_root(media_root, root):
    (media_root / "Films" / "Alien").mkdir(parents=True)
    assert resolve_in_root("Films/Alien", media_root) == os.path.join(root, "Films", "Alien")


def test_absolute_path_inside_the_root_is_accepted(media_root, root):
    (media_root / "Series").mkdir()
    assert resolve_in_root(str(media_root / "Series"), media_root) == os.path.join(root, "Series")


def test_the_root_itself_and_dot_resolve_to_the_root(media_root, root):
    assert resolve_in_root(".", media_root) == root
    assert resolve_in_root(str(media_root), media_root) == root


def test_path_that_does_not_exist_yet_still_resolves_inside(media_root, root):
    assert resolve_in_root("Films/New/new.mkv", media_root) == os.path.join(root, "Films", "New", "new.mkv")


def test_dot_dot_inside_the_root_is_normalised(media_root, root):
    (media_root / "Films").mkdir()
    assert resolve_in_root("Films/../Series", media_root) == os.path.join(root, "Series")


@pytest.mark.parametrize("escape", ["..", "../source", "Films/../../source/x.mkv", "../medias-other"])
def test_dot_dot_escapes_are_refused(media_root, escape):
    (media_root / "Films").mkdir()
    with pytest.raises(PathOutsideRootError) as refused:
        resolve_in_root(escape, media_root)
    assert "outside the media root" in refused.value.message


def test_absolute_path_elsewhere_is_refused(media_root, source_dir):
    with pytest.raises(PathOutsideRootError):
        resolve_in_root(str(source_dir), media_root)
    with pytest.raises(PathOutsideRootError):
        resolve_in_root("/etc/passwd", media_root)


def test_sibling_folder_sharing_the_root_prefix_is_refused(media_root, tmp_path):
    sibling = tmp_path / "medias2"
    sibling.mkdir()
    with pytest.raises(PathOutsideRootError):
        resolve_in_root(str(sibling / "x.mkv"), media_root)


def test_outside_root_error_is_a_validation_error(media_root):
    with pytest.raises(ValidationError) as refused:
        resolve_in_root("/etc", media_root)
    assert refused.value.error == "path_outside_root"
    assert refused.value.status_code == 400


def test_going_through_a_folder_symlink_that_points_outside_is_refused(library, source_dir):
    (source_dir / "Elsewhere").mkdir()
    (source_dir / "Elsewhere" / "movie.mkv").write_bytes(b"x")
    library.link("Escape", source_dir / "Elsewhere")
    with pytest.raises(PathOutsideRootError):
        resolve_in_root("Escape/movie.mkv", library.root)
    with pytest.raises(PathOutsideRootError):
        resolve_in_root(str(library.root / "Escape" / "movie.mkv"), library.root)


def test_a_selected_symlink_is_not_followed(library, root):
    link = library.healthy("Films/Alien/alien.mkv")  # its target is in source_dir, outside the root
    resolved = resolve_in_root("Films/Alien/alien.mkv", library.root)
    assert resolved == os.path.join(root, "Films", "Alien", "alien.mkv")
    assert os.path.islink(resolved)
    assert os.path.samefile(os.path.dirname(resolved), link.parent)


def test_a_selected_folder_symlink_pointing_outside_stays_the_link(library, source_dir, root):
    (source_dir / "Elsewhere").mkdir()
    library.link("Escape", source_dir / "Elsewhere")
    assert resolve_in_root("Escape", library.root) == os.path.join(root, "Escape")
    assert resolve_in_root("Escape/", library.root) == os.path.join(root, "Escape")


def test_folder_symlink_inside_the_root_pointing_inside_is_accepted(library, root):
    (library.root / "Films" / "Alien").mkdir(parents=True)
    library.link("Shortcut", library.root / "Films")
    assert resolve_in_root("Shortcut/Alien", library.root) == os.path.join(root, "Films", "Alien")


@pytest.mark.parametrize("bad", ["", "   ", None, 42, b"Films"])
def test_empty_and_non_string_paths_are_refused(media_root, bad):
    with pytest.raises(ValidationError) as refused:
        resolve_in_root(bad, media_root)
    assert not isinstance(refused.value, PathOutsideRootError)
    assert "non-empty string" in refused.value.message


def test_nul_byte_is_refused(media_root):
    with pytest.raises(ValidationError) as refused:
        resolve_in_root("Films/a\x00b.mkv", media_root)
    assert "NUL" in refused.value.message


def test_existing_in_root_accepts_a_broken_link(library, root):
    library.broken("Films/Gone/gone.mkv")
    resolved = existing_in_root("Films/Gone/gone.mkv", library.root)
    assert resolved == os.path.join(root, "Films", "Gone", "gone.mkv")
    assert os.path.islink(resolved) and not os.path.exists(resolved)


def test_existing_in_root_accepts_an_existing_folder(media_root, root):
    (media_root / "Films").mkdir()
    assert existing_in_root("Films", media_root) == os.path.join(root, "Films")


def test_existing_in_root_refuses_a_missing_path(media_root):
    with pytest.raises(ValidationError) as refused:
        existing_in_root("Films/nothing.mkv", media_root)
    assert not isinstance(refused.value, PathOutsideRootError)
    assert "does not exist" in refused.value.message


def test_existing_in_root_still_refuses_outside_paths(media_root, source_dir):
    with pytest.raises(PathOutsideRootError):
        existing_in_root(str(source_dir), media_root)


def test_media_root_reached_through_a_symlink(tmp_path, media_root):
    (media_root / "Films").mkdir()
    (media_root / "Films" / "a.mkv").write_bytes(b"x")
    alias = tmp_path / "alias"
    alias.symlink_to(media_root)
    real = os.path.realpath(media_root)

    assert resolve_in_root("Films/a.mkv", alias) == os.path.join(real, "Films", "a.mkv")
    # Absolute paths given through either spelling of the root are accepted.
    assert resolve_in_root(str(alias / "Films"), alias) == os.path.join(real, "Films")
    assert resolve_in_root(str(media_root / "Films"), alias) == os.path.join(real, "Films")
    assert resolve_in_root(str(alias), alias) == real
    assert existing_in_root("Films/a.mkv", alias) == os.path.join(real, "Films", "a.mkv")
    with pytest.raises(PathOutsideRootError):
        resolve_in_root("../source", alias)
