"""community: discussions, threaded replies, likes, follows, revisions, notifications, the
moderation queue (review items, reports, watched words), community members; users get a public
`handle` (backfilled, and given to new rows by a trigger) and `suspended_until`.

Revision ID: 0009_community
Revises: 0008_admin
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_community"
down_revision: str | Sequence[str] | None = "0008_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POST_STATUS = postgresql.ENUM(
    "published", "pending", "hidden", "deleted", name="community_post_status", create_type=False
)
REVIEW_STATUS = postgresql.ENUM(
    "pending", "resolved", name="community_review_status", create_type=False
)
REPORT_REASON = postgresql.ENUM(
    "spam",
    "inappropriate",
    "off_topic",
    "harassment",
    "other",
    name="community_report_reason",
    create_type=False,
)
NOTIFICATION_KIND = postgresql.ENUM(
    "reply_to_discussion",
    "reply_to_post",
    "reply_in_followed",
    "mention",
    "like",
    "moderation",
    name="community_notification_kind",
    create_type=False,
)
WATCHED_WORD_ACTION = postgresql.ENUM(
    "block", "hold", name="community_watched_word_action", create_type=False
)
ENUMS = (POST_STATUS, REVIEW_STATUS, REPORT_REASON, NOTIFICATION_KIND, WATCHED_WORD_ACTION)

SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')"
)

# A handle derived from an email's local part: lower-case letters, digits and "_", 3 to 30
# characters; when taken, a short random suffix makes it unique. Used by the backfill and by
# the trigger that names new accounts (registration, Google, the command line) in one place.
HANDLE_FUNCTIONS = (
    """
CREATE FUNCTION community_handle_for(p_email text, p_user_id uuid) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    base text := left(trim(both '_' from regexp_replace(
        lower(split_part(p_email, '@', 1)), '[^a-z0-9_]+', '_', 'g')), 22);
    candidate text;
BEGIN
    IF length(base) < 3 THEN
        base := 'member' || base;
    END IF;
    candidate := base;
    WHILE EXISTS (SELECT 1 FROM users WHERE handle = candidate AND id <> p_user_id) LOOP
        candidate := base || '_' || substr(md5(random()::text), 1, 6);
    END LOOP;
    RETURN candidate;
END $$;
""",
    """
CREATE FUNCTION users_default_handle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.handle IS NULL THEN
        NEW.handle := community_handle_for(NEW.email, NEW.id);
    END IF;
    RETURN NEW;
END $$;
""",
    """
CREATE TRIGGER users_default_handle BEFORE INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION users_default_handle();
""",
)


def _keys_and_timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _fk(column: str, table: str, ondelete: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        column,
        sa.Uuid(),
        sa.ForeignKey(f"{table}.id", ondelete=ondelete),
        nullable=nullable,
    )


def upgrade() -> None:
    bind = op.get_bind()
    for enum_type in ENUMS:
        enum_type.create(bind, checkfirst=False)

    # --- users: handle (backfilled) and suspension -------------------------------------------
    op.add_column("users", sa.Column("handle", sa.String(length=30), nullable=True))
    op.add_column("users", sa.Column("suspended_until", sa.DateTime(timezone=True), nullable=True))
    for statement in HANDLE_FUNCTIONS:  # one statement per call (asyncpg)
        op.execute(statement)
    # One by one in creation order, so each sees the handles given before it.
    op.execute(
        """
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT id, email FROM users WHERE handle IS NULL ORDER BY created_at, id LOOP
                UPDATE users SET handle = community_handle_for(r.email, r.id) WHERE id = r.id;
            END LOOP;
        END $$;
        """
    )
    op.alter_column("users", "handle", nullable=False)
    op.create_index("uq_users_handle", "users", ["handle"], unique=True)

    op.create_table(
        "discussion_categories",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_categories")),
    )
    op.create_index("uq_discussion_categories_slug", "discussion_categories", ["slug"], unique=True)
    op.create_index(
        "ix_discussion_categories_position_name", "discussion_categories", ["position", "name"]
    )

    op.create_table(
        "discussions",
        _fk("category_id", "discussion_categories", "RESTRICT", nullable=False),
        _fk("author_id", "users", "SET NULL"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=220), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", POST_STATUS, server_default="published", nullable=False),
        sa.Column("is_pinned", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_locked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("slow_mode_seconds", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("view_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reply_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("like_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "last_activity_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(SEARCH_VECTOR, persisted=True),
            nullable=True,
        ),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussions")),
    )
    op.create_index("uq_discussions_slug", "discussions", ["slug"], unique=True)
    for columns in (
        ["status", "is_pinned", "last_activity_at"],
        ["status", "is_pinned", "created_at"],
        ["status", "is_pinned", "like_count"],
        ["category_id", "status", "is_pinned", "last_activity_at"],
        ["author_id", "created_at"],
    ):
        op.create_index(f"ix_discussions_{'_'.join(columns)}", "discussions", columns)
    op.create_index(
        "ix_discussions_search_vector", "discussions", ["search_vector"], postgresql_using="gin"
    )

    op.create_table(
        "discussion_replies",
        _fk("discussion_id", "discussions", "CASCADE", nullable=False),
        _fk("author_id", "users", "SET NULL"),
        _fk("parent_id", "discussion_replies", "CASCADE"),
        _fk("quoted_reply_id", "discussion_replies", "SET NULL"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", POST_STATUS, server_default="published", nullable=False),
        sa.Column("like_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_replies")),
    )
    for columns in (
        ["discussion_id", "created_at", "id"],
        ["discussion_id", "author_id", "created_at"],
        ["author_id", "created_at"],
        ["parent_id"],
        ["quoted_reply_id"],
    ):
        op.create_index(f"ix_discussion_replies_{'_'.join(columns)}", "discussion_replies", columns)

    op.create_table(
        "discussion_revisions",
        _fk("discussion_id", "discussions", "CASCADE", nullable=False),
        _fk("reply_id", "discussion_replies", "CASCADE"),
        _fk("editor_id", "users", "SET NULL"),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_revisions")),
    )
    op.create_index(
        "ix_discussion_revisions_discussion_id_created_at",
        "discussion_revisions",
        ["discussion_id", "created_at"],
    )
    op.create_index(
        "ix_discussion_revisions_reply_id_created_at",
        "discussion_revisions",
        ["reply_id", "created_at"],
    )

    op.create_table(
        "discussion_likes",
        _fk("user_id", "users", "CASCADE", nullable=False),
        _fk("discussion_id", "discussions", "CASCADE", nullable=False),
        _fk("reply_id", "discussion_replies", "CASCADE"),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_likes")),
    )
    op.create_index(
        "uq_discussion_likes_user_id_discussion_id",
        "discussion_likes",
        ["user_id", "discussion_id"],
        unique=True,
        postgresql_where=sa.text("reply_id IS NULL"),
    )
    op.create_index(
        "uq_discussion_likes_user_id_reply_id",
        "discussion_likes",
        ["user_id", "reply_id"],
        unique=True,
        postgresql_where=sa.text("reply_id IS NOT NULL"),
    )
    op.create_index("ix_discussion_likes_discussion_id", "discussion_likes", ["discussion_id"])
    op.create_index("ix_discussion_likes_reply_id", "discussion_likes", ["reply_id"])

    op.create_table(
        "discussion_follows",
        _fk("user_id", "users", "CASCADE", nullable=False),
        _fk("discussion_id", "discussions", "CASCADE", nullable=False),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_follows")),
    )
    op.create_index(
        "uq_discussion_follows_discussion_id_user_id",
        "discussion_follows",
        ["discussion_id", "user_id"],
        unique=True,
    )
    op.create_index("ix_discussion_follows_user_id", "discussion_follows", ["user_id"])

    op.create_table(
        "community_review_items",
        _fk("discussion_id", "discussions", "CASCADE", nullable=False),
        _fk("reply_id", "discussion_replies", "CASCADE"),
        sa.Column("status", REVIEW_STATUS, server_default="pending", nullable=False),
        sa.Column("held_reason", sa.String(length=40), nullable=True),
        sa.Column("report_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("auto_hidden", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("resolution", sa.String(length=40), nullable=True),
        _fk("resolved_by_id", "users", "SET NULL"),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_review_items")),
    )
    op.create_index(
        "uq_community_review_items_discussion_id",
        "community_review_items",
        ["discussion_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending' AND reply_id IS NULL"),
    )
    op.create_index(
        "uq_community_review_items_reply_id",
        "community_review_items",
        ["reply_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending' AND reply_id IS NOT NULL"),
    )
    op.create_index(
        "ix_community_review_items_status_created_at",
        "community_review_items",
        ["status", "created_at"],
    )

    op.create_table(
        "community_reports",
        _fk("review_item_id", "community_review_items", "CASCADE", nullable=False),
        _fk("reporter_id", "users", "CASCADE", nullable=False),
        sa.Column("reason", REPORT_REASON, nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_reports")),
    )
    op.create_index(
        "uq_community_reports_review_item_id_reporter_id",
        "community_reports",
        ["review_item_id", "reporter_id"],
        unique=True,
    )
    op.create_index(
        "ix_community_reports_reporter_id_created_at",
        "community_reports",
        ["reporter_id", "created_at"],
    )

    op.create_table(
        "community_notifications",
        _fk("user_id", "users", "CASCADE", nullable=False),
        sa.Column("kind", NOTIFICATION_KIND, nullable=False),
        _fk("actor_id", "users", "SET NULL"),
        _fk("discussion_id", "discussions", "CASCADE"),
        _fk("reply_id", "discussion_replies", "CASCADE"),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_notifications")),
    )
    op.create_index(
        "ix_community_notifications_user_id_created_at",
        "community_notifications",
        ["user_id", "created_at"],
    )
    op.create_index(
        "ix_community_notifications_unread_user_id",
        "community_notifications",
        ["user_id", "created_at"],
        postgresql_where=sa.text("read_at IS NULL"),
    )

    op.create_table(
        "community_members",
        _fk("user_id", "users", "CASCADE", nullable=False),
        sa.Column("post_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("silenced_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_digest_on", sa.Date(), nullable=True),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_members")),
    )
    op.create_index("uq_community_members_user_id", "community_members", ["user_id"], unique=True)
    op.create_index("ix_community_members_created_at", "community_members", ["created_at"])
    op.create_index("ix_community_members_post_count", "community_members", ["post_count"])

    op.create_table(
        "community_watched_words",
        sa.Column("word", sa.String(length=100), nullable=False),
        sa.Column("action", WATCHED_WORD_ACTION, nullable=False),
        _fk("created_by_id", "users", "SET NULL"),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_watched_words")),
    )
    op.create_index(
        "uq_community_watched_words_word", "community_watched_words", ["word"], unique=True
    )


def downgrade() -> None:
    for table in (
        "community_watched_words",
        "community_members",
        "community_notifications",
        "community_reports",
        "community_review_items",
        "discussion_follows",
        "discussion_likes",
        "discussion_revisions",
        "discussion_replies",
        "discussions",
        "discussion_categories",
    ):
        op.drop_table(table)
    op.execute("DROP TRIGGER users_default_handle ON users")
    op.execute("DROP FUNCTION users_default_handle()")
    op.execute("DROP FUNCTION community_handle_for(text, uuid)")
    op.drop_index("uq_users_handle", table_name="users")
    op.drop_column("users", "suspended_until")
    op.drop_column("users", "handle")
    bind = op.get_bind()
    for enum_type in reversed(ENUMS):
        enum_type.drop(bind, checkfirst=False)
