"""Consent rules in plain Python: the default checklist, the states, and the form checks.

Consent is not a one-time signature: the clinician goes through each item in session and checks the
client can use the technology, the client confirms each item through their own link, and consent
comes up for renewal. A newer checklist version asks for consent again.

State of one client, from their consent rounds (newest first):
  none → draft (clinician recorded the discussion) → awaiting client (link made) → active
  → renewal due (at `renews_at`, or a newer checklist version) → expired (at `expires_at`);
  withdrawn at any point, from then on.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clients import NAME_MAX, clean_name
from core.days import days_until, in_days
from core import i18n
from core.i18n import N_

STATES = ("none", "draft", "awaiting_client", "active", "renewal_due", "expired", "withdrawn")
# States in which the client has given consent that still counts.
COUNTS = ("active", "renewal_due")
TECH_NOTE_MAX = 500
ITEM_TITLE_MAX = 120  # a checklist part's title
ITEM_TEXT_MAX = 3000  # a checklist part's wording

# The default checklist. "{practice}" and "{crisis}" are filled in when shown (crisis resources come
# from the practice's settings). Keys are stable: confirmations are stored by key. Its words are catalog
# entries: `default_items(language)` is the default checklist in an offered language, stored as that
# language's version of the checklist when first needed (db.consent_templates).
DEFAULT_ITEMS: list[dict] = [
    {"key": "purpose", "title": N_("What this is for and how it works"),
     "text": N_("Anchorstep helps you practise the small steps you agree with your clinician between sessions. "
                "From time to time you get an email with a link. The link opens a short page where you can note "
                "whether you practised, how you feel, and a thought if you want to. Your clinician reads these "
                "before your next session.")},
    {"key": "benefits", "title": N_("How it can help"),
     "text": N_("Noting things close to when they happen is usually more accurate than remembering them days "
                "later. It can make practice easier to keep up, and it gives you and your clinician a clearer "
                "picture to work with in session.")},
    {"key": "risks", "title": N_("Risks to know about"),
     "text": N_("Email is not fully private. Anyone who can get into your email, or who picks up your unlocked "
                "phone, could open a link and see or fill in the page it opens. The emails themselves never "
                "contain what you write or anything about your health. If you share a device or email account, "
                "tell your clinician: you can agree on another way.")},
    {"key": "limits", "title": N_("What it cannot do"),
     "text": N_("Nobody watches what you send in real time. It is not a way to reach help in an emergency, and "
                "your clinician may not see an entry until your next session. If you need help now:\n\n{crisis}")},
    {"key": "data", "title": N_("What is kept, who sees it, and for how long"),
     "text": N_("We keep your first name or initials, your email address and time zone, the steps you agreed, "
                "and what you send in. Only your clinician and {practice}'s administrator can see it. It is kept "
                "while you work with {practice} and then for as long as the practice's records policy says; "
                "you can ask your clinician to see or delete it.")},
    {"key": "voluntary", "title": N_("Taking part is your choice"),
     "text": N_("Taking part is voluntary and does not change your therapy. You can stop at any time: every page "
                "you open from a link has a \"Stop taking part\" button, or you can simply tell your clinician. "
                "Stopping ends the emails and switches off your links straight away.")},
    {"key": "technology", "title": N_("You can use the technology"),
     "text": N_("Your clinician has checked with you that you can open an email link on your phone or computer "
                "and use the short form. If anything about it is hard to use, please say so: that is useful "
                "to know, not a failure.")},
]


def default_items(language: str) -> list[dict] | None:
    """The default checklist in `language` (English: the source), or None when the language's catalog
    does not translate every part of it (then that language's clients read the English checklist)."""
    if language == i18n.SOURCE:
        return [dict(it) for it in DEFAULT_ITEMS]
    if not i18n.is_offered(language):
        return None
    tr = i18n.translations(language)
    out = [{"key": it["key"], "title": i18n.translate(it["title"], tr), "text": i18n.translate(it["text"], tr)}
           for it in DEFAULT_ITEMS]
    if any(o["title"] == it["title"] or o["text"] == it["text"] for o, it in zip(out, DEFAULT_ITEMS)):
        return None
    return out


@dataclass(frozen=True)
class Status:
    """What the clinician sees for one client."""
    state: str
    label: str
    version: int | None = None       # checklist version of the consent that counts (or of the open round)
    confirmed_at: datetime | None = None
    renews_at: datetime | None = None
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None
    pending: bool = False            # a newer round is awaiting the client

    @property
    def counts(self) -> bool:
        return self.state in COUNTS


def render_items(items: list[dict], *, practice: str, crisis: str) -> list[dict]:
    """Fill in the practice's name and crisis resources (plain text; pages show it escaped)."""
    return [{**it, "text": it["text"].replace("{practice}", practice).replace("{crisis}", crisis)} for it in items]


def dates_after_confirm(confirmed_at: datetime, *, renewal_days: int, grace_days: int) -> tuple[datetime, datetime]:
    renews_at = confirmed_at + timedelta(days=renewal_days)
    return renews_at, renews_at + timedelta(days=grace_days)


def renewal_notice(renews_at: datetime | None, now: datetime, zone: str, notice_days: int) -> int | None:
    """Calendar days until renewal falls due while inside the notice window (0: today), else None.
    The one rule for the consent column and the caseload's "needs attention" flag."""
    if renews_at is None or now >= renews_at:
        return None
    n = days_until(renews_at, now, zone)
    return n if n <= notice_days else None


def round_state(row: dict, now: datetime, current_version: int) -> str:
    """The state of one consent round (a row), at `now`."""
    if row.get("withdrawn_at") is not None:
        return "withdrawn"
    if row.get("confirmed_at") is not None:
        if now >= row["expires_at"]:
            return "expired"
        if now >= row["renews_at"] or row["version"] < current_version:
            return "renewal_due"
        return "active"
    if row.get("superseded_at") is not None:
        return "none"
    return "awaiting_client" if row.get("sent_at") is not None else "draft"


def status(rounds: list[dict], now: datetime, *, current_version: int, notice_days: int, zone: str) -> Status:
    """One client's status from their rounds, newest first. A confirmed round that still counts wins
    over a newer open round (a renewal in progress), which shows as `pending`. Days are counted in
    `zone`'s calendar (core.days; the practice's), and the renewal notice shows from `notice_days`
    calendar days before."""
    if not rounds:
        return Status("none", "no consent yet")
    newest = rounds[0]
    newest_state = round_state(newest, now, current_version)
    if newest_state == "withdrawn":
        return Status("withdrawn", "withdrawn", newest["version"], newest.get("confirmed_at"),
                      withdrawn_at=newest["withdrawn_at"])
    counted = next((r for r in rounds if r.get("confirmed_at") is not None and r.get("withdrawn_at") is None), None)
    pending = newest_state in ("draft", "awaiting_client")
    if counted is not None:
        state = round_state(counted, now, current_version)
        if state != "expired" or not pending:
            label = {"active": "active", "expired": "expired"}.get(state, "")
            if state == "active" and renewal_notice(counted["renews_at"], now, zone, notice_days) is not None:
                label = f"renewal due {in_days(days_until(counted['renews_at'], now, zone))}"
            elif state == "renewal_due":
                if counted["version"] < current_version and now < counted["renews_at"]:
                    label = "renewal due: new checklist version"
                else:
                    label = f"renewal due: expires {in_days(days_until(counted['expires_at'], now, zone))}"
            if pending:
                label += " (new link sent)" if newest_state == "awaiting_client" else " (renewal drafted)"
            return Status(state, label, counted["version"], counted["confirmed_at"], counted["renews_at"],
                          counted["expires_at"], pending=pending)
    if pending:
        return Status(newest_state, "awaiting client" if newest_state == "awaiting_client" else "draft",
                      newest["version"], pending=True)
    return Status("none", "no consent yet")


def check_items(items: list[dict]) -> dict[str, str]:
    """A checklist version's wording: {"<key>:title" | "<key>:text": message} for empty or overlong
    parts. The admin page shows these beside the fields; publishing refuses with them."""
    errors = {}
    for it in items:
        key = str(it.get("key", ""))
        title, text = str(it.get("title", "")), str(it.get("text", ""))
        if not title.strip() or len(title) > ITEM_TITLE_MAX:
            errors[f"{key}:title"] = f"Give this part a short title (up to {ITEM_TITLE_MAX} characters)."
        if not text.strip() or len(text) > ITEM_TEXT_MAX:
            errors[f"{key}:text"] = f"Write this part in a few plain sentences (up to {ITEM_TEXT_MAX:,} characters)."
    return errors


def check_discussion(item_keys: list[str], discussed: list[str], tech_ok: bool, tech_note: str) -> dict[str, str]:
    """The clinician's in-session record: every item discussed and the technology check done."""
    errors: dict[str, str] = {}
    missing = [k for k in item_keys if k not in set(discussed)]
    if missing:
        errors["discussed"] = ("Please go through every item with the client and tick it; "
                               f"{len(missing)} still to discuss.")
    if not tech_ok:
        errors["tech_ok"] = ("Please check together that the client can open a link and use the form, "
                             "then tick this box.")
    note = str(tech_note or "")
    if len(note) > TECH_NOTE_MAX:
        errors["tech_note"] = f"Please keep the note to {TECH_NOTE_MAX} characters or fewer."
    elif any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in note):
        errors["tech_note"] = "The note contains hidden control characters; please retype it."
    return errors


def check_confirmation(item_keys: list[str], confirmed: list[str], name: str) -> tuple[str, dict[str, str]]:
    """The client's form: each item confirmed and their name typed. Returns (clean name, errors)."""
    errors: dict[str, str] = {}
    if any(k not in set(confirmed) for k in item_keys):
        errors["items"] = N_("Please read each part and tick its box. Take your time; you can ask about anything.")
    clean, err = clean_name(name)
    if err and not clean:
        errors["name"] = N_("Please type your name as you'd like to sign (a first name is fine).")
    elif err:  # the client reads a message in their language, not the clinician's form message
        errors["name"] = N_("Please type your name again in plain letters, up to %(n)s characters: it has a hidden "
                            "or control character, or too many accents on one letter.", n=NAME_MAX)
    return clean, errors
