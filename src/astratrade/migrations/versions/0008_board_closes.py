"""boards: the closes behind a standing (the ROI boards rank from the week's fifth)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 09:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("gamification_board_scores") as table:
        table.add_column(sa.Column("closes", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("gamification_board_scores") as table:
        table.drop_column("closes")
