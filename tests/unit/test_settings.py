"""Settings: one registry, validated at start with messages naming the bad setting, all documented."""
import re

import pytest

from core import settings
from tests.conftest import ROOT


def test_defaults_load_without_any_configuration(tmp_path):
    cfg = settings.load(env={}, secrets_file=tmp_path / "none.toml")
    assert cfg["DATABASE_URL"] == "sqlite:///data/anchorstep.db"
    assert cfg["IDLE_TIMEOUT_MINUTES"] == 30 and cfg["LOCKOUT_THRESHOLD"] == 10 and cfg["LOCKOUT_MINUTES"] == 15


@pytest.mark.parametrize("name,value,words", [
    ("DATABASE_URL", "mysql://x", "sqlite:///"),
    ("DATABASE_URL", "postgres://u@h/db", "psycopg"),
    ("DATABASE_SCHEMA", "public", "Supabase"),
    ("IDLE_TIMEOUT_MINUTES", "soon", "whole number"),
    ("LOCKOUT_THRESHOLD", "1", "between"),
    ("BCRYPT_ROUNDS", "4", "between 12"),
    ("DEFAULT_TIMEZONE", "UTC+25", "IANA"),
    ("DEFAULT_TIMEZONE", "../../etc/passwd", "IANA"),
    ("AUTH_COOKIE_KEY", "short", "32 characters"),
    ("LINK_BASE_URL", "javascript:alert(1)", "address"),
    ("TRUSTED_PROXIES", "nginx.internal", "IP address or network"),
    ("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/33", "10.0.0.0/33"),
])
def test_a_bad_value_is_refused_with_a_message_naming_the_setting(tmp_path, name, value, words):
    with pytest.raises(settings.SettingsError) as err:
        settings.load(env={name: value}, secrets_file=tmp_path / "none.toml")
    assert name in str(err.value) and words in str(err.value)


def test_trusted_proxies_default_to_this_machine_and_take_networks(tmp_path):
    none = tmp_path / "none.toml"
    assert settings.load(env={}, secrets_file=none)["TRUSTED_PROXIES"] == "127.0.0.1,::1"
    cfg = settings.load(env={"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7, fd00::/8"}, secrets_file=none)
    assert cfg["TRUSTED_PROXIES"] == "10.0.0.0/8, 192.0.2.7, fd00::/8"


def test_a_bad_trusted_proxies_value_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(settings.SettingsError) as err:
        settings.load(env={"TRUSTED_PROXIES": "127.0.0.1,my-proxy"}, secrets_file=tmp_path / "none.toml")
    message = str(err.value)
    assert "TRUSTED_PROXIES" in message and "'my-proxy'" in message and "10.0.0.0/8" in message


def test_secrets_toml_is_read_and_the_environment_wins(tmp_path):
    f = tmp_path / "secrets.toml"
    f.write_text('IDLE_TIMEOUT_MINUTES = 45\nLOCKOUT_MINUTES = 20\n')
    cfg = settings.load(env={"LOCKOUT_MINUTES": "25"}, secrets_file=f)
    assert cfg["IDLE_TIMEOUT_MINUTES"] == 45 and cfg["LOCKOUT_MINUTES"] == 25


def test_a_broken_secrets_file_is_named(tmp_path):
    f = tmp_path / "secrets.toml"
    f.write_text("this is = = not toml")
    with pytest.raises(settings.SettingsError, match="secrets.toml"):
        settings.load(env={}, secrets_file=f)


def test_every_setting_is_documented_in_the_readme_with_its_default():
    # (the settings table moved from README.md to docs/configuration.md; the test keeps its name)
    readme = (ROOT / "docs" / "configuration.md").read_text()
    missing = []
    for s in settings.REGISTRY:
        row = re.search(rf"^\| `{s.name}` \| ([^|]*)\|", readme, re.M)
        if not row:
            missing.append(s.name)
        elif str(s.default) and str(s.default) not in row.group(1):
            missing.append(f"{s.name} (default {s.default!r} not shown)")
    assert missing == []


def test_the_cookie_key_is_generated_once_and_kept_private(tmp_path):
    cfg = settings.load(env={"DATA_DIR": str(tmp_path)}, secrets_file=tmp_path / "none.toml")
    first = settings.cookie_key(cfg)
    assert len(first) >= 32 and settings.cookie_key(cfg) == first
    assert oct((tmp_path / "cookie-key").stat().st_mode & 0o777) == "0o600"


def test_regression_the_default_link_base_follows_the_port_the_app_serves_on(tmp_path):
    none = tmp_path / "none.toml"
    assert settings.load(env={}, secrets_file=none)["LINK_BASE_URL"] == "http://localhost:8501"
    assert settings.load(env={"PORT": "8621"}, secrets_file=none)["LINK_BASE_URL"] == "http://localhost:8621"
    chosen = settings.load(env={"PORT": "8621", "LINK_BASE_URL": "https://portal.example.org/"}, secrets_file=none)
    assert chosen["LINK_BASE_URL"] == "https://portal.example.org"  # a chosen address wins


@pytest.mark.parametrize("env,serving,words", [
    ({"PORT": "8621", "LINK_BASE_URL": "http://localhost:8501"}, None, "port 8621"),  # the worker: PORT
    ({"LINK_BASE_URL": "http://127.0.0.1:8501"}, 8600, "port 8600"),  # the app: its own port wins
    ({"LINK_BASE_URL": "http://localhost"}, 8501, "port 80 "),
    ({"EMAIL_BACKEND": "smtp"}, 8501, "public https://"),  # localhost links emailed to phones
])
def test_regression_a_link_base_that_cannot_reach_this_app_is_named_in_a_warning(tmp_path, env, serving, words):
    cfg = settings.load(env=env, secrets_file=tmp_path / "none.toml")
    warnings = settings.link_base_warnings(cfg, serving_port=serving)
    assert len(warnings) == 1 and "LINK_BASE_URL" in warnings[0] and words in warnings[0], warnings


@pytest.mark.parametrize("env,serving", [
    ({}, None), ({"PORT": "8621"}, 8621), ({"LINK_BASE_URL": "https://portal.example.org"}, 8501),
    ({"LINK_BASE_URL": "https://portal.example.org", "EMAIL_BACKEND": "sendgrid"}, 8501),
])
def test_a_link_base_that_reaches_this_app_gives_no_warning(tmp_path, env, serving):
    cfg = settings.load(env=env, secrets_file=tmp_path / "none.toml")
    assert settings.link_base_warnings(cfg, serving_port=serving) == []


def test_replicas_starting_at_once_all_read_the_same_whole_generated_key(tmp_path):
    """Several replicas and workers start together on one DATA_DIR: each either makes the key or reads the
    one another made, never an empty file caught between its creation and its write (which would sign
    everyone out and refuse forms drawn by the other replicas)."""
    import subprocess
    import sys
    code = ("import sys; from core import settings\n"
            "cfg = settings.load(env={'DATA_DIR': sys.argv[1]}, secrets_file=settings.Path(sys.argv[1]) / 'none.toml')\n"
            "print(settings.cookie_key(cfg))")
    for round_ in range(3):
        data = tmp_path / f"data{round_}"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(data)], stdout=subprocess.PIPE, text=True,
                                  cwd=settings.ROOT, env={**__import__("os").environ, "PYTHONPATH": str(settings.ROOT)})
                 for _ in range(8)]
        keys = {p.communicate(timeout=60)[0].strip() for p in procs}
        assert len(keys) == 1 and len(next(iter(keys))) >= 32, keys
        assert [p.name for p in data.iterdir()] == ["cookie-key"]  # no private temporary file left behind
