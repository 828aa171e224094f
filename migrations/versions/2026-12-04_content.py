"""content: blog posts and categories, comments (likes, reports, bans), newsletter subscribers,
campaigns and their deliveries, editable email templates, and per-message mail headers.

blog_posts.search_vector is a generated column (title A, excerpt B, content D). Writes to
blog_posts NOTIFY catalog_changed (the catalog's function), because /api/search, cached with the
catalog, shows posts.

Revision ID: 0011_content
Revises: 0010_downloads_uploads
Create Date: 2026-12-04 22:11:58.684018+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_content"
down_revision: str | Sequence[str] | None = "0010_downloads_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blog_categories",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_blog_categories_slug")),
    )
    op.create_index(
        "ix_blog_categories_sort_order_name",
        "blog_categories",
        ["sort_order", "name"],
        unique=False,
    )
    op.create_table(
        "blog_comment_bans",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("banned_by_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["banned_by_id"],
            ["users.id"],
            name=op.f("fk_blog_comment_bans_banned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_blog_comment_bans_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_comment_bans")),
        sa.UniqueConstraint("user_id", name=op.f("uq_blog_comment_bans_user_id")),
    )
    op.create_table(
        "blog_posts",
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("content_source", sa.Text(), nullable=False),
        sa.Column(
            "content_format", sa.Enum("markdown", "html", name="blog_post_format"), nullable=False
        ),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("cover_image_url", sa.String(length=1000), nullable=True),
        sa.Column("og_image_url", sa.String(length=1000), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "scheduled", "published", "archived", name="blog_post_status"),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.String(length=60)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("seo_title", sa.String(length=255), nullable=True),
        sa.Column("seo_description", sa.String(length=400), nullable=True),
        sa.Column("featured", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("reading_minutes", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("comments_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, coalesce(excerpt, '')), 'B') || setweight(to_tsvector('english'::regconfig, coalesce(content_html, '')), 'D')",
                persisted=True,
            ),
            nullable=True,
        ),
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
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_blog_posts_author_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["blog_categories.id"],
            name=op.f("fk_blog_posts_category_id_blog_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_posts")),
        sa.UniqueConstraint("slug", name=op.f("uq_blog_posts_slug")),
    )
    op.create_index("ix_blog_posts_author_id", "blog_posts", ["author_id"], unique=False)
    op.create_index(
        "ix_blog_posts_category_id_status_published_at",
        "blog_posts",
        ["category_id", "status", "published_at"],
        unique=False,
    )
    op.create_index(
        "ix_blog_posts_search_vector",
        "blog_posts",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_blog_posts_status_publish_at", "blog_posts", ["status", "publish_at"], unique=False
    )
    op.create_index(
        "ix_blog_posts_status_published_at",
        "blog_posts",
        ["status", "published_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_blog_posts_tags", "blog_posts", ["tags"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "email_templates",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind", sa.Enum("transactional", "campaign", name="email_template_kind"), nullable=False
        ),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column(
            "sample_data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_email_templates_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_templates")),
        sa.UniqueConstraint("name", name=op.f("uq_email_templates_name")),
    )
    op.create_table(
        "newsletter_campaigns",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("template_name", sa.String(length=100), nullable=False),
        sa.Column("content_source", sa.Text(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("segment", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "scheduled",
                "sending",
                "sent",
                "cancelled",
                name="newsletter_campaign_status",
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batches_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_newsletter_campaigns_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_campaigns")),
    )
    op.create_index(
        "ix_newsletter_campaigns_created_at", "newsletter_campaigns", ["created_at"], unique=False
    )
    op.create_index(
        "ix_newsletter_campaigns_status_send_at",
        "newsletter_campaigns",
        ["status", "send_at"],
        unique=False,
    )
    op.create_table(
        "newsletter_subscribers",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("source", sa.String(length=50), server_default="direct", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "active", "unsubscribed", "bounced", name="newsletter_subscriber_status"
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("unsubscribe_token", sa.String(length=64), nullable=False),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=True),
        sa.Column("confirm_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_newsletter_subscribers_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_subscribers")),
        sa.UniqueConstraint(
            "confirm_token_hash", name=op.f("uq_newsletter_subscribers_confirm_token_hash")
        ),
        sa.UniqueConstraint("email", name=op.f("uq_newsletter_subscribers_email")),
        sa.UniqueConstraint(
            "unsubscribe_token", name=op.f("uq_newsletter_subscribers_unsubscribe_token")
        ),
    )
    op.create_index(
        "ix_newsletter_subscribers_source_status",
        "newsletter_subscribers",
        ["source", "status"],
        unique=False,
    )
    op.create_index(
        "ix_newsletter_subscribers_status_created_at",
        "newsletter_subscribers",
        ["status", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_newsletter_subscribers_user_id", "newsletter_subscribers", ["user_id"], unique=False
    )
    op.create_table(
        "blog_comments",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("visible", "held", "hidden", "deleted", name="blog_comment_status"),
            server_default="visible",
            nullable=False,
        ),
        sa.Column("needs_review", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("likes_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("open_reports", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_by_id", sa.Uuid(), nullable=True),
        sa.Column("moderation_note", sa.String(length=500), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_blog_comments_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"],
            ["users.id"],
            name=op.f("fk_blog_comments_moderated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["blog_comments.id"],
            name=op.f("fk_blog_comments_parent_id_blog_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["blog_posts.id"],
            name=op.f("fk_blog_comments_post_id_blog_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_comments")),
    )
    op.create_index(
        "ix_blog_comments_author_id_created_at",
        "blog_comments",
        ["author_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_blog_comments_needs_review",
        "blog_comments",
        ["updated_at"],
        unique=False,
        postgresql_where=sa.text("needs_review"),
    )
    op.create_index(
        "ix_blog_comments_post_id_parent_id_created_at",
        "blog_comments",
        ["post_id", "parent_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "newsletter_deliveries",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("subscriber_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "sending", "sent", "failed", "skipped", name="newsletter_delivery_status"
            ),
            nullable=False,
        ),
        sa.Column("batch", sa.Integer(), nullable=True),
        sa.Column("mail_message_id", sa.Uuid(), nullable=True),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["newsletter_campaigns.id"],
            name=op.f("fk_newsletter_deliveries_campaign_id_newsletter_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mail_message_id"],
            ["mail_messages.id"],
            name=op.f("fk_newsletter_deliveries_mail_message_id_mail_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["newsletter_subscribers.id"],
            name=op.f("fk_newsletter_deliveries_subscriber_id_newsletter_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_deliveries")),
        sa.UniqueConstraint(
            "campaign_id",
            "subscriber_id",
            name=op.f("uq_newsletter_deliveries_campaign_id_subscriber_id"),
        ),
    )
    op.create_index(
        "ix_newsletter_deliveries_campaign_id_status_batch",
        "newsletter_deliveries",
        ["campaign_id", "status", "batch"],
        unique=False,
    )
    op.create_index(
        "ix_newsletter_deliveries_subscriber_id",
        "newsletter_deliveries",
        ["subscriber_id"],
        unique=False,
    )
    op.create_table(
        "blog_comment_likes",
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["blog_comments.id"],
            name=op.f("fk_blog_comment_likes_comment_id_blog_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_blog_comment_likes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_blog_comment_likes")),
    )
    op.create_index(
        "ix_blog_comment_likes_user_id", "blog_comment_likes", ["user_id"], unique=False
    )
    op.create_table(
        "blog_comment_reports",
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["blog_comments.id"],
            name=op.f("fk_blog_comment_reports_comment_id_blog_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_blog_comment_reports_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_comment_reports")),
        sa.UniqueConstraint(
            "comment_id", "reporter_id", name=op.f("uq_blog_comment_reports_comment_id_reporter_id")
        ),
    )
    op.create_index(
        "ix_blog_comment_reports_reporter_id", "blog_comment_reports", ["reporter_id"], unique=False
    )
    op.add_column(
        "mail_messages",
        sa.Column(
            "headers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    for statement in POST_TRIGGERS:
        op.execute(statement)


# /api/search (cached with the catalog, emptied on catalog_changed) shows posts.
POST_TRIGGERS = (
    "CREATE TRIGGER blog_posts_notify_inserted AFTER INSERT ON blog_posts "
    "REFERENCING NEW TABLE AS changed_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
    "CREATE TRIGGER blog_posts_notify_updated AFTER UPDATE ON blog_posts "
    "REFERENCING NEW TABLE AS changed_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
    "CREATE TRIGGER blog_posts_notify_deleted AFTER DELETE ON blog_posts "
    "REFERENCING OLD TABLE AS changed_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
    "CREATE TRIGGER blog_posts_notify_truncated AFTER TRUNCATE ON blog_posts "
    "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
)


def downgrade() -> None:
    for name in ("inserted", "updated", "deleted", "truncated"):
        op.execute(f"DROP TRIGGER blog_posts_notify_{name} ON blog_posts")
    op.drop_column("mail_messages", "headers")
    op.drop_index("ix_blog_comment_reports_reporter_id", table_name="blog_comment_reports")
    op.drop_table("blog_comment_reports")
    op.drop_index("ix_blog_comment_likes_user_id", table_name="blog_comment_likes")
    op.drop_table("blog_comment_likes")
    op.drop_index("ix_newsletter_deliveries_subscriber_id", table_name="newsletter_deliveries")
    op.drop_index(
        "ix_newsletter_deliveries_campaign_id_status_batch", table_name="newsletter_deliveries"
    )
    op.drop_table("newsletter_deliveries")
    op.drop_index("ix_blog_comments_post_id_parent_id_created_at", table_name="blog_comments")
    op.drop_index(
        "ix_blog_comments_needs_review",
        table_name="blog_comments",
        postgresql_where=sa.text("needs_review"),
    )
    op.drop_index("ix_blog_comments_author_id_created_at", table_name="blog_comments")
    op.drop_table("blog_comments")
    op.drop_index("ix_newsletter_subscribers_user_id", table_name="newsletter_subscribers")
    op.drop_index(
        "ix_newsletter_subscribers_status_created_at", table_name="newsletter_subscribers"
    )
    op.drop_index("ix_newsletter_subscribers_source_status", table_name="newsletter_subscribers")
    op.drop_table("newsletter_subscribers")
    op.drop_index("ix_newsletter_campaigns_status_send_at", table_name="newsletter_campaigns")
    op.drop_index("ix_newsletter_campaigns_created_at", table_name="newsletter_campaigns")
    op.drop_table("newsletter_campaigns")
    op.drop_table("email_templates")
    op.drop_index("ix_blog_posts_tags", table_name="blog_posts", postgresql_using="gin")
    op.drop_index("ix_blog_posts_status_published_at", table_name="blog_posts")
    op.drop_index("ix_blog_posts_status_publish_at", table_name="blog_posts")
    op.drop_index("ix_blog_posts_search_vector", table_name="blog_posts", postgresql_using="gin")
    op.drop_index("ix_blog_posts_category_id_status_published_at", table_name="blog_posts")
    op.drop_index("ix_blog_posts_author_id", table_name="blog_posts")
    op.drop_table("blog_posts")
    op.drop_table("blog_comment_bans")
    op.drop_index("ix_blog_categories_sort_order_name", table_name="blog_categories")
    op.drop_table("blog_categories")
    bind = op.get_bind()
    for enum_name in ENUM_NAMES:
        sa.Enum(name=enum_name).drop(bind, checkfirst=False)


ENUM_NAMES = (
    "blog_post_format",
    "blog_post_status",
    "blog_comment_status",
    "email_template_kind",
    "newsletter_campaign_status",
    "newsletter_delivery_status",
    "newsletter_subscriber_status",
)
