"""Command line: python -m demo seed [--if-empty] | info.

`seed` creates the demo practice on an empty SQLite database (`make run` calls it with --if-empty,
which leaves a database that already has a practice alone) and prints the demo sign-in; `info`
prints the sign-in again. The demo never touches PostgreSQL."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from core import settings as settings_mod


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Anchorstep's demo practice")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sd = sub.add_parser("seed", help="on an empty SQLite database, create the demo practice and print its sign-in")
    sd.add_argument("--if-empty", action="store_true", help="a database that already has a practice is not an error")
    sub.add_parser("info", help="print the demo sign-in")
    args = parser.parse_args(argv)
    try:
        cfg = settings_mod.load()
    except settings_mod.SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if cfg.is_postgres:
        print("The demo seed never runs against PostgreSQL. Add people with: python -m db create-clinician")
        return 0 if args.cmd == "info" or args.if_empty else 1
    from demo import seed
    if args.cmd == "seed":
        if seed.is_empty():
            seed.run(datetime.now(timezone.utc))
            print("Seeded the demo practice.")
        elif not args.if_empty:
            print("The database already has a practice; nothing seeded.", file=sys.stderr)
            return 1
    path = seed.credentials_file(cfg)
    if path.exists():
        print(path.read_text(), end="")
        print(f"(also in {path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
