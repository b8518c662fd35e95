"""Read models hold views or columns, not domain structs: ``provider_directory`` keeps each entry
in plain columns (aliases, credit types, reference, origin), filled here from the stored
entries, which is all a rebuild of that projection would do.

``people.state``, ``credits.state`` and ``obligations.explanation`` now hold the views of
``services.core.<context>.views``, whose JSON is the very JSON stored before, so those
projections need no rebuild. ``provider_directory.entry`` and ``waivers.state`` (waivers are
read from their columns) are still written for the release before this one, which reads them;
the next contract migration drops them.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE provider_directory
            ADD COLUMN aliases text[] NOT NULL DEFAULT '{}',
            ADD COLUMN credit_types text[] NOT NULL DEFAULT '{}',
            ADD COLUMN reference text NOT NULL DEFAULT '',
            ADD COLUMN origin text NOT NULL DEFAULT 'tenant';
        -- Every tenant's rows at once: the owner passes row-level security only while it is
        -- not forced, inside this transaction.
        ALTER TABLE provider_directory NO FORCE ROW LEVEL SECURITY;
        UPDATE provider_directory SET
            aliases = ARRAY(SELECT jsonb_array_elements_text(entry -> 'aliases')),
            credit_types = ARRAY(SELECT jsonb_array_elements_text(entry -> 'credit_types')),
            reference = coalesce(entry ->> 'reference', ''),
            origin = coalesce(entry ->> 'origin', 'tenant');
        ALTER TABLE provider_directory FORCE ROW LEVEL SECURITY;
        """
    )


def downgrade() -> None:
    execute_script(
        "ALTER TABLE provider_directory DROP COLUMN aliases, DROP COLUMN credit_types,"
        " DROP COLUMN reference, DROP COLUMN origin;"
    )
