"""The SendGrid backend against a local stand-in: what it posts (tracking off, sandbox, headers,
only the opaque ref in custom args) and how each answer is classified."""
import time

import pytest

from core import settings as settings_mod
from jobs import email as mail
from tests.sendgrid_standin import StandIn
from tests.conftest import NOW, free_port

CHECKIN = "http://localhost:8501/?t=" + "C" * 43
PAUSE = "http://localhost:8501/?t=" + "P" * 43


def cfg(tmp_path, url, **env):
    return settings_mod.load({"DATA_DIR": str(tmp_path), "EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": "SG.test",
                              "SENDGRID_HOST": url, "SENDGRID_TIMEOUT_SECONDS": "1",
                              **{k: str(v) for k, v in env.items()}}, secrets_file=tmp_path / "none.toml")


def reminder(ref="0f" * 16):
    return mail.make_reminder(to="robin@example.org", practice_name="Harbour Street", checkin_link=CHECKIN,
                              pause_link=PAUSE, sender="Harbour Street <no-reply@example.org>", ref=ref, now=NOW)


@pytest.fixture
def standin():
    with StandIn() as s:
        yield s


def test_it_posts_a_neutral_mail_with_tracking_off_and_returns_the_message_id(tmp_path, standin):
    assert mail.send(reminder(), cfg(tmp_path, standin.url, SENDGRID_SANDBOX="on")) == "sg-1"
    (req,) = standin.requests
    assert req["path"] == "/v3/mail/send" and req["headers"]["Authorization"] == "Bearer SG.test"
    body = req["json"]
    assert body["tracking_settings"]["click_tracking"]["enable"] is False
    assert body["tracking_settings"]["open_tracking"]["enable"] is False
    assert body["mail_settings"]["sandbox_mode"]["enable"] is True
    assert body["custom_args"] == {"ref": "0f" * 16}
    headers = body["headers"]
    assert headers["List-Unsubscribe"] == f"<{PAUSE}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058 one-click pause
    assert body["subject"] == "A reminder from Anchorstep"  # neutral by default (issue 12)
    types = [c["type"] for c in body["content"]]
    assert types == ["text/plain", "text/html"]
    assert all(CHECKIN in c["value"] for c in body["content"])


def test_429_is_temporary_and_carries_the_rate_limit_reset(tmp_path, standin):
    standin.script = [(429, {"X-RateLimit-Reset": int(time.time()) + 120})]
    with pytest.raises(mail.TransientEmailError) as err:
        mail.send(reminder(), cfg(tmp_path, standin.url))
    assert 100 <= err.value.retry_after <= 121


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_temporary(tmp_path, standin, status):
    standin.script = [(status, {})]
    with pytest.raises(mail.TransientEmailError, match=str(status)):
        mail.send(reminder(), cfg(tmp_path, standin.url))


def test_a_hang_times_out_as_temporary(tmp_path, standin):
    standin.script = [("hang", 3)]
    started = time.monotonic()
    with pytest.raises(mail.TransientEmailError, match="did not answer"):
        mail.send(reminder(), cfg(tmp_path, standin.url))
    assert time.monotonic() - started < 2.5


def test_nobody_listening_is_temporary(tmp_path):
    with pytest.raises(mail.TransientEmailError):
        mail.send(reminder(), cfg(tmp_path, f"http://127.0.0.1:{free_port()}"))


def test_400_is_permanent(tmp_path, standin):
    standin.script = [(400, {})]
    with pytest.raises(mail.EmailError, match="HTTP 400") as err:
        mail.send(reminder(), cfg(tmp_path, standin.url))
    assert not isinstance(err.value, (mail.TransientEmailError, mail.AuthEmailError))


@pytest.mark.parametrize("status", [401, 403])
def test_a_bad_key_is_an_auth_error(tmp_path, standin, status):
    standin.script = [(status, {})]
    with pytest.raises(mail.AuthEmailError, match="SENDGRID_API_KEY"):
        mail.send(reminder(), cfg(tmp_path, standin.url))
