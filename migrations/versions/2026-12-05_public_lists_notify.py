"""public_lists_notify: the catalog's NOTIFY for what the cached public lists show of other tables

GET /api/courses and GET /api/blog are now kept in the catalog's response cache (the lean path,
books/http_cache.py). Courses and posts already NOTIFY catalog_changed; their pages also show a
blog category's name and an instructor's or author's name and avatar. So:
- blog_categories notifies on every change, like the catalog's own categories;
- a user's name or avatar change notifies when the user teaches a course or wrote a post (a
  row trigger, only when one of those two columns really changed; a member renaming herself
  does not empty the cache).

Revision ID: 0021_public_lists_notify
Revises: 0020_refund_checks
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021_public_lists_notify"
down_revision: str | Sequence[str] | None = "0020_refund_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHANGES = (
    ("inserted", "INSERT", "NEW"),
    ("updated", "UPDATE", "NEW"),
    ("deleted", "DELETE", "OLD"),
)


def upgrade() -> None:
    # notify_catalog_changed() comes from 0004_catalog.
    for name, operation, rows in _CHANGES:
        op.execute(
            f"CREATE TRIGGER blog_categories_notify_{name} AFTER {operation} ON blog_categories "
            f"REFERENCING {rows} TABLE AS changed_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()"
        )
    op.execute(
        "CREATE TRIGGER blog_categories_notify_truncated AFTER TRUNCATE ON blog_categories "
        "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()"
    )
    op.execute(
        """
        CREATE FUNCTION notify_public_person_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- Indexed look-ups (ix_courses_instructor_id, ix_blog_posts_author_id). PostgreSQL
          -- sends one notification per transaction for the same payload.
          IF EXISTS (SELECT 1 FROM courses WHERE instructor_id = NEW.id)
             OR EXISTS (SELECT 1 FROM blog_posts WHERE author_id = NEW.id) THEN
            PERFORM pg_notify('catalog_changed', TG_TABLE_NAME);
          END IF;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER users_notify_public_person AFTER UPDATE OF name, avatar_url ON users "
        "FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name "
        "OR OLD.avatar_url IS DISTINCT FROM NEW.avatar_url) "
        "EXECUTE FUNCTION notify_public_person_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER users_notify_public_person ON users")
    op.execute("DROP FUNCTION notify_public_person_changed()")
    for name in ("inserted", "updated", "deleted", "truncated"):
        op.execute(f"DROP TRIGGER blog_categories_notify_{name} ON blog_categories")
