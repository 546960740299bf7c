"""Command line: python -m db migrate | create-clinician | reset-password | reset-2fa | link | backup | restore | check-supabase.
(The demo practice has its own: python -m demo seed.)"""
from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timezone

from core import settings as settings_mod


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12+ characters): ")
    if getpass.getpass("Same password again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db", description="Anchorstep database commands")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="apply all migrations to DATABASE_URL")
    cc = sub.add_parser("create-clinician", help="add a clinician or admin (creates the practice if there is none)")
    cc.add_argument("--username", required=True)
    cc.add_argument("--name", required=True, help="display name")
    cc.add_argument("--email", required=True)
    cc.add_argument("--role", choices=["clinician", "admin"], default="clinician")
    cc.add_argument("--practice", default="My practice", help="practice name, used only when creating the first practice")
    cc.add_argument("--timezone", default=None, help="practice time zone when creating the first practice")
    cc.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    bk = sub.add_parser("backup", help="write a consistent backup to PATH (SQLite: VACUUM INTO; PostgreSQL: pg_dump)")
    bk.add_argument("path")
    rs = sub.add_parser("restore", help="SQLite only: replace the database with a backup (stop the app first)")
    rs.add_argument("path")
    sc = sub.add_parser("check-supabase", help="prove the Supabase Data API exposes none of our tables")
    sc.add_argument("--url", default=None, help="project URL, e.g. https://abcd.supabase.co (or SUPABASE_URL)")
    sc.add_argument("--anon-key", default=None, help="anon / publishable key (or SUPABASE_ANON_KEY)")
    rp = sub.add_parser("reset-password", help="set a new password and clear a lockout")
    rp.add_argument("--username", required=True)
    rp.add_argument("--password-stdin", action="store_true")
    r2 = sub.add_parser("reset-2fa", help="remove an account's second factor (a lost phone, no other admin); "
                        "its next sign-in asks for a new setup")
    r2.add_argument("username")
    lk = sub.add_parser("link", help="print a client link (audited like the portal's 'make a link')")
    lk.add_argument("client_id", type=int, help="the client's number (shown in the portal's client view)")
    lk.add_argument("purpose", choices=["checkin", "card", "consent", "preferences"])
    args = parser.parse_args(argv)

    try:
        cfg = settings_mod.load()
    except settings_mod.SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    now = datetime.now(timezone.utc)

    if args.cmd == "migrate":
        # loaded per command: the command line starts fast and needs only its own
        from db import migrate
        migrate.upgrade()
        print(f"Migrations applied ({'PostgreSQL, schema ' + cfg['DATABASE_SCHEMA'] if cfg.is_postgres else 'SQLite'}).")
        return 0
    if args.cmd == "create-clinician":
        # loaded per command: the command line starts fast and needs only its own
        import db
        from db import audit, clinicians, practices
        from sqlalchemy import select
        form = {"username": args.username, "display_name": args.name, "email": args.email, "role": args.role}
        clean, errors = clinicians.validate_new({**form, "password": "x" * 12})
        if errors:
            for field, msg in errors.items():
                print(f"{field}: {msg}", file=sys.stderr)
            return 1
        password = _password(args)
        # loaded per command: the command line starts fast and needs only its own
        from core import passwords
        bad = passwords.problems(password, username=clean["username"])
        if bad:
            print("password: " + " ".join(bad), file=sys.stderr)
            return 1
        with db.write() as conn:
            pid = conn.execute(select(practices.practices.c.id).order_by(practices.practices.c.id)).scalar()
            if pid is None:
                pid = practices.create(conn, name=args.practice, timezone=args.timezone or cfg["DEFAULT_TIMEZONE"], now=now)
            try:
                new_id = clinicians.insert_row(conn, practice_id=pid, password=password, now=now,
                                               rounds=cfg["BCRYPT_ROUNDS"], **clean)
            except ValueError as exc:
                print(f"username: {exc}", file=sys.stderr)
                return 1
            audit.record(conn, now=now, action="clinician.create", actor_kind="system", actor_label="command line",
                         practice_id=pid, detail=f"{clean['username']} ({clean['role']})")
        print(f"Created {clean['role']} {clean['username']} (id {new_id}).")
        return 0
    if args.cmd == "link":
        # loaded per command: the command line starts fast and needs only its own
        import db
        from db import links
        try:
            raw, works = links.issue_by_command(args.client_id, args.purpose, now=now, ttl_days=cfg.link_ttl_days())
        except db.NotFound:
            print(f"No client has the number {args.client_id}; nothing was made.", file=sys.stderr)
            return 1
        print(links.url(cfg["LINK_BASE_URL"], raw))
        if not works:
            print("Note: this link shows the calm 'link isn't working' page until the client is active and their "
                  "consent is confirmed (a consent link works before that).", file=sys.stderr)
        return 0
    if args.cmd in ("backup", "restore"):
        # loaded per command: the command line starts fast and needs only its own
        from db import backup
        try:
            if args.cmd == "backup":
                print(f"Backup written to {backup.backup(args.path)}")
            else:
                print(f"Restored into {backup.restore_sqlite(args.path)} (the old file is kept as *.before-restore)")
        except (backup.BackupError, FileNotFoundError) as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    if args.cmd == "check-supabase":
        # loaded per command: the command line starts fast and needs only its own
        import os
        from db import supabase_check
        url = args.url or os.environ.get("SUPABASE_URL", "")
        key = args.anon_key or os.environ.get("SUPABASE_ANON_KEY", "")
        if not url or not key:
            print("Give --url and --anon-key (or SUPABASE_URL and SUPABASE_ANON_KEY).", file=sys.stderr)
            return 2
        findings = supabase_check.check(url, key, supabase_check.our_tables(), ["public", cfg["DATABASE_SCHEMA"]])
        leaks = [f for f in findings if f.is_leak]
        for f in findings:
            if f.verdict != "denied":
                print(f"{'LEAK' if f.is_leak else 'note'}: {f.schema}.{f.table} {f.action}: {f.note}")
        if leaks:
            print(f"FAILED: {len(leaks)} leak(s) through the Data API: "
                  + ", ".join(sorted({f'{f.schema}.{f.table}' for f in leaks}))
                  + ". Keep tables out of public, enable row level security, revoke grants to anon.", file=sys.stderr)
            return 1
        print(f"OK: {len(findings)} probes, no table readable or writable with the anon key.")
        return 0
    if args.cmd == "reset-password":
        # loaded per command: the command line starts fast and needs only its own
        import db
        from core import passwords
        from db import clinicians
        password = _password(args)
        bad = passwords.problems(password, username=args.username)
        if bad:
            print("password: " + " ".join(bad), file=sys.stderr)
            return 1
        try:
            clinicians.set_password_by_username(args.username.strip().lower(), password, now=now,
                                                rounds=cfg["BCRYPT_ROUNDS"])
        except db.NotFound:
            print(f"No active account named {args.username!r}.", file=sys.stderr)
            return 1
        print(f"Password changed for {args.username}; any lockout is cleared.")
        return 0
    if args.cmd == "reset-2fa":
        # loaded per command, like the others
        import db
        from db import two_factor
        try:
            two_factor.reset_by_username(args.username.strip().lower(), now=now)
        except db.NotFound:
            print(f"No account named {args.username!r}.", file=sys.stderr)
            return 1
        print(f"Two-factor sign-in removed for {args.username}; every session of theirs has ended. "
              "At the next sign-in (password first) they set up a new authenticator.")
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
