"""A deterministic large practice, the same data on SQLite and PostgreSQL: 20 clinicians, 400 clients,
a year of check-ins (about 3 a day per active client, about 400,000), plans with steps, consents,
session dates, PHQ-9/GAD-7 series, a few open safety flags and a month of outbox history.

Plans and consents go through db/plans.py and db/consent.py (their own inserts, inside our transaction);
the bulk tables (check-ins, their step answers, questionnaire answers, outbox) are inserted with
executemany in chunks, with ids assigned here so answers can point at their check-in without a
round trip (PostgreSQL's sequences are moved past them at the end). Check-ins are only ever
inserted, never updated (the tables refuse UPDATE). One client, "the year client", checks in about
five times a day for the whole year, for the client-view measurement, and answers three personal items
on each check-in (one of them reworded half-way through the year, so four series; with more than a year,
half a year ago).

Later features add their rows as functions in `EXTRA`, each (conn, ids, now, rng) -> None.
"""
from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

import db
from core import measures as measure_rules, passwords, plans as plan_rules, schedule, templates
from db import clinicians, measures, outbox, plans, practices, safety, sessions, step_versions
from demo import builders
from db.actors import Actor
from db.checkins import checkin_steps, checkins
from db.clients import clients

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
         "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland"]
EXTRA: list = []
PASSWORD = "benchmark password only"
CHUNK = 10_000
YEAR_CLIENT = 0  # index of the client with a full year at about five check-ins a day
TEMPLATES = templates.by_key(templates.BUILT_IN)
STEP_PAIRS = [("breathing", "thought_record"), ("activation", "body_scan"), ("grounding", "worry_time"),
              ("self_compassion", "wind_down"), ("exposure", "opposite_action")]
REASONS = ["forgot", "forgot", "no_time", "no_time", "too_distressed", "not_useful", "other"]
THOUGHTS = ["I'll never get the hang of this.", "Felt a bit lighter after the walk.", "Work is piling up again.",
            "Managed it even though I didn't want to.", "Too tired to think straight.", "A calmer morning."]
WHERE = ["home", "work", "on the bus", "at the shops", ""]
WITH = ["alone", "partner", "a friend", "colleagues", ""]
TABLES = ["clinicians", "clients", "plans", "plan_steps", "step_versions", "consents", "consent_events", "sessions",
          "checkins", "checkin_steps", "measure_assignments", "measure_responses", "measure_answers",
          "safety_flags", "reminder_outbox", "personal_items", "personal_item_versions", "personal_item_answers"]


def _sqlite_value(v):
    """What SQLAlchemy's types store on SQLite (UTCDateTime: naive UTC text with microseconds)."""
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


def _chunks(conn, table, rows: list[dict]) -> None:
    """Bulk insert inside the caller's transaction: COPY on PostgreSQL, executemany on SQLite, in chunks.
    (The driver is used directly: SQLAlchemy's per-value processing was most of the generation time.)"""
    if not rows:
        return
    cols = list(rows[0])
    names = ", ".join(f'"{c}"' for c in cols)
    raw = conn.connection.driver_connection
    if db.is_postgres(conn):
        schema = conn.get_execution_options()["schema_translate_map"][None]
        with raw.cursor() as cur, cur.copy(f'COPY "{schema}"."{table.name}" ({names}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row([r[c] for c in cols])
        return
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(cols))})'
    cur = raw.cursor()
    for i in range(0, len(rows), CHUNK):
        cur.executemany(sql, [tuple(_sqlite_value(r[c]) for c in cols) for r in rows[i:i + CHUNK]])
    cur.close()


def _step(key: str) -> dict:
    step, errors = plan_rules.validate_step(TEMPLATES[key]["step"])
    assert not errors, errors
    return step


def _people(conn, ids, now, rng, n_clinicians, n_clients) -> list[dict]:
    hashed = passwords.hash_password(PASSWORD)
    pid = practices.create(conn, name="Benchmark Practice", timezone="Europe/London", now=now - timedelta(days=400))
    ids["practice"] = pid
    for i in range(n_clinicians):
        ids["clinicians"].append(clinicians.insert_row(
            conn, practice_id=pid, username=f"clin{i:02d}", display_name=f"Clinician {i:02d}",
            email=f"clin{i:02d}@bench.invalid", role="admin" if i == 0 else "clinician", password=PASSWORD,
            now=now, password_hash=hashed))
    rows = []
    for j in range(n_clients):
        # Clinician 01 carries the first 40 clients (the measured caseload); the rest share the others.
        who = 1 if j < min(40, n_clients // 2) or n_clinicians < 3 else 2 + (j - 40) % (n_clinicians - 2)
        status = rng.choice(["active"] * 8 + ["paused", "discharged"])
        rows.append({"practice_id": pid, "clinician_id": ids["clinicians"][min(who, n_clinicians - 1)],
                     "display_name": f"Client {j:03d}", "email": f"client{j:03d}@bench.invalid",
                     "timezone": ZONES[j % len(ZONES)], "status": "active" if j == YEAR_CLIENT else status,
                     "created_at": now - timedelta(days=400), "updated_at": now})
    conn.execute(insert(clients), rows)
    got = conn.execute(select(clients.c.id, clients.c.clinician_id, clients.c.timezone, clients.c.status)
                       .where(clients.c.practice_id == pid).order_by(clients.c.id)).mappings().all()
    ids["clients"] = [r["id"] for r in got]
    ids["year_client"] = got[YEAR_CLIENT]["id"]
    return [dict(r) for r in got]


def _plans(conn, ids, people, now, rng, days) -> dict[int, list[dict]]:
    """One active plan of two steps for every client not discharged, made when their year began."""
    out = {}
    usernames = {cid: f"clin{ids['clinicians'].index(cid):02d}" for cid in ids["clinicians"]}
    for n, c in enumerate(people):
        if c["status"] == "discharged":
            continue
        actor = Actor(c["clinician_id"], ids["practice"], "clinician", usernames[c["clinician_id"]])
        pair = STEP_PAIRS[n % len(STEP_PAIRS)]
        plan_id = plans.insert_plan(conn, actor, client_id=c["id"], goal="Calmer days, one small step at a time.",
                                    steps=[_step(k) for k in pair], now=now - timedelta(days=days + 1))
        out[c["id"]] = step_versions.as_of(conn, [plan_id], None)
    return out


def _consents(conn, people, now, rng) -> None:
    for c in people:
        if c["status"] == "discharged":
            continue
        # Confirmed 10-80 days ago with a 90-day renewal: active, some renewals coming due.
        builders.record_confirmed_in(conn, c["id"], at=now - timedelta(days=rng.randint(10, 80), hours=rng.randint(1, 8)),
                                    by="bench")


def _sessions(conn, people, now, rng, days) -> None:
    rows = []
    for c in people:
        if c["status"] == "discharged":
            continue
        last = now.date() - timedelta(days=rng.randint(3, 13))
        on = last + timedelta(days=14)  # the next one, planned
        while on >= now.date() - timedelta(days=days):
            rows.append({"client_id": c["id"], "on_date": on, "created_by": c["clinician_id"], "created_at": now})
            on -= timedelta(days=14)
    _chunks(conn, sessions.sessions, rows)


def _clamp(v: float) -> int:
    return max(0, min(10, round(v)))


def _checkins(conn, ids, people, steps_by_client, now, rng, days, per_day) -> None:
    """About `per_day` check-ins a day per client with a plan (the year client about five); the first
    check-in of a day answers that day's planned steps."""
    next_id = (conn.execute(select(func.max(checkins.c.id))).scalar() or 0) + 1
    next_answer = (conn.execute(select(func.max(checkin_steps.c.id))).scalar() or 0) + 1
    rows, answers, flags = [], [], []
    utc = ZoneInfo("UTC")
    for c in people:
        steps = steps_by_client.get(c["id"])
        if not steps or c["status"] == "discharged":
            continue
        tz = ZoneInfo(c["timezone"])
        today = now.astimezone(tz).date()
        rate = 5.0 if c["id"] == ids["year_client"] else per_day
        mood0, distress0 = rng.uniform(4, 7), rng.uniform(3, 6)
        p_done = rng.uniform(0.4, 0.8)
        # Paused clients stopped a while ago; everyone else checks in up to yesterday.
        last_back = rng.randint(5, 40) if c["status"] == "paused" else 1
        for back in range(days, last_back - 1, -1):
            day = today - timedelta(days=back)
            n = int(rate) + (1 if rng.random() < rate - int(rate) else 0) + rng.choice((-1, 0, 0, 1))
            hours = sorted(rng.sample(range(7, 23), max(0, min(n, 16))))
            for k, hour in enumerate(hours):
                at = datetime.combine(day, time(hour, rng.randint(0, 59)), tz).astimezone(utc)
                mood = _clamp(mood0 + rng.gauss(0, 1.5))
                distress = _clamp(distress0 + rng.gauss(0, 1.5))
                thought = rng.choice(THOUGHTS) if rng.random() < 0.3 else ""
                rows.append({"id": next_id, "client_id": c["id"], "idempotency_key": f"bench-{c['id']}-{next_id}",
                             "local_date": day, "submitted_at": at, "mood": mood, "distress": distress,
                             "thought": thought, "context_where": rng.choice(WHERE) if thought else "",
                             "context_with": rng.choice(WITH) if thought else "", "corrects_id": None})
                if k == 0:
                    for s in steps:
                        if day.weekday() not in s["days"]:
                            continue
                        r = rng.random()
                        status = "done" if r < p_done else "partly" if r < p_done + 0.15 else "not_today"
                        answers.append({"id": next_answer, "checkin_id": next_id, "step_id": s["step_id"],
                                        "version_id": s["version_id"], "status": status,
                                        "reason": rng.choice(REASONS) if status != "done" else None, "label": None})
                        next_answer += 1
                if distress == 10 and back <= 14:
                    flags.append({"client_id": c["id"], "raised_at": at, "source": "checkin", "source_id": next_id,
                                  "reason": "distress 10 of 10 (at or above the practice threshold of 9)"})
                next_id += 1
            if len(rows) >= CHUNK or len(answers) >= CHUNK:  # check-ins first: answers point at them
                _chunks(conn, checkins, rows)
                _chunks(conn, checkin_steps, answers)
                rows, answers = [], []
    _chunks(conn, checkins, rows)
    _chunks(conn, checkin_steps, answers)
    _chunks(conn, safety.safety_flags, flags)


def _answers(total: int, n: int, rng, item_max: int = 3) -> list[int]:
    out = [0] * n
    while total > 0:
        i = rng.randrange(n)
        if out[i] < item_max:
            out[i] += 1
            total -= 1
    return out


def _measures(conn, ids, people, now, rng, days) -> None:
    """Weekly PHQ-9, GAD-7 and WHO-5 for every tenth client with a plan and for the year client (WHO-5
    from a random generator of its own, so the rest of the practice is what it was before WHO-5)."""
    next_id = (conn.execute(select(func.max(measures.measure_responses.c.id))).scalar() or 0) + 1
    responses, answers = [], []
    chosen = [c for n, c in enumerate(people) if c["status"] != "discharged" and (n % 10 == 0)]
    own = random.Random(5)
    for c in chosen:
        tz = ZoneInfo(c["timezone"])
        for code in ("phq9", "gad7", "who5"):
            r = own if code == "who5" else rng
            m = measure_rules.MEASURES[code]
            start = now - timedelta(days=days)
            aid = conn.execute(insert(measures.measure_assignments).values(
                client_id=c["id"], measure=code, cadence="weekly", created_by=c["clinician_id"], created_at=start)
            ).inserted_primary_key[0]
            level = r.randint(6, 18)
            for week in range(days // 7):
                at = start + timedelta(days=7 * week + 1, hours=r.randint(0, 10))
                raw_max = m.item_max * len(m.items)
                level = max(0, min(raw_max - 3, level + r.choice((-2, -1, 0, 1, 1))))
                items = _answers(level, len(m.items), r, m.item_max)
                if code == "phq9":
                    items[8] = 0  # no item-9 flags from the generator
                score = measure_rules.score(code, items)
                responses.append({"id": next_id, "client_id": c["id"], "assignment_id": aid, "measure": code,
                                  "idempotency_key": f"bench-{code}-{c['id']}-{week}",
                                  "local_date": at.astimezone(tz).date(), "submitted_at": at, "total": score.total,
                                  "band": score.band})
                answers += [{"response_id": next_id, "item": i + 1, "answer": a} for i, a in enumerate(items)]
                next_id += 1
    _chunks(conn, measures.measure_responses, responses)
    _chunks(conn, measures.measure_answers, answers)


PERSONAL = [("scale", "Urge to check the door locks", "none", "overwhelming"),
            ("scale", "Worry about work", "none", "constant"), ("yesno", "Left the house today?", None, None)]


def _personal_items(conn, ids, now, days) -> None:
    """The year client's three personal items, answered on every check-in of the year; the first is
    reworded half-way (a second version). Its own generator: the other tables' draws stay as they were."""
    from db.tables import personal_item_answers, personal_item_versions, personal_items
    rng = random.Random(17)
    cid = ids["year_client"]
    # Reworded half a year ago at most: inside the client view's longest window (db.client_view.MAX_DAYS)
    # however many years the client has (the cost curve's 2 and 3 years), so every span shows four series.
    start, reworded = now - timedelta(days=days + 1), now - timedelta(days=min(days, 365) // 2)
    by = conn.execute(select(clients.c.clinician_id).where(clients.c.id == cid)).scalar_one()
    versions = []  # per item: [(valid_from, version id), ...]
    for position, (kind, wording, low, high) in enumerate(PERSONAL, start=1):
        item = conn.execute(insert(personal_items).values(client_id=cid, position=position, kind=kind, created_by=by,
                                                          created_at=start)).inserted_primary_key[0]
        spans = [(start, wording, reworded if position == 1 else None)]
        if position == 1:
            spans.append((reworded, wording + " or the stove", None))
        versions.append([(since, conn.execute(insert(personal_item_versions).values(
            item_id=item, client_id=cid, wording=words, low_word=low, high_word=high, valid_from=since, valid_to=until,
            created_by=by)).inserted_primary_key[0]) for since, words, until in spans])
    rows = []
    for checkin_id, at in conn.execute(select(checkins.c.id, checkins.c.submitted_at).where(checkins.c.client_id == cid)
                                       .order_by(checkins.c.id)):
        for (kind, *_), spans in zip(PERSONAL, versions):
            vid = [v for since, v in spans if since <= at][-1] if at >= start else spans[0][1]
            rows.append({"checkin_id": checkin_id, "version_id": vid,
                         "value": int(rng.random() < 0.5) if kind == "yesno" else _clamp(rng.gauss(5, 2))})
    _chunks(conn, personal_item_answers, rows)


def _outbox(conn, people, steps_by_client, now, rng, outbox_days) -> None:
    """A month of reminder history per active client: sent, about 2% failed, a few expired."""
    rows, n = [], 0
    for c in people:
        steps = steps_by_client.get(c["id"])
        if not steps or c["status"] != "active":
            continue
        slots = [schedule.Slot(s["step_id"], frozenset(s["days"]), time.fromisoformat(s["window_start"]),
                               s["position"]) for s in steps]
        for p in schedule.plan(slots, c["timezone"], now - timedelta(days=outbox_days), now - timedelta(hours=2),
                               quiet=(time(21, 30), time(7, 30))):
            r = rng.random()
            status = "sent" if r < 0.97 else "failed" if r < 0.99 else "expired"
            sent_at = p.due_at + timedelta(seconds=rng.randint(5, 90)) if status == "sent" else None
            n += 1
            rows.append({"ref": f"bench{n:016d}", "client_id": c["id"], "step_id": p.step_id,
                         "local_date": p.local_date, "slot": p.slot, "due_at": p.due_at, "window_end": p.window_end,
                         "next_attempt_at": p.due_at, "status": status, "attempts": 0 if status == "expired" else 1,
                         "sent_at": sent_at, "provider_id": f"bench-{n}" if sent_at else None,
                         "reason": {"failed": "SendGrid refused the message (HTTP 400).",
                                    "expired": "not sent within its window"}.get(status),
                         "created_at": p.due_at, "updated_at": sent_at or p.window_end})
    _chunks(conn, outbox.reminder_outbox, rows)


def _move_sequences(conn) -> None:
    """Explicit ids do not advance PostgreSQL's sequences: move them past what we inserted."""
    if not db.is_postgres(conn):
        return
    schema = conn.get_execution_options()["schema_translate_map"][None]
    for t in ("checkins", "checkin_steps", "measure_responses"):
        conn.execute(text(f"""SELECT setval(pg_get_serial_sequence('"{schema}".{t}', 'id'),
                                            (SELECT max(id) FROM "{schema}".{t}))"""))


def generate(n_clinicians: int = 20, n_clients: int = 400, now: datetime = NOW, *, days: int = 365,
             per_day: float = 3.0, outbox_days: int = 30) -> dict:
    """Create the practice in the configured (migrated, empty) database; returns the ids it made."""
    rng = random.Random(42)
    ids: dict = {"clinicians": [], "clients": []}
    with db.write() as conn:
        people = _people(conn, ids, now, rng, n_clinicians, n_clients)
        steps = _plans(conn, ids, people, now, rng, days)
        _consents(conn, people, now, rng)
        _sessions(conn, people, now, rng, days)
        _checkins(conn, ids, people, steps, now, rng, days, per_day)
        _measures(conn, ids, people, now, rng, days)
        _outbox(conn, people, steps, now, rng, outbox_days)
        _personal_items(conn, ids, now, days)
        _move_sequences(conn)
        for step in EXTRA:
            step(conn, ids, now, rng)
    if db.is_postgres(db.engine()):
        # Autovacuum would vacuum and analyze the bulk-loaded tables shortly (inserts alone trigger it
        # since PostgreSQL 13); do it now, so the measurements meet the steady state a practice runs in:
        # a planner with statistics (without, it chose sequential scans of a year of answers) and a
        # visibility map (without, every index read also visits the table).
        with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            schema = conn.get_execution_options()["schema_translate_map"][None]
            for t in TABLES:
                conn.execute(text(f'VACUUM (ANALYZE) "{schema}"."{t}"'))
    return ids


def counts() -> dict[str, int]:
    with db.read() as conn:
        return {t: conn.execute(select(func.count()).select_from(db.metadata.tables[t])).scalar_one() for t in TABLES}


def fingerprint() -> str:
    """A digest of the generated check-ins and answers (same on both databases when the data is)."""
    h = hashlib.sha256()
    with db.read() as conn:
        for row in conn.execute(select(checkins.c.client_id, checkins.c.local_date, checkins.c.submitted_at,
                                       checkins.c.mood, checkins.c.distress, checkins.c.thought)
                                .order_by(checkins.c.id)):
            h.update(repr((row[0], row[1].isoformat(), row[2].isoformat(), *row[3:])).encode())
        for row in conn.execute(select(checkin_steps.c.checkin_id, checkin_steps.c.status, checkin_steps.c.reason)
                                .order_by(checkin_steps.c.id)):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()
