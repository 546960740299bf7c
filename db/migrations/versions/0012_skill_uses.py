"""Skill uses: one row per use of a step in the moment, from the coping card, with optional distress
before and after, whether it helped and how long it took. Immutable (a trigger refuses UPDATE) and
append-only while the client exists (a trigger refuses DELETE unless the client row is already gone,
so erasure still removes them by the foreign key's cascade). Safety flags may now come from a skill
use, and carry the use's episode key so one hard moment raises one flag, not one per screen. Clients get a "small wins" switch (on).

Revision ID: 0012_skill_uses
Revises: 0011_practice_email_names
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import is_postgres, refuse_update, schema, secure, table_schema

revision = "0012_skill_uses"
down_revision = "0011_practice_email_names"
branch_labels = None
depends_on = None


def _refuse_delete_while_client_exists() -> None:
    if is_postgres():
        s = schema()
        op.execute(f'''
            CREATE OR REPLACE FUNCTION "{s}".refuse_delete_while_client() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM "{s}".clients WHERE id = OLD.client_id) THEN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
              END IF;
              RETURN OLD;
            END $$''')
        op.execute(f'CREATE TRIGGER skill_uses_append_only BEFORE DELETE ON "{s}"."skill_uses" '
                   f'FOR EACH ROW EXECUTE FUNCTION "{s}".refuse_delete_while_client()')
    else:
        op.execute("CREATE TRIGGER skill_uses_no_delete BEFORE DELETE ON skill_uses "
                   "WHEN EXISTS (SELECT 1 FROM clients WHERE id = OLD.client_id) "
                   "BEGIN SELECT RAISE(ABORT, 'skill_uses is append-only'); END")


def upgrade() -> None:
    op.create_table(
        "skill_uses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("client_id", sa.Integer, sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
        # No foreign key to plan_steps: erasure deletes steps before the client, and these rows refuse DELETE
        # until the client row is gone (they leave by the client_id cascade).
        sa.Column("step_id", sa.Integer, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("saved_at", UTCDateTime, nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("before", sa.Integer, nullable=True),
        sa.Column("after", sa.Integer, nullable=True),
        sa.Column("helped", sa.Boolean, nullable=True),
        sa.Column("duration_s", sa.Integer, nullable=True),
        sa.Column("struggling", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("corrects_id", sa.Integer, sa.ForeignKey("skill_uses.id", ondelete="CASCADE"), nullable=True),
        sa.UniqueConstraint("client_id", "idempotency_key"),
        sa.CheckConstraint("before between 0 and 10", name="before"),
        sa.CheckConstraint("after between 0 and 10", name="after"),
        sa.CheckConstraint("duration_s >= 0", name="duration_s"),
    )
    op.create_index("ix_skill_uses_client_id_local_date", "skill_uses", ["client_id", "local_date"])
    op.create_index("ix_skill_uses_step_id", "skill_uses", ["step_id"])
    refuse_update("skill_uses")
    _refuse_delete_while_client_exists()
    secure("skill_uses")
    # SQLite adds a column with a constant default in place; no batch copy needed.
    op.add_column("clients", sa.Column("small_wins", sa.Boolean, nullable=False, server_default=sa.true()),
                  schema=table_schema())
    with op.batch_alter_table("safety_flags", schema=table_schema()) as batch:
        batch.drop_constraint(op.f("ck_safety_flags_source"), type_="check")
        batch.create_check_constraint("source", "source in ('checkin', 'measure', 'skill')")
        batch.add_column(sa.Column("episode", sa.String(64), nullable=True))
        batch.create_unique_constraint(op.f("uq_safety_flags_episode"), ["client_id", "episode"])


def downgrade() -> None:
    with op.batch_alter_table("safety_flags", schema=table_schema()) as batch:
        batch.drop_constraint(op.f("uq_safety_flags_episode"), type_="unique")
        batch.drop_column("episode")
        batch.drop_constraint(op.f("ck_safety_flags_source"), type_="check")
        batch.create_check_constraint("source", "source in ('checkin', 'measure')")
    op.drop_table("skill_uses")
    with op.batch_alter_table("clients", schema=table_schema()) as batch:
        batch.drop_column("small_wins")
    if is_postgres():
        op.execute(f'DROP FUNCTION IF EXISTS "{schema()}".refuse_delete_while_client()')
