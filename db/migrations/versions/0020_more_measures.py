"""WHO-5 and PCL-5 can be stored: measure codes 'who5' and 'pcl5' allowed, item answers up to 5 (WHO-5 scores
0..5, PCL-5 0..4), and room for their band labels (the longest is 40 characters; PostgreSQL enforced 24).

On SQLite a batch alteration copies the table, which drops its triggers: the answers' "immutable once
submitted" triggers are made again here (tests/db/test_who5_pcl5_storage.py checks they hold).

Revision ID: 0020_more_measures
Revises: 0019_measure_followup
"""
import sqlalchemy as sa
from alembic import op

from db.migrations.helpers import is_postgres, refuse_update, table_schema

revision = "0020_more_measures"
down_revision = "0019_measure_followup"
branch_labels = None
depends_on = None


def _alter(measures: str, answer_max: int, band_from: int, band_to: int) -> None:
    with op.batch_alter_table("measure_assignments", schema=table_schema()) as batch:
        batch.drop_constraint(op.f("ck_measure_assignments_measure"), type_="check")
        batch.create_check_constraint("measure", f"measure in ({measures})")
    with op.batch_alter_table("measure_responses", schema=table_schema()) as batch:
        batch.alter_column("band", type_=sa.String(band_to), existing_type=sa.String(band_from), existing_nullable=False)
    with op.batch_alter_table("measure_answers", schema=table_schema()) as batch:
        batch.drop_constraint(op.f("ck_measure_answers_answer"), type_="check")
        batch.create_check_constraint("answer", f"answer between 0 and {answer_max}")
    if not is_postgres():  # the copied tables lost their triggers
        for table in ("measure_responses", "measure_answers"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            refuse_update(table)


def upgrade() -> None:
    _alter("'phq9', 'gad7', 'who5', 'pcl5'", 5, 24, 64)


def downgrade() -> None:
    _alter("'phq9', 'gad7'", 3, 64, 24)
