"""A benchmark practice of many clients, made fast: one practice and clinician, `n_clients` active clients
spread over `zones`, each with confirmed consent and the same plan of built-in steps done every day. The
first client goes through the real functions (consent, plan); the others get copies of its rows, inserted
in bulk (setup is never what is measured; consent events are left out: only the consent row counts).
Used by the reminder benchmarks (bench/reminders.py, bench/workers.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

BATCH = 10_000  # rows per insert statement for the copied step versions


def copies(n_clients: int, now: datetime, *, label: str, username: str, zones: list[str],
           step_keys: tuple[str, ...] = ("breathing", "thought_record")) -> list[int]:
    """The client ids, in order. Everything is dated two days before `now`."""
    from sqlalchemy import insert, select
    import db
    from core import passwords, plans as plan_rules, templates as core_templates
    from db import clinicians, consent, plans, practices
    from db.actors import Actor
    from db.clients import clients
    from demo import builders

    t = core_templates.by_key(core_templates.BUILT_IN)
    steps = []
    for key in step_keys:
        step, errors = plan_rules.validate_step({**t[key]["step"], "days": [0, 1, 2, 3, 4, 5, 6]})
        assert not errors, errors
        steps.append(step)
    since = now - timedelta(days=2)
    short = username.rstrip("0123456789")
    with db.write() as conn:
        pid = practices.create(conn, name=f"{label} Practice", timezone="Europe/London", now=since)
        cid = clinicians.insert_row(conn, practice_id=pid, username=username, display_name=label,
                                    email=f"{short}@bench.invalid", role="clinician", password="unused", now=since,
                                    password_hash=passwords.hash_password(f"{label} only"))
        actor = Actor(cid, pid, "clinician", username, label)
        conn.execute(insert(clients), [{
            "practice_id": pid, "clinician_id": cid, "display_name": f"Bench client {j:06d}",
            "email": f"{short}{j:06d}@bench.invalid", "timezone": zones[j % len(zones)], "status": "active",
            "created_at": since, "updated_at": since} for j in range(n_clients)])
        ids = list(conn.execute(select(clients.c.id).where(clients.c.practice_id == pid)
                                .order_by(clients.c.id)).scalars())
        first = ids[0]
        builders.record_confirmed_in(conn, first, at=since, by="bench")
        plan_id = plans.insert_plan(conn, actor, client_id=first, goal="Calmer days", steps=steps, now=since)
        row = dict(conn.execute(select(consent.consents).where(consent.consents.c.client_id == first)).mappings().one())
        row.pop("id")
        conn.execute(insert(consent.consents), [{**row, "client_id": c} for c in ids[1:]])
        row = dict(conn.execute(select(plans.plans).where(plans.plans.c.id == plan_id)).mappings().one())
        row.pop("id")
        plan_ids = conn.execute(insert(plans.plans).returning(plans.plans.c.id, sort_by_parameter_order=True),
                                [{**row, "client_id": c} for c in ids[1:]]).scalars().all()
        ps, sv = plans.plan_steps, plans.step_versions
        first_steps = [dict(r) for r in conn.execute(select(ps).where(ps.c.plan_id == plan_id).order_by(ps.c.position))
                       .mappings()]
        versions = {r["step_id"]: dict(r) for r in conn.execute(
            select(sv).where(sv.c.step_id.in_([s["id"] for s in first_steps]))).mappings()}
        step_ids = conn.execute(insert(ps).returning(ps.c.id, sort_by_parameter_order=True), [
            {"plan_id": p, "position": s["position"], "created_at": s["created_at"]}
            for p in plan_ids for s in first_steps]).scalars().all()
        rows = []
        for k, step_id in enumerate(step_ids):
            v = dict(versions[first_steps[k % len(first_steps)]["id"]])
            v.pop("id")
            rows.append({**v, "step_id": step_id})
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(sv), rows[i:i + BATCH])
    assert len(ids) == n_clients
    return ids
