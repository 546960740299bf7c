"""Apply Alembic migrations to the configured database (`python -m db migrate`)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

import db
from core import settings as settings_mod

HERE = Path(__file__).resolve().parent


def alembic_config(url: str, schema: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.attributes["url"] = url
    cfg.attributes["schema"] = schema
    return cfg


def upgrade(url: str | None = None, schema: str | None = None, target: str = "heads") -> None:
    cfg_values = settings_mod.load()
    url = url or cfg_values["DATABASE_URL"]
    schema = schema or cfg_values["DATABASE_SCHEMA"]
    eng = db.engine(url, schema)
    with eng.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            conn.commit()
    cfg = alembic_config(url, schema)
    with eng.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def current_heads(url: str | None = None, schema: str | None = None) -> set[str]:
    from alembic.runtime.migration import MigrationContext  # alembic loads only when a command migrates
    eng = db.engine(url, schema)
    cfg_values = settings_mod.load()
    schema = schema or cfg_values["DATABASE_SCHEMA"]
    with eng.connect() as conn:
        opts = {"version_table_schema": schema} if conn.dialect.name == "postgresql" else {}
        return set(MigrationContext.configure(conn, opts=opts).get_current_heads())
