"""Consent check-ups in plain Python: the true/false statements, the two scales, what is due when,
and what the clinician's caseload says about the answers.

Consent is a conversation, not a one-time signature: the clinician follows up to correct the
client's misconceptions about the tool and to ask whether it still helps and still feels right.
Standards followed (sections checked with the project's search tool against published texts; see
docs/checkups.md for what was and was not verified):
- ACA Code of Ethics (2014), section H: H.2.a Informed Consent and Disclosure (the client chooses
  whether to use technology; emergency procedures and response time are part of consent), H.2.c
  Acknowledgment of Limitations (the limits of confidentiality when using technology), H.4.c
  Technology-Assisted Services (the client is capable of using the application); and A.2 (informed
  consent is ongoing and revisited throughout the relationship).
- APA Ethical Principles of Psychologists and Code of Conduct (2017): 3.10 Informed Consent (language
  reasonably understandable to the person) and 4.02 Discussing the Limits of Confidentiality.
- NASW, ASWB, CSWE and CSWA Standards for Technology in Social Work Practice (2017), Standard 2.01
  (assess the benefits and risks of services delivered with technology), with the NASW Code of Ethics
  (2017) 1.03(e)-(g) (discuss technology policies; assess the client's ability to understand the
  benefits, risks and limitations).
- AMA Code of Medical Ethics, Opinion E-1.2.12 Ethical Practice in Telemedicine (2016): inform
  patients about the limitations of the service and tailor consent to the distinctive features of
  the technology.

Nothing here acts on the clinician's behalf: a wrong answer is corrected on the client's screen, and
low comfort or usefulness is a suggestion for the next session, never an automatic pause or withdrawal.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.metrics import Flag, fmt_day
from core.i18n import N_

REALTIME = "realtime"
ANSWERS = ("true", "false", "unsure")  # "unsure" is never wrong-footed: it gets the plain statement too
ANSWER_LABELS = {"true": N_("True"), "false": N_("False"), "unsure": N_("Not sure")}
STATEMENTS_ASKED = 3  # the real-time statement and two more: under a minute on a phone (see docs)
NOTE_MAX = 500
SCALE_MAX = 5
# A check-up is "overdue" this many days after it fell due without an answer.
OVERDUE_DAYS = 7
# The renewal check-up falls due at renewal unless one was answered this many days before it.
RENEWAL_LEAD_DAYS = 7
# Low: 1 or 2 on the five-point scale. A practice convention for "worth asking about", not a
# validated cut-off: the scales are two plain questions, not a psychometric instrument.
LOW_AT_MOST = 2

# Correction for the statements that concern safety: the practice's crisis resources follow it.
# Keys: stable (answers are stored by key). Each belongs to a default checklist item (`item`).
DEFAULT_STATEMENTS: list[dict] = [
    {"key": REALTIME, "item": "limits", "safety": True, "answer": "false",
     "text": N_("My clinician sees what I enter as soon as I send it."),
     "correction": N_("Your clinician does not see entries in real time: they read them before your next session. "
                   "If you are in danger or need help now, please use the resources below.")},
    {"key": "emergency", "item": "limits", "safety": True, "answer": "false",
     "text": N_("I can use these pages to get help in an emergency."),
     "correction": N_("These pages are not a way to reach help in an emergency. If you need help now, please use "
                   "the resources below.")},
    {"key": "stop", "item": "voluntary", "safety": False, "answer": "true",
     "text": N_("I can stop taking part at any time, and my therapy carries on as before."),
     "correction": N_("You can stop at any time, with the \"Stop taking part\" button on any page or by telling "
                   "your clinician. Your therapy carries on as before.")},
    {"key": "email", "item": "risks", "safety": False, "answer": "false",
     "text": N_("The emails I get contain what I wrote."),
     "correction": N_("The emails never contain what you write or anything about your health: only a link.")},
    {"key": "who", "item": "data", "safety": False, "answer": "true",
     "text": N_("Only my clinician and the practice's administrator can see what I send."),
     "correction": N_("Only your clinician and the practice's administrator can see what you send.")},
    {"key": "reads", "item": "purpose", "safety": False, "answer": "true",
     "text": N_("My clinician reads what I send before our next session."),
     "correction": N_("Your clinician reads what you send before your next session, so you can talk about it "
                   "together.")},
]

# The two scales, in the client's words (1..5, nothing preselected). Stored by key with SCALES_VERSION.
SCALES_VERSION = 1
SCALES = {
    "usefulness": N_("Is this helping you practise between sessions?"),
    "comfort": N_("How comfortable are you with what your clinician sees?"),
}
SCALE_WORDS = {1: N_("Not at all"), 2: N_("A little"), 3: N_("Somewhat"), 4: N_("Quite a lot"), 5: N_("Very much")}
# One-tap changes. "times" tells the clinician (saved with the check-up); "pause" and "stop" use the
# existing pause and withdrawal, each only after the client confirms it on the next screen.
CHANGES = {
    "times": N_("Tell my clinician I'd like different reminder times"),
    "pause": N_("Pause my email reminders"),
    "stop": N_("Stop taking part"),
}
REASONS = {"schedule": "regular check-up", "renewal": "consent renewal", "clinician": "your clinician asked"}


def statements_for(items: list[dict]) -> list[dict]:
    """The statements of one checklist version, the real-time statement first. A version may carry
    its own (`statements` on its items); otherwise the defaults of the items it has. The real-time
    statement is always there: it is the misconception with the highest stakes."""
    own = [dict(s) for it in items for s in it.get("statements", [])]
    if own:
        pool = own
    else:
        keys = {it.get("key") for it in items}
        pool = [dict(s) for s in DEFAULT_STATEMENTS if s["item"] in keys]
    if not any(s["key"] == REALTIME for s in pool):
        pool.insert(0, dict(DEFAULT_STATEMENTS[0]))
    return sorted(pool, key=lambda s: s["key"] != REALTIME)  # stable: the rest keep their order


STATEMENT_MAX = 300  # characters of a statement or its correction's first words are stored with each answer


def clean_statements(item: dict) -> tuple[list[dict], str | None]:
    """A checklist item's own statements as a new version stores them (key, text, answer, correction,
    safety), or an error naming what is wrong. Items without statements use the defaults."""
    out = []
    for st in item.get("statements") or []:
        key, text = str(st.get("key", "")).strip(), str(st.get("text", "")).strip()
        answer, correction = str(st.get("answer", "")), str(st.get("correction", "")).strip()
        if not key or not text or len(text) > STATEMENT_MAX or answer not in ("true", "false") or not correction:
            return [], ("Each statement needs a key, a short text (up to 300 characters), the answer true or false "
                        "and a plain correction.")
        out.append({"key": key[:32], "text": text, "answer": answer, "correction": correction,
                    "safety": bool(st.get("safety"))})
    return out, None


def select(pool: list[dict], *, previously_wrong: set[str], seq: int, n: int = STATEMENTS_ASKED) -> list[dict]:
    """Which statements this check-up asks: the real-time one first, then any the client got wrong
    last time (asked again, to see the correction held), then the rest in turn (`seq`: how many
    check-ups the client has answered, so each one asks different ones)."""
    first = [s for s in pool if s["key"] == REALTIME]
    rest = [s for s in pool if s["key"] != REALTIME]
    again = [s for s in rest if s["key"] in previously_wrong]
    others = [s for s in rest if s["key"] not in previously_wrong]
    if others:
        k = (seq * (n - 1)) % len(others)
        others = others[k:] + others[:k]
    return (first + again + others)[:n]


def with_corrections(answers: list[dict], pool: dict[str, dict]) -> list[dict]:
    """The saved answers as the thank-you page shows them: each wrong or unsure one with its plain
    correction (from the checklist version's statements; our words, never typed by a person)."""
    out = []
    for a in answers:
        s = pool.get(a["key"], {})
        # The statement as asked: the version's own words (a Msg, so the page shows it in the client's
        # language) when the saved text is still that statement; else the saved text as it was asked.
        text = s["text"] if s.get("text") == a.get("text") else a.get("text", "")
        out.append({**a, "text": text, "correction": s.get("correction", "")})
    return out


def is_wrong(statement: dict, answer: str) -> bool:
    """"Not sure" counts as not yet understood: it gets the correction too (never called a failure)."""
    return answer != statement["answer"]


def validate(form: dict, asked: list[dict]) -> tuple[dict, dict[str, str]]:
    """The client's answers: every statement and both scales answered, an optional note, at most one
    change. Returns (clean, {field: message}); the messages are calm and say what to do."""
    errors: dict[str, str] = {}
    answers = {}
    for s in asked:
        value = form.get(f"s_{s['key']}")
        if value not in ANSWERS:
            errors[f"s_{s['key']}"] = N_("Please choose True, False or Not sure.")
        else:
            answers[s["key"]] = value
    scales = {}
    for key in SCALES:
        raw = str(form.get(key) or "")
        if not raw.isdigit() or not 1 <= int(raw) <= SCALE_MAX:
            errors[key] = N_("Please choose one answer.")
        else:
            scales[key] = int(raw)
    note = unicodedata.normalize("NFC", str(form.get("note") or "")).strip()
    if len(note) > NOTE_MAX:
        errors["note"] = N_("Please keep this to %(n)s characters or fewer.", n=NOTE_MAX)
    elif any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in note):
        errors["note"] = N_("This contains hidden characters; please retype it.")
    change = str(form.get("change") or "")
    if change and change not in CHANGES:
        errors["change"] = N_("Please choose one of the options, or none.")
    key = str(form.get("idempotency_key") or "")
    if not 1 <= len(key) <= 64:
        errors["form"] = N_("Please reload the page and try once more.")
    return {"answers": answers, **scales, "note": note, "change": change or None, "idempotency_key": key}, errors


@dataclass(frozen=True)
class Due:
    at: datetime
    reason: str  # schedule | renewal | clinician


def next_due(*, confirmed_at: datetime | None, renews_at: datetime | None, last_at: datetime | None,
             requested_at: datetime | None, weeks: int) -> Due | None:
    """When the next check-up falls due, and why; None without consent that counts (`confirmed_at`:
    of the round that counts now). Every `weeks` after the later of the confirmation and the last
    check-up; at renewal unless one was answered in the RENEWAL_LEAD_DAYS before it; at once when
    the clinician asked after the last one. A renewal (a new confirmation, perhaps of a new checklist
    version) starts the count again."""
    if confirmed_at is None:
        return None
    base = last_at if last_at is not None and last_at > confirmed_at else confirmed_at
    out = [Due(base + timedelta(weeks=weeks), "schedule")]
    if renews_at is not None and (last_at is None or last_at < renews_at - timedelta(days=RENEWAL_LEAD_DAYS)):
        out.append(Due(renews_at, "renewal"))
    if requested_at is not None and (last_at is None or requested_at > last_at):
        out.append(Due(requested_at, "clinician"))
    return min(out, key=lambda d: (d.at, d.reason != "clinician"))


def is_due(due: Due | None, now: datetime) -> bool:
    return due is not None and now >= due.at


def talking_points(latest: dict, zone_day=fmt_day) -> list[str]:
    """Suggestions for the next session from one check-up (`latest`: {"at", "answers": [{"key", "text",
    "answer", "correct"}], "comfort", "usefulness", "change", "previous_comfort"}). Our own words only:
    the client's note is shown beside them, never inside."""
    day = zone_day(latest["at"])
    out = []
    for a in latest["answers"]:
        if a["correct"]:
            continue
        if a["key"] == REALTIME:
            out.append(f"Client thought entries are watched in real time; corrected on {day}.")
        else:
            said = "was not sure" if a["answer"] == "unsure" else f"answered {a['answer']}"
            out.append(f"Client {said} to \"{a['text']}\"; corrected on {day}.")
    if latest.get("comfort") is not None and latest["comfort"] <= LOW_AT_MOST:
        was = latest.get("previous_comfort")
        trend = f" (was {was})" if was is not None and was > latest["comfort"] else ""
        out.append(f"Comfort with what you see was {latest['comfort']} of {SCALE_MAX}{trend} on {day}: ask what "
                   "feels uneasy.")
    if latest.get("usefulness") is not None and latest["usefulness"] <= LOW_AT_MOST:
        out.append(f"Usefulness was {latest['usefulness']} of {SCALE_MAX} on {day}: ask whether the steps still fit.")
    if latest.get("change") == "times":
        out.append(f"Client asked for different reminder times on {day}.")
    return out


def attention(latest: dict | None, now: datetime, *, asked_at: datetime | None = None) -> Flag | None:
    """The caseload's one check-up flag (or None): a misconception caught, low comfort, low usefulness
    or a change asked for in the newest check-up; or a check-up asked for (`asked_at`: the newest
    request, emailed by the worker or the clinician) and not answered within OVERDUE_DAYS. Overdue
    counts from a request, not from the schedule alone, so a practice whose worker sends nothing
    does not see every client flagged. The words carry the suggested talking point, labelled a
    suggestion. Cleared by the next check-up, never by anything acting on its own."""
    if latest is not None:
        points = talking_points(latest)
        if points:
            return Flag("checkup", "Consent check-up. Suggested talking point: " + " ".join(points), 4)
    unanswered = asked_at is not None and (latest is None or asked_at > latest["at"])
    if unanswered and now >= asked_at + timedelta(days=OVERDUE_DAYS):
        return Flag("checkup", f"Consent check-up asked for on {fmt_day(asked_at)} and not answered yet. "
                               "Suggested talking point: ask how using the link is going.", 4)
    return None
