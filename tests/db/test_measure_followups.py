"""Due questionnaires followed up gently (issue 17): mentioned once in the client's next reminder after
MEASURE_NUDGE_DAYS (neutral words, no instrument), marked missed after MEASURE_EXPIRE_DAYS, shown on the
caseload and the check-ins page until the client answers; a weekly one falls due again the next week.
Simulated with the worker's own passes on a fixed clock, in two zones."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import db
from core import measure_followups as followup_rules
from db import caseload, links, measures
from db.tables import measure_followups
from jobs import worker
from tests.db.test_replanning import T0, client_in, config, env  # noqa: F401  (env: a fixture)

UTC = timezone.utc
HOUR = timedelta(hours=1)
PHQ_SAFE = [1, 2, 1, 1, 0, 1, 1, 0, 0]


class Mail:
    """The worker's passes on a fixed clock, every hour, with every reminder kept with its instant."""

    def __init__(self, cfg):
        self.cfg, self.now, self.sent = cfg, None, []

    def deliver(self, message, cfg):
        self.sent.append((self.now, message.get_body(("plain",)).get_content(),
                          message.get_body(("html",)).get_content(),
                          "\n".join(f"{k}: {v}" for k, v in message.items())))
        return "ok"

    def run(self, start: datetime, end: datetime) -> None:
        self.now = start
        while self.now < end:
            worker.one_pass("w1", self.cfg, now_fn=lambda t=self.now: t, deliver=self.deliver)
            self.now += HOUR

    def nudges(self) -> list[datetime]:
        return [at for at, plain, *_ in self.sent if followup_rules.NUDGE_WORDS in plain]


def reasons(people, now: datetime) -> list[str]:
    (row,) = [r for r in caseload.rows(people["clara"], now=now) if r.id == people["client_clara"]]
    return [f.kind for f in row.flags]


def marks(cid: int) -> list[dict]:
    f = measure_followups
    with db.read() as conn:
        return [dict(r) for r in conn.execute(select(f.c.period_start, f.c.nudged_at, f.c.missed_at)
                                              .where(f.c.client_id == cid).order_by(f.c.period_start)).mappings()]


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_nudge_once_per_due_period_then_missed_after_four_days_and_answering_clears_it(database, people, env, zone):
    cfg = config()
    _, cid = client_in(people, zone, "09:00", "18:00")  # two reminders a day: only one may mention it
    assert measures.assign(people["clara"], cid, "phq9", "weekly", now=T0) == {}
    mail = Mail(cfg)

    mail.run(T0, T0 + timedelta(days=4))
    assert len(mail.sent) == 8  # the reminders went out, twice a day
    assert "measure_missed" not in reasons(people, T0 + timedelta(days=4) - HOUR)
    (first,) = mail.nudges()  # the first reminder from two days after it fell due, and no other
    assert first == min(at for at, *_ in mail.sent if at >= T0 + timedelta(days=2))

    mail.run(T0 + timedelta(days=4), T0 + timedelta(days=12))
    # Missed at the first pass four days after each period began; the second period began a week after the first.
    assert marks(cid) == [
        {"period_start": T0, "nudged_at": first, "missed_at": T0 + timedelta(days=4)},
        {"period_start": T0 + timedelta(days=7), "nudged_at": mail.nudges()[1],
         "missed_at": T0 + timedelta(days=11)}]
    assert len(mail.nudges()) == 2
    assert T0 + timedelta(days=9) <= mail.nudges()[1] < T0 + timedelta(days=10)
    assert "measure_missed" in reasons(people, mail.now)
    view = measures.overview(people["clara"], cid, now=mail.now)
    assert view["assigned"][0]["missed_at"] == T0 + timedelta(days=11)

    # Neutral words only: nothing names the questionnaire, in either part or any header (links aside:
    # a random token may spell anything).
    for _, plain, html, headers in mail.sent:
        words = re.sub(r"https?://[^\s\"<>]+", "", plain + html + headers).lower()
        for name in ("phq", "patient health", "mood", "depress", "gad", "who-5"):
            assert name not in words
    nudged = [html for at, plain, html, _ in mail.sent if at in mail.nudges()]
    assert all(followup_rules.NUDGE_WORDS in html for html in nudged)

    # The client answers late (still on their check-in page): the reason goes, and nothing more is said.
    raw = links.issue_for(people["clara"], cid, "checkin", now=mail.now, ttl_days={"checkin": 7})
    (aid,) = [a["id"] for a in view["assigned"]]
    assert measures.submit(raw, aid, PHQ_SAFE, "n" * 24, now=mail.now).status == "saved"
    assert "measure_missed" not in reasons(people, mail.now)
    assert measures.overview(people["clara"], cid, now=mail.now)["assigned"][0]["missed_at"] is None
    mail.run(mail.now, T0 + timedelta(days=14))
    assert len(mail.nudges()) == 2 and len(marks(cid)) == 2


def test_nudge_mentioned_only_when_the_reminder_is_recorded_sent(database, people, env):
    """A reminder the provider refused for now (it will retry) has not mentioned the questionnaire:
    its retry, or the next reminder, does."""
    from jobs import email
    cfg = config()
    _, cid = client_in(people, "Europe/London", "12:00")
    assert measures.assign(people["clara"], cid, "phq9", "once", now=T0) == {}
    tried = []

    def busy_once(message, cfg):
        tried.append(followup_rules.NUDGE_WORDS in message.get_body(("plain",)).get_content())
        if len(tried) == 1:
            raise email.TransientEmailError("busy", retry_after=60)
        return "ok"

    at = T0 + timedelta(days=2, hours=9)  # 12:00 London on the third day
    worker.one_pass("w1", cfg, now_fn=lambda: at, deliver=busy_once)
    assert marks(cid) == []  # tried with the mention, not sent: nothing recorded
    worker.one_pass("w1", cfg, now_fn=lambda: at + timedelta(minutes=10), deliver=busy_once)
    assert tried == [True, True]
    assert [m["nudged_at"] for m in marks(cid)] == [at + timedelta(minutes=10)]


def test_missed_only_for_clients_who_could_answer(database, people, env):
    """A discharged client's questionnaire is not marked missed (they get no link that works)."""
    from db import clients
    cfg = config()
    _, cid = client_in(people, "Europe/London", "12:00")
    assert measures.assign(people["clara"], cid, "gad7", "once", now=T0) == {}
    c = clients.get(people["clara"], cid, now=T0)
    assert clients.update_client(people["clara"], cid, {**c, "status": "discharged"}, now=T0) == {}
    worker.one_pass("w1", cfg, now_fn=lambda: T0 + timedelta(days=5), deliver=lambda m, c: "ok")
    assert marks(cid) == []
