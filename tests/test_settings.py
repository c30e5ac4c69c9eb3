"""Process settings read from LINKDOCTOR_* environment variables."""

from pathlib import Path

import pytest

from linkdoctor.settings import DEFAULT_PORT, load_settings


def test_defaults_are_relative_to_the_working_folder_and_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.data_dir == tmp_path / "data"
    assert settings.media_path == tmp_path / "medias"
    assert settings.data_dir.is_absolute() and settings.media_path.is_absolute()
    assert settings.host == "127.0.0.1"
    assert settings.port == DEFAULT_PORT == 8642
    assert settings.media_path_from_env is False


def test_derived_locations_live_in_the_data_folder(tmp_path):
    settings = load_settings({"LINKDOCTOR_DATA_DIR": str(tmp_path / "state")})
    assert settings.database_uri == f"sqlite:///{tmp_path / 'state' / 'linkdoctor.db'}"
    assert settings.quarantine_dir == tmp_path / "state" / "trash" / "orphans"
    assert settings.log_dir == tmp_path / "state"


def test_environment_overrides_every_setting(tmp_path):
    settings = load_settings({
        "LINKDOCTOR_DATA_DIR": str(tmp_path / "d"),
        "LINKDOCTOR_MEDIA_PATH": str(tmp_path / "m"),
        "LINKDOCTOR_HOST": "0.0.0.0",
        "LINKDOCTOR_PORT": "9000",
    })
    assert settings.data_dir == tmp_path / "d"
    assert settings.media_path == tmp_path / "m"
    assert settings.host == "0.0.0.0"
    assert settings.port == 9000
    assert settings.media_path_from_env is True


def test_relative_overrides_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"LINKDOCTOR_DATA_DIR": "state", "LINKDOCTOR_MEDIA_PATH": "lib/films"})
    assert settings.data_dir == tmp_path / "state"
    assert settings.media_path == tmp_path / "lib" / "films"


def test_reads_the_real_process_environment_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("LINKDOCTOR_PORT", "8765")
    monkeypatch.delenv("LINKDOCTOR_MEDIA_PATH", raising=False)
    settings = load_settings()
    assert settings.data_dir == tmp_path / "from-env"
    assert settings.port == 8765
    assert settings.media_path_from_env is False


def test_empty_port_variable_counts_as_unset():
    assert load_settings({"LINKDOCTOR_PORT": ""}).port == 8642


@pytest.mark.parametrize("bad", ["http", "80.5", "8642x"])
def test_bad_port_gives_a_clear_message(bad):
    with pytest.raises(ValueError) as refused:
        load_settings({"LINKDOCTOR_PORT": bad})
    assert str(refused.value) == f"LINKDOCTOR_PORT must be a number, not {bad!r}"
    assert refused.value.__cause__ is None  # no int() traceback chained under it


def test_media_path_from_env_is_true_even_when_it_equals_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"LINKDOCTOR_MEDIA_PATH": "./medias"})
    assert settings.media_path == tmp_path / "medias"
    assert settings.media_path_from_env is True


def test_media_path_from_env_wins_over_the_stored_row(monkeypatch, tmp_path):
    """A media path given in the environment replaces the one stored by an earlier run."""
    from linkdoctor import create_app
    from linkdoctor.config import get_config

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.setenv("LINKDOCTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(first))
    with create_app({"TESTING": True}).app_context():
        assert get_config().media_path == str(first)

    monkeypatch.setenv("LINKDOCTOR_MEDIA_PATH", str(second))
    with create_app({"TESTING": True}).app_context():
        assert get_config().media_path == str(second)

    # Without the variable, the stored path is kept rather than reset to ./medias.
    monkeypatch.delenv("LINKDOCTOR_MEDIA_PATH")
    with create_app({"TESTING": True}).app_context():
        assert get_config().media_path == str(second)


def test_settings_are_frozen():
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]
    assert isinstance(settings.data_dir, Path)


@pytest.mark.parametrize("bad", ["70000", "-1"])
def test_out_of_range_port_is_refused_up_front(bad):
    with pytest.raises(ValueError, match="LINKDOCTOR_PORT"):
        load_settings({"LINKDOCTOR_PORT": bad})


def test_empty_media_path_variable_does_not_point_at_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        settings = load_settings({"LINKDOCTOR_MEDIA_PATH": ""})
    except ValueError:
        return  # refusing it is fine too
    assert settings.media_path != tmp_path
