"""Join the verification (0008) and notification (0009) branches into one history.

Revision ID: 0010
Revises: 0008, 0009
Create Date: 2026-11-26
"""

revision = "0010"
down_revision = ("0008", "0009")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: both branches are already applied."""


def downgrade() -> None:
    """Nothing to change: each branch downgrades on its own."""
