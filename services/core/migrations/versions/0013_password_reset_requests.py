"""Password-reset requests, handled after the answer.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, execute_script

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = app_role()
    execute_script(
        f"""
        -- "Mail me a reset link": recorded as typed, whether or not an account uses the address,
        -- and handled after the answer (link, mail), then deleted. Global, like users.
        CREATE TABLE password_reset_requests (
            request_id uuid PRIMARY KEY,
            email text NOT NULL,
            requested_at timestamptz NOT NULL
        );
        CREATE INDEX password_reset_requests_by_age ON password_reset_requests (requested_at);
        -- (UPDATE: the sender locks a request while it handles it)
        GRANT SELECT, INSERT, UPDATE, DELETE ON password_reset_requests TO {role};
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE password_reset_requests;")
