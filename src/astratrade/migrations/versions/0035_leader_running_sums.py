"""copytrading: each practice account's statistics keep their windows' running sums, so a
new close is added to them instead of reading the account's closes again (rows kept so far
start with none: their next close takes them from the closes)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 05:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | Sequence[str] | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "copytrading_leader_statistics"


def _schema() -> str | None:
    return "copytrading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column("running", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=_schema()) as batch_op:
        batch_op.drop_column("running")
