"""One registry of settings: name, default, help, and a validating reader.

Values come from the environment first, then `.streamlit/secrets.toml`, then the default.
`load()` validates everything at once and names the bad setting in its message, so the app and
the worker can refuse to start with a sentence a practice admin can act on.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
import secrets
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.email_headers import ENCODED_WORD_START, LINE_BREAKS, is_hidden

ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise ValueError(f"must be a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        return value
    return parse


def _float_between(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(str(raw).strip())
        except ValueError:
            raise ValueError(f"must be a number, got {raw!r}") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        return value
    return parse


def _database_url(raw: str) -> str:
    raw = str(raw).strip()
    if raw.startswith("sqlite:///") or raw.startswith("postgresql+psycopg://"):
        return raw
    if raw.startswith("postgres://") or raw.startswith("postgresql://"):
        raise ValueError("use the psycopg 3 driver: start the URL with postgresql+psycopg://")
    raise ValueError("must start with sqlite:/// or postgresql+psycopg://")


def _identifier(raw: str) -> str:
    raw = str(raw).strip()
    if not raw or not (raw[0].isalpha() or raw[0] == "_") or not all(c.isalnum() or c == "_" for c in raw) or len(raw) > 50:
        raise ValueError("must be a plain lower-case identifier such as anchorstep")
    if raw.lower() in {"public", "auth", "storage", "extensions", "graphql", "realtime"}:
        raise ValueError(f"{raw!r} is exposed or reserved on Supabase; choose a private schema name")
    return raw.lower()


def _zone(raw: str) -> str:
    raw = str(raw).strip()
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{raw!r} is not an IANA time zone such as Europe/London") from None
    return raw


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = str(raw).strip().lower()
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}, got {raw!r}")
        return value
    return parse


def _url(raw: str) -> str:
    raw = str(raw).strip().rstrip("/")
    if not (raw.startswith("https://") or raw.startswith("http://")) or any(c in raw for c in " \r\n\t\"'<>"):
        raise ValueError("must be an address such as https://portal.example.org")
    return raw


def _header_value(raw: str) -> str:
    raw = str(raw).strip()
    if any(c in LINE_BREAKS or c == "\x00" for c in raw):
        raise ValueError("must be one line (no line breaks)")
    if any(is_hidden(c) for c in raw):
        raise ValueError("must not contain hidden or control characters (zero-width, direction marks)")
    if ENCODED_WORD_START in raw:
        raise ValueError('must not contain "=?" (email programs read it as an encoded word)')
    return raw


def _networks(raw: str) -> str:
    for part in raw.split(","):
        if part.strip():
            try:
                ipaddress.ip_network(part.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{part.strip()!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)")
    return raw


def _secret(raw: str) -> str:
    raw = str(raw).strip()
    if raw and len(raw) < 32:
        raise ValueError("must be at least 32 characters (python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return raw


def _fernet_keys(raw: str) -> str:
    raw = str(raw).strip()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            if len(base64.urlsafe_b64decode(part.encode())) != 32:
                raise ValueError
        except (ValueError, binascii.Error):
            raise ValueError("must be Fernet keys, comma-separated (python -c 'from cryptography.fernet import "
                             "Fernet; print(Fernet.generate_key().decode())')") from None
    return raw


def _quiet_hours(raw: str) -> str:
    raw = str(raw).strip()
    if raw.lower() in ("off", "none"):
        return ""
    if raw and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", raw):
        raise ValueError(f"must look like 21:30-07:30 (or be off), got {raw!r}")
    return raw


REGISTRY: list[Setting] = [
    Setting("DATABASE_URL", "sqlite:///data/anchorstep.db",
            "Where data lives: sqlite:///path/to/file.db or postgresql+psycopg://user:pass@host:5432/db?sslmode=require. "
            "A relative SQLite path is relative to the project folder.", _database_url),
    Setting("DATABASE_SCHEMA", "anchorstep",
            "PostgreSQL only: the private schema that holds every table (never public, which Supabase's Data API serves).",
            _identifier),
    Setting("DATABASE_POOLER", "session",
            "PostgreSQL only: 'transaction' when connecting through a transaction pooler (Supabase port 6543), "
            "which turns off prepared statements; 'session' otherwise.", _choice("session", "transaction")),
    Setting("DATABASE_POOL_SIZE", 5,
            "PostgreSQL only: connections each process (app replica or worker) keeps open. With several replicas, "
            "processes × (pool size + overflow) must fit the database's or pooler's limit (docs/deploy.md).",
            _int_between(1, 100)),
    Setting("DATABASE_MAX_OVERFLOW", 10,
            "PostgreSQL only: connections a process may open beyond its pool at a busy moment (closed after).",
            _int_between(0, 100)),
    Setting("DATA_DIR", "data", "Folder for the SQLite database, the console outbox, demo credentials and generated secrets."),
    Setting("AUTH_COOKIE_KEY", "",
            "Secret (32+ characters) that signs the re-login cookie. Empty: generated once and kept in DATA_DIR/cookie-key.",
            _secret),
    Setting("TWO_FACTOR_KEYS", "",
            "Fernet key(s) that encrypt authenticator secrets at rest, comma-separated: the first encrypts, all "
            "decrypt (rotation). Empty: generated once and kept in DATA_DIR/two-factor-key. Replicas need the same value.",
            _fernet_keys),
    Setting("EXPORT_ID_KEY", "",
            "Key of the opaque client identifier in FHIR exports (the same client gets the same identifier in "
            "every export). Empty: generated once and kept in DATA_DIR/export-id-key. Replicas need the same value."),
    Setting("AUTH_COOKIE_NAME", "anchorstep_auth", "Name of the re-login cookie.", _identifier),
    Setting("AUTH_COOKIE_EXPIRY_DAYS", 1.0,
            "How long the re-login cookie lasts (days). It only works while its server-side session is alive.",
            _float_between(0.01, 30)),
    Setting("IDLE_TIMEOUT_MINUTES", 30, "Minutes without activity after which a signed-in user must sign in again.",
            _int_between(1, 24 * 60)),
    Setting("LOCKOUT_THRESHOLD", 10, "Failed sign-ins in a row that lock an account.", _int_between(3, 100)),
    Setting("LOCKOUT_MINUTES", 15, "How long a locked account stays locked.", _int_between(1, 24 * 60)),
    Setting("BCRYPT_ROUNDS", 12, "bcrypt cost for new password hashes (12 or more).", _int_between(12, 16)),
    Setting("DEFAULT_TIMEZONE", "Europe/London", "Time zone offered first for new practices and clients.", _zone),
    Setting("PORT", 8501,
            "Port the app serves on: `make run` starts streamlit and the worker with it, and the default "
            "LINK_BASE_URL follows it.", _int_between(1, 65535)),
    Setting("LINK_BASE_URL", "",
            "Public address of the app, used to build client links in emails (https://… in production). "
            "Empty: http://localhost:PORT, this machine only.", lambda raw: _url(raw)),
    Setting("TRUSTED_PROXIES", "127.0.0.1,::1",
            "Comma-separated addresses or networks of reverse proxies (nginx) whose X-Forwarded-For and "
            "X-Forwarded-Proto headers the client pages believe. From anyone else those headers are ignored.",
            _networks),
    Setting("LINK_TTL_CONSENT_DAYS", 14.0, "Days a consent link stays valid.", _float_between(0.01, 90)),
    Setting("LINK_TTL_DAYS", 7.0, "Days a check-in, coping-card, preferences or consent check-up link stays valid.",
            _float_between(0.01, 90)),
    # Email (jobs/email/). Emails never carry health information: a neutral line and one link.
    Setting("EMAIL_BACKEND", "console",
            "How email leaves: console (prints a notice and writes .eml files under DATA_DIR/outbox), smtp, or "
            "sendgrid.", _choice("console", "smtp", "sendgrid")),
    Setting("EMAIL_FROM", "Anchorstep <no-reply@localhost>",
            "Sender address of client emails; the name shown before it is the practice's sender name "
            "(Practice settings).", _header_value),
    Setting("SMTP_HOST", "localhost", "SMTP server host (EMAIL_BACKEND=smtp).", _header_value),
    Setting("SMTP_PORT", 587, "SMTP server port.", _int_between(1, 65535)),
    Setting("SMTP_USERNAME", "", "SMTP user name; empty: no login.", _header_value),
    Setting("SMTP_PASSWORD", "", "SMTP password (put it in the environment or secrets.toml, never in git)."),
    Setting("SMTP_STARTTLS", "auto",
            "auto: encrypt with STARTTLS whenever the server offers it; required: refuse to send without it; "
            "off: never (only for a local relay).", _choice("auto", "required", "off")),
    Setting("SMTP_TIMEOUT_SECONDS", 20, "Seconds to wait for the SMTP server.", _int_between(1, 300)),
    # Reminders (jobs/worker.py, jobs/planner.py, jobs/sender.py).
    Setting("REMINDER_DAILY_CAP", 2, "Most reminders one client gets per local day (the most important steps first).",
            _int_between(1, 10)),
    Setting("REMINDER_QUIET_HOURS", "21:30-07:30",
            "Practice quiet hours in each client's local time, HH:MM-HH:MM (off: none); reminders inside are "
            "deferred to the end, never dropped.", _quiet_hours),
    Setting("REMINDER_WINDOW_MINUTES", 120, "Minutes after its time a reminder may still go out; later it expires.",
            _int_between(5, 24 * 60)),
    Setting("REMINDER_MAX_ATTEMPTS", 6, "Tries per reminder on temporary errors (429, 5xx, network) before it "
            "becomes a dead letter.", _int_between(1, 20)),
    Setting("REMINDER_LEASE_SECONDS", 300, "How long a worker's claim on a reminder lasts before another worker "
            "may take it back.", _int_between(30, 3600)),
    Setting("REMINDER_SEND_BATCH", 20, "Reminders the worker marks 'sending' in one transaction before handing them "
            "to the email backend one by one; a worker killed mid-group turns at most this many into visible "
            "'interrupted' dead letters (1: one transaction per reminder).", _int_between(1, 200)),
    Setting("SENDGRID_API_KEY", "", "SendGrid API key (EMAIL_BACKEND=sendgrid); keep it out of git."),
    Setting("SENDGRID_HOST", "https://api.sendgrid.com", "SendGrid API base URL (tests point it at a stand-in).",
            lambda raw: _url(raw)),
    Setting("SENDGRID_SANDBOX", "off", "on: SendGrid accepts mail and sends nothing (sandbox mode).",
            _choice("on", "off")),
    Setting("SENDGRID_TIMEOUT_SECONDS", 15, "Seconds to wait for SendGrid.", _int_between(1, 120)),
    # Consent (core/consent.py).
    Setting("CONSENT_RENEWAL_DAYS", 90, "Days after the client confirms until consent is due for renewal.",
            _int_between(7, 730)),
    Setting("CONSENT_GRACE_DAYS", 14,
            "Days after renewal falls due during which consent still counts; then it expires and nothing is sent.",
            _int_between(0, 90)),
    Setting("CONSENT_NOTICE_DAYS", 14, "The caseload shows \"renewal due in N days\" from this many days before.",
            _int_between(0, 90)),
    Setting("CONSENT_CHECKUP_WEEKS", 4,
            "Weeks between consent check-ups (a practice can set its own); one is also due at renewal and whenever "
            "the clinician asks.", _int_between(1, 52)),
    # Check-ins (db/checkins.py, core/safety.py).
    Setting("SAFETY_DISTRESS_THRESHOLD", 9,
            "A check-in with distress at or above this (0-10) shows crisis resources to the client and raises a "
            "safety flag for the clinician.", _int_between(1, 10)),
    # Staff emails: safety alerts, escalations, the weekly digest (db/staff_outbox.py, jobs/staff_sender.py).
    Setting("SAFETY_ALERT_COOLDOWN_MINUTES", 15,
            "At most one safety alert per clinician in this many minutes; a flag raised inside the window is "
            "counted in the next alert. Alerts ignore quiet hours and the daily cap.", _int_between(0, 24 * 60)),
    Setting("SAFETY_ESCALATE_HOURS", 24,
            "A safety flag still unreviewed after this many hours is emailed to the practice's admins, once "
            "(each practice can change it on Practice settings).", _int_between(1, 24 * 14)),
    Setting("DIGEST_WEEKDAY_HOUR", 8,
            "The weekly digest goes out on Monday at this hour in the practice's time zone (0-23).",
            _int_between(0, 23)),
    # Questionnaire follow-up (core/measure_followups.py, db/measure_followups.py).
    Setting("MEASURE_NUDGE_DAYS", 2,
            "A due questionnaire still unanswered after this many days is mentioned once in the client's next "
            "reminder (neutral words, never the questionnaire's name).", _int_between(1, 30)),
    Setting("MEASURE_EXPIRE_DAYS", 4,
            "A due questionnaire still unanswered after this many days is marked missed: the caseload shows "
            "'questionnaire missed' until the client answers (a weekly one falls due again the next week).",
            _int_between(1, 30)),
    # Caseload attention (db/caseload.py, core/metrics.py).
    Setting("ATTENTION_NO_CHECKIN_DAYS", 4,
            "The caseload flags a client with no check-in for this many days or more.", _int_between(1, 60)),
    # Questionnaires (core/reliable_change.py).
    Setting("RELIABLE_CHANGE_RULE", "jacobson-truax",
            "How a questionnaire change is called reliable: jacobson-truax (the reliable change index from each "
            "questionnaire's published SD and reliability) or fixed-points (published thresholds, e.g. the IAPT "
            "manual's PHQ-9 6 and GAD-7 4 points). A practice can choose on Practice settings, which wins.",
            _choice("jacobson-truax", "fixed-points")),
    Setting("LOG_LEVEL", "INFO", "Logging level for the app and the worker.",
            lambda raw: _choice("debug", "info", "warning", "error")(raw).upper()),
]

BY_NAME = {s.name: s for s in REGISTRY}


def _secrets_file_values(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    return {k.upper(): v for k, v in data.items() if not isinstance(v, dict)}


class Settings(dict):
    """A validated snapshot; read with settings['NAME'] or settings.NAME."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_dir(self) -> Path:
        path = Path(self["DATA_DIR"])
        return path if path.is_absolute() else ROOT / path

    def link_ttl_days(self) -> dict[str, float]:
        other = self["LINK_TTL_DAYS"]
        return {"consent": self["LINK_TTL_CONSENT_DAYS"], "checkin": other, "card": other, "preferences": other,
                "checkup": other}

    @property
    def is_postgres(self) -> bool:
        return self["DATABASE_URL"].startswith("postgresql")


def load(env: dict[str, str] | None = None, secrets_file: Path | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    from_file = _secrets_file_values(secrets_file or SECRETS_FILE)
    values = Settings()
    problems = []
    for s in REGISTRY:
        if s.name in env and str(env[s.name]).strip() != "":
            raw, source = env[s.name], "environment variable"
        elif s.name in from_file:
            raw, source = from_file[s.name], "secrets.toml"
        else:
            values[s.name] = s.default
            continue
        try:
            values[s.name] = s.parse(raw)
        except ValueError as exc:
            problems.append(f"{s.name} ({source}) {exc}")
    if problems:
        raise SettingsError("Setting problem: " + "; ".join(problems))
    if not values["LINK_BASE_URL"]:  # links follow the port the app serves on
        values["LINK_BASE_URL"] = f"http://localhost:{values['PORT']}"
    return values


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def link_base_warnings(settings: Settings, serving_port: int | None = None) -> list[str]:
    """Why client links built from LINK_BASE_URL may not reach this app, as sentences for the log at
    start. `serving_port` is the port this process serves on (the app); the worker passes None and
    PORT stands for it. Only the URL is read: nothing is probed."""
    base = settings["LINK_BASE_URL"]
    port = serving_port or settings["PORT"]
    parts = urlsplit(base)
    problems = []
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"LINK_BASE_URL={base} is not an http(s) address: client links will not open this app."]
    try:
        url_port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return [f"LINK_BASE_URL={base} has a port that is not a number: client links will not open this app."]
    if parts.hostname in LOCAL_HOSTS and url_port != port:
        problems.append(f"LINK_BASE_URL={base} points at port {url_port} on this machine, but the app serves on "
                        f"port {port}: client links will not reach it. Leave LINK_BASE_URL unset to follow PORT, "
                        "or set it to the address clients use.")
    if parts.hostname in LOCAL_HOSTS and settings["EMAIL_BACKEND"] != "console":
        problems.append(f"LINK_BASE_URL={base} points at this machine, so links in emails open only here, never "
                        "on a client's phone: set it to the app's public https:// address.")
    return problems


def _kept(settings: Settings, filename: str, make) -> str:
    """A secret generated once and kept beside the data in a file only its owner can read, so the app and
    the worker (and every restart) use the same one."""
    path = settings.data_dir / filename
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Written whole under a private name, then linked into place: several replicas and workers starting
    # at once never read a half-written (empty) key, and the first one to link wins for all of them.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{filename}.")
    try:
        with os.fdopen(fd, "w") as fh:  # mkstemp makes it 0600
            fh.write(value)
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process (a replica, a worker) made it first
            return path.read_text().strip()
    finally:
        os.unlink(tmp)
    return value


def cookie_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept beside the data (never a known default)."""
    return settings["AUTH_COOKIE_KEY"] or _kept(settings, "cookie-key", lambda: secrets.token_urlsafe(48))


def export_id_key(settings: Settings) -> str:
    """The key of the opaque client identifier in FHIR exports (core.fhir.opaque_id): configured, or one
    generated once into DATA_DIR/export-id-key."""
    return settings["EXPORT_ID_KEY"] or _kept(settings, "export-id-key", lambda: secrets.token_urlsafe(32))


def two_factor_keys(settings: Settings) -> str:
    """The keys that encrypt authenticator secrets: configured, or one generated once into
    DATA_DIR/two-factor-key. Never stored in the database, so a copy of the database alone cannot make codes."""
    from cryptography.fernet import Fernet
    return settings["TWO_FACTOR_KEYS"] or _kept(settings, "two-factor-key", lambda: Fernet.generate_key().decode())
