"""search_estimate: the planner's estimate of the published books a search matches

A search whose words are in more books than it ranks (books.repository._bounded_page) reports
this estimate as its total (`totalIsEstimate`): counting every match exactly is the O(matches)
work the bound avoids. It reads the plan of `SELECT 1 FROM books WHERE status = 'published' AND
search_vector @@ $1`, whose row estimate comes from the tsvector column's statistics. EXPLAIN is
refused in functions not marked VOLATILE, hence the marking (it changes nothing).

Revision ID: 0016_search_estimate
Revises: 0015_readers
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_search_estimate"
down_revision: str | Sequence[str] | None = "0015_readers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION estimated_published_matches(query tsquery) RETURNS bigint
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            plan json;
        BEGIN
            EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 FROM books'
                ' WHERE status = ''published'' AND search_vector @@ $1'
                INTO plan USING query;
            RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION estimated_published_matches(tsquery)")
