"""linkdoctor.auth without the web layer: host names, loopback, the mode in force; and the settings that feed them."""

import pytest

from linkdoctor.auth import auth_mode, host_of_header, is_loopback, normalise_host_name
from linkdoctor.settings import load_settings


@pytest.mark.parametrize("header, name", [
    ("localhost", "localhost"), ("LocalHost:8642", "localhost"), ("127.0.0.1:8642", "127.0.0.1"),
    ("[::1]:8642", "[::1]"), ("[0:0:0:0:0:0:0:1]", "[::1]"), ("media.lan.", "media.lan"),
    ("evil.example:8642", "evil.example"),
    ("", None), ("local host", None), ("a:b:c", None), ("[::1", None), ("[::1]x", None), ("host:80a", None),
    ("-bad.example", None), ("x" * 64 + ".example", None), ("host\x00name", None), ("host:²", None),
])
def test_host_of_header(header, name):
    assert host_of_header(header) == name


def test_normalise_host_name_spells_addresses_one_way():
    assert normalise_host_name("::1") == "[::1]"
    assert normalise_host_name("[FD00:0::5]") == "[fd00::5]"
    assert normalise_host_name("Example.COM") == "example.com"


@pytest.mark.parametrize("address, local", [
    ("127.0.0.1", True), ("127.5.6.7", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("192.168.1.2", False), ("::", False), ("", False), (None, False), ("example.com", False),
])
def test_is_loopback(address, local):
    assert is_loopback(address) is local


@pytest.mark.parametrize("stored, bind, mode", [
    (None, "127.0.0.1", "disabled_for_local"), (None, "localhost", "disabled_for_local"),
    (None, "::1", "disabled_for_local"), (None, "0.0.0.0", "enabled"), (None, "192.168.1.2", "enabled"),
    ("enabled", "127.0.0.1", "enabled"), ("disabled_for_local", "0.0.0.0", "disabled_for_local"),
])
def test_auth_mode_follows_the_setting_else_the_bound_address(stored, bind, mode):
    assert auth_mode(stored, bind) == mode


def test_trusted_proxies_come_from_the_environment():
    assert load_settings({"LINKDOCTOR_TRUSTED_PROXIES": "127.0.0.1, ::1,"}).trusted_proxies == ("127.0.0.1", "::1")
    assert load_settings({}).trusted_proxies == ()
    with pytest.raises(ValueError, match="LINKDOCTOR_TRUSTED_PROXIES"):
        load_settings({"LINKDOCTOR_TRUSTED_PROXIES": "proxy.lan"})


def test_allowed_hosts_and_auth_required_are_validated_settings(app):
    from linkdoctor.config import update_config
    from linkdoctor.errors import ValidationError

    with app.app_context():
        config = update_config({"allowed_hosts": "Media.lan, 192.168.1.2 ,media.lan", "auth_required": "enabled"},
                               from_text=True)
        assert config.allowed_hosts == ["192.168.1.2", "media.lan"] and config.auth_required == "enabled"
        for bad in (["evil example"], ["a\x00b"], ["x" * 300], "not a list", [1]):
            with pytest.raises(ValidationError):
                update_config({"allowed_hosts": bad})
        assert update_config({"auth_required": "auto"}).auth_required is None
