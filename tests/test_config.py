"""The library configuration row on real SQLite: defaults, validation, text parsing, masked secrets."""

import os

import pytest

from linkdoctor.errors import ValidationError
from linkdoctor.models import SymlinkConfig, db
from linkdoctor.config import config_to_dict, get_config, mask, parse_value, update_config


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def free_ctx(monkeypatch, env):
    """An app whose media_path is not fixed by LINKDOCTOR_MEDIA_PATH, so that it can be changed."""
    from linkdoctor import create_app

    monkeypatch.delenv("LINKDOCTOR_MEDIA_PATH")
    with create_app({"TESTING": True}).app_context():
        yield


def config_rows() -> list[SymlinkConfig]:
    return db.session.execute(db.select(SymlinkConfig)).scalars().all()


def reread() -> SymlinkConfig:
    """The row as stored, not as the session remembers it."""
    db.session.expire_all()
    return get_config()


def test_defaults_row_is_created_once(ctx, media_root):
    first = get_config()
    second = get_config(default_media_path="/somewhere/else")
    assert len(config_rows()) == 1
    assert first.id == second.id
    assert second.media_path == str(media_root)  # the later default does not replace the stored one
    assert (first.max_workers, first.file_timeout, first.probe_timeout, first.scans_to_keep) == (6, 5.0, 60.0, 3)
    assert first.include_regular_files is False
    assert first.source_roots == []


def test_defaults_are_shown_with_every_editable_field(ctx, media_root):
    data = config_to_dict(get_config())
    assert data["media_path"] == str(media_root)
    assert data["sonarr_port"] == 8989 and data["radarr_port"] == 7878
    assert data["sonarr_api_key"] == "" and data["radarr_api_key"] == ""
    assert data["created_at"] is not None


@pytest.mark.parametrize("name, low, high", [
    ("max_workers", 1, 64),
    ("scans_to_keep", 1, 100),
    ("sonarr_port", 1, 65535),
    ("radarr_port", 1, 65535),
    ("quarantine_retention_days", 0, 36500),
    ("small_file_threshold", 0, 10**12),
])
def test_int_limits_name_the_field(ctx, name, low, high):
    assert getattr(update_config({name: low}), name) == low
    assert getattr(update_config({name: high}), name) == high
    for bad in (low - 1, high + 1):
        with pytest.raises(ValidationError) as refused:
            update_config({name: bad})
        assert refused.value.message == f"{name} must be between {low} and {high}"
        assert refused.value.extra["field"] == name
    assert getattr(reread(), name) == high


@pytest.mark.parametrize("name", ["max_workers", "sonarr_port"])
@pytest.mark.parametrize("bad", [2.5, "4", True, None])
def test_int_fields_refuse_non_integers(ctx, name, bad):
    before = getattr(get_config(), name)
    with pytest.raises(ValidationError) as refused:
        update_config({name: bad})
    assert name in refused.value.message and "number" in refused.value.message
    assert refused.value.extra["field"] == name
    assert getattr(reread(), name) == before


@pytest.mark.parametrize("name, low, high", [
    ("file_timeout", 0.1, 600.0),
    ("probe_timeout", 1.0, 3600.0),
    ("decode_timeout", 1.0, 3600.0),
    ("broken_share_limit", 0.0, 1.0),
])
def test_float_limits_name_the_field(ctx, name, low, high):
    assert getattr(update_config({name: low}), name) == low
    assert getattr(update_config({name: high}), name) == high
    for bad in (low - 0.05, high + 0.5, float("nan")):
        with pytest.raises(ValidationError) as refused:
            update_config({name: bad})
        assert refused.value.message == f"{name} must be between {low} and {high}"
        assert refused.value.extra["field"] == name
    for bad in ("1.0", True, [1.0]):
        with pytest.raises(ValidationError) as refused:
            update_config({name: bad})
        assert refused.value.message == f"{name} must be a number"
        assert refused.value.extra["field"] == name
    assert getattr(reread(), name) == high


def test_float_field_accepts_an_int_and_stores_a_float(ctx):
    config = update_config({"file_timeout": 7})
    assert reread().file_timeout == 7.0
    assert isinstance(config.file_timeout, float)


@pytest.mark.parametrize("name", ["include_regular_files", "sonarr_enabled", "radarr_enabled"])
def test_bool_fields(ctx, name):
    if name.endswith("_enabled"):  # an enabled Sonarr/Radarr needs its key (issue 10)
        update_config({name.replace("enabled", "api_key"): "0123456789abcdef0123456789abcdef"})
    assert getattr(update_config({name: True}), name) is True
    assert getattr(reread(), name) is True
    for bad in (1, "yes", None):
        with pytest.raises(ValidationError) as refused:
            update_config({name: bad})
        assert refused.value.message == f"{name} must be true or false"
        assert refused.value.extra["field"] == name
    assert getattr(reread(), name) is True


def test_unknown_setting_lists_the_known_ones(ctx):
    with pytest.raises(ValidationError) as refused:
        update_config({"max_wrokers": 3})
    assert "unknown setting 'max_wrokers'" in refused.value.message
    assert "max_workers" in refused.value.message
    assert refused.value.extra["field"] == "max_wrokers"


@pytest.mark.parametrize("changes", [{}, None, [("max_workers", 3)]])
def test_an_empty_or_malformed_batch_is_refused(ctx, changes):
    with pytest.raises(ValidationError) as refused:
        update_config(changes)
    assert "at least one setting" in refused.value.message


@pytest.mark.parametrize("text, expected", [
    ("yes", True), ("on", True), ("TRUE", True), ("1", True),
    ("no", False), ("off", False), ("False", False), ("0", False),
])
def test_from_text_booleans(ctx, text, expected):
    update_config({"include_regular_files": not expected})
    update_config({"include_regular_files": text}, from_text=True)
    assert reread().include_regular_files is expected


def test_from_text_numbers(ctx):
    update_config({"max_workers": "12", "file_timeout": "3.5", "broken_share_limit": "0"}, from_text=True)
    config = reread()
    assert (config.max_workers, config.file_timeout, config.broken_share_limit) == (12, 3.5, 0.0)


def test_from_text_refuses_a_fraction_for_a_whole_number(ctx):
    with pytest.raises(ValidationError) as refused:
        update_config({"max_workers": "3.5"}, from_text=True)
    assert refused.value.message == "max_workers must be a whole number, not '3.5'"
    assert refused.value.extra["field"] == "max_workers"


def test_from_text_refuses_words_for_numbers_and_booleans(ctx):
    with pytest.raises(ValidationError) as refused:
        update_config({"file_timeout": "fast"}, from_text=True)
    assert refused.value.message == "file_timeout must be a number, not 'fast'"
    with pytest.raises(ValidationError) as refused:
        update_config({"sonarr_enabled": "maybe"}, from_text=True)
    assert refused.value.message == "sonarr_enabled must be true or false"
    assert refused.value.extra["field"] == "sonarr_enabled"


def test_text_is_refused_without_from_text(ctx):
    with pytest.raises(ValidationError):
        update_config({"max_workers": "12"})
    with pytest.raises(ValidationError):
        update_config({"include_regular_files": "yes"})
    assert reread().max_workers == 6


def test_from_text_source_roots_split_on_commas(ctx):
    update_config({"source_roots": "/mnt/a,/mnt/b/ , ,/mnt/c/../d"}, from_text=True)
    assert reread().source_roots == ["/mnt/a", "/mnt/b", "/mnt/d"]


def test_source_roots_as_a_list(ctx):
    update_config({"source_roots": ["/mnt/rd/", "/mnt/zurg"]})
    assert reread().source_roots == ["/mnt/rd", "/mnt/zurg"]
    update_config({"source_roots": []})
    assert reread().source_roots == []


def test_source_roots_must_be_absolute(ctx):
    with pytest.raises(ValidationError) as refused:
        update_config({"source_roots": ["/mnt/ok", "relative/one"]})
    assert refused.value.message == "source_roots must be absolute paths: relative/one"
    assert refused.value.extra["field"] == "source_roots"
    with pytest.raises(ValidationError) as refused:
        update_config({"source_roots": "/mnt/a"})  # text without from_text
    assert "list of absolute paths" in refused.value.message
    assert reread().source_roots == []


def test_secrets_are_masked_showing_only_the_last_four(ctx):
    update_config({"sonarr_api_key": "0123456789abcdef", "radarr_api_key": "radarr-secret-KEY9"})
    data = config_to_dict(get_config())
    assert data["sonarr_api_key"].endswith("cdef")
    assert "0123456789ab" not in data["sonarr_api_key"]
    assert set(data["sonarr_api_key"][:-4]) == {"*"}
    assert data["radarr_api_key"].endswith("KEY9") and "radarr-secret" not in data["radarr_api_key"]
    unmasked = config_to_dict(get_config(), masked=False)
    assert unmasked["sonarr_api_key"] == "0123456789abcdef"


def test_a_short_secret_is_masked_whole(ctx):
    assert mask("abcd") == mask("abcdefgh") == "********"


def test_mask_of_an_empty_secret_is_empty(ctx):
    assert mask("") == ""
    assert config_to_dict(get_config())["sonarr_api_key"] == ""


def test_sending_the_mask_back_keeps_the_secret(ctx):
    update_config({"sonarr_api_key": "0123456789abcdef"})
    shown = config_to_dict(get_config())
    update_config({"sonarr_api_key": shown["sonarr_api_key"], "sonarr_port": 9000})
    config = reread()
    assert config.sonarr_api_key == "0123456789abcdef"
    assert config.sonarr_port == 9000


def test_sending_a_new_secret_changes_it(ctx):
    update_config({"radarr_api_key": "old-secret-1111"})
    update_config({"radarr_api_key": "  new-secret-2222 "})
    config = reread()
    assert config.radarr_api_key == "new-secret-2222"
    assert config_to_dict(config)["radarr_api_key"].endswith("2222")


def test_an_empty_secret_clears_it(ctx):
    update_config({"radarr_api_key": "old-secret-1111"})
    update_config({"radarr_api_key": ""})
    assert reread().radarr_api_key == ""


def test_a_batch_with_one_bad_value_changes_nothing(ctx):
    before = config_to_dict(get_config(), masked=False)
    with pytest.raises(ValidationError) as refused:
        update_config({
            "max_workers": 10, "file_timeout": 9.0, "sonarr_api_key": "brand-new-key",
            "source_roots": ["/mnt/rd"], "scans_to_keep": 0, "include_regular_files": True,
        })
    assert refused.value.extra["field"] == "scans_to_keep"
    after = config_to_dict(reread(), masked=False)
    assert after == before


def test_media_path_must_be_an_existing_folder(free_ctx, tmp_path, media_root):
    other = tmp_path / "other-library"
    other.mkdir()
    update_config({"media_path": f" {other} "})
    assert reread().media_path == str(other)

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for bad in (str(tmp_path / "missing"), str(a_file), "", "   "):
        with pytest.raises(ValidationError) as refused:
            update_config({"media_path": bad})
        assert refused.value.message.startswith("media_path must be an existing folder")
        assert refused.value.extra["field"] == "media_path"
    with pytest.raises(ValidationError) as refused:
        update_config({"media_path": 5})
    assert refused.value.message == "media_path must be text"
    assert reread().media_path == str(other)


def test_relative_media_path_is_made_absolute(free_ctx, tmp_path, monkeypatch):
    (tmp_path / "rel-lib").mkdir()
    monkeypatch.chdir(tmp_path)
    update_config({"media_path": "rel-lib"})
    stored = reread().media_path
    assert os.path.isabs(stored)
    assert os.path.samefile(stored, tmp_path / "rel-lib")


def test_hosts_are_stripped_text(ctx):
    update_config({"sonarr_host": "  nas.local "})
    assert reread().sonarr_host == "nas.local"
    with pytest.raises(ValidationError) as refused:
        update_config({"sonarr_host": 12})
    assert refused.value.message == "sonarr_host must be text"


def test_parse_value_alone_does_not_touch_the_row(ctx):
    assert parse_value("max_workers", "8", from_text=True) == 8
    assert reread().max_workers == 6


def test_changes_survive_a_new_app_on_the_same_data_dir(app, env):
    from linkdoctor import create_app

    with app.app_context():
        update_config({"max_workers": 9, "radarr_api_key": "persisted-key-4242"})
    again = create_app({"TESTING": True})
    with again.app_context():
        config = get_config()
        assert (config.max_workers, config.radarr_api_key) == (9, "persisted-key-4242")
        assert len(config_rows()) == 1


def test_every_invalid_field_is_reported_at_once(ctx):
    before = config_to_dict(reread(), masked=False)
    with pytest.raises(ValidationError) as refused:
        update_config({"max_workers": 0, "file_timeout": "fast", "scans_to_keep": 3})
    fields = refused.value.extra["fields"]
    assert set(fields) == {"max_workers", "file_timeout"}
    assert fields["max_workers"].startswith("max_workers must be between")
    assert config_to_dict(reread(), masked=False) == before  # nothing saved, not even scans_to_keep


@pytest.mark.parametrize("service", ["sonarr", "radarr"])
def test_enabling_sonarr_or_radarr_needs_a_host_and_a_key(ctx, service):
    with pytest.raises(ValidationError) as refused:
        update_config({f"{service}_enabled": True, f"{service}_host": ""})
    assert set(refused.value.extra["fields"]) == {f"{service}_host", f"{service}_api_key"}
    assert getattr(reread(), f"{service}_enabled") is False
    update_config({f"{service}_enabled": True, f"{service}_api_key": "0123456789abcdef0123456789abcdef"})
    assert getattr(reread(), f"{service}_enabled") is True


def test_movie_and_series_folders_are_lists_of_names(app):
    from linkdoctor.config import config_to_dict, get_config, update_config
    from linkdoctor.errors import ValidationError

    with app.app_context():
        assert config_to_dict(get_config())["movie_folders"] == ["Films", "Movies"]
        assert get_config().series_folders == ["Séries", "Series", "TV", "Shows"]
        update_config({"movie_folders": "Films, Documentaires"}, from_text=True)
        assert get_config().movie_folders == ["Films", "Documentaires"]
        with pytest.raises(ValidationError):
            update_config({"series_folders": ["a/b"]})
        with pytest.raises(ValidationError):
            update_config({"series_folders": "TV"})


def test_phase2_decode_is_one_of_four_modes_suspicious_by_default(ctx):
    assert get_config().phase2_decode == "suspicious" and get_config().decode_timeout == 60.0
    assert config_to_dict(get_config())["phase2_decode"] == "suspicious"
    update_config({"phase2_decode": "all"})
    update_config({"phase2_decode": "sampled"}, from_text=True)
    assert reread().phase2_decode == "sampled"
    update_config({"phase2_decode": "off"}, from_text=True)
    assert reread().phase2_decode == "off"
    for bad in ("ALL", "none", "", 1, None):
        with pytest.raises(ValidationError) as refused:
            update_config({"phase2_decode": bad})
        assert refused.value.message == "phase2_decode must be one of suspicious, sampled, all, off"
        assert refused.value.extra["field"] == "phase2_decode"
    assert reread().phase2_decode == "off"
