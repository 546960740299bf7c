"""Two-factor sign-in: an account's authenticator secret (encrypted with a key from the settings, never
stored here), the last time step accepted (no replay), whether an admin reset asks for a new setup;
single-use recovery codes (hashed); the practice's "require two-factor" policy; and, per login session,
which step is still pending after the password ('code' or 'setup'; NULL: complete).

Revision ID: 0015_two_factor
Revises: 0014_client_language
"""
import sqlalchemy as sa
from alembic import op

from db.meta import UTCDateTime
from db.migrations.helpers import secure, table_schema

revision = "0015_two_factor"
down_revision = "0014_client_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    s = table_schema()
    op.add_column("clinicians", sa.Column("totp_secret", sa.Text, nullable=True), schema=s)
    op.add_column("clinicians", sa.Column("totp_last_step", sa.BigInteger, nullable=True), schema=s)
    op.add_column("clinicians", sa.Column("two_factor_since", UTCDateTime, nullable=True), schema=s)
    op.add_column("clinicians", sa.Column("two_factor_setup_required", sa.Boolean, nullable=False,
                                          server_default=sa.false()), schema=s)
    op.add_column("practices", sa.Column("require_two_factor", sa.Boolean, nullable=False,
                                         server_default=sa.false()), schema=s)
    op.add_column("login_sessions", sa.Column("pending", sa.String(8), nullable=True), schema=s)
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("clinician_id", sa.Integer, sa.ForeignKey("clinicians.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("clinician_id", "code_hash", name="uq_recovery_codes_clinician_hash"),
    )
    secure("recovery_codes")


def downgrade() -> None:
    op.drop_table("recovery_codes")
    s = table_schema()
    with op.batch_alter_table("login_sessions", schema=s) as batch:
        batch.drop_column("pending")
    with op.batch_alter_table("practices", schema=s) as batch:
        batch.drop_column("require_two_factor")
    with op.batch_alter_table("clinicians", schema=s) as batch:
        for c in ("two_factor_setup_required", "two_factor_since", "totp_last_step", "totp_secret"):
            batch.drop_column(c)
