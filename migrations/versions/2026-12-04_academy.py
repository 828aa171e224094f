"""academy: courses, modules, lessons (and their attachments), quizzes, enrolments, progress,
quiz attempts, certificates and reviews; order lines and cart items sell the kind `course`

Revision ID: 0014_academy
Revises: 0013_events
Create Date: 2026-12-04 23:04:23.198238+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_academy"
down_revision: str | Sequence[str] | None = "0013_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subtitle", sa.String(length=300), nullable=True),
        sa.Column("description_markdown", sa.Text(), server_default="", nullable=False),
        sa.Column("description_html", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "what_you_will_learn",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum("beginner", "intermediate", "advanced", name="course_level"),
            nullable=False,
        ),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("instructor_id", sa.Uuid(), nullable=True),
        sa.Column("thumbnail_url", sa.String(length=500), nullable=True),
        sa.Column("price_ngn", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("price_usd", sa.Integer(), nullable=True),
        sa.Column("seat_limit", sa.Integer(), nullable=True),
        sa.Column("seats_taken", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_published", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enrollment_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rating_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rating_average", sa.Numeric(precision=3, scale=2), nullable=True),
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
        sa.CheckConstraint(
            "enrollment_count >= 0", name=op.f("ck_courses_enrollment_count_not_negative")
        ),
        sa.CheckConstraint("price_ngn >= 0", name=op.f("ck_courses_price_ngn_not_negative")),
        sa.CheckConstraint(
            "price_usd IS NULL OR price_usd >= 0", name=op.f("ck_courses_price_usd_not_negative")
        ),
        sa.CheckConstraint("rating_count >= 0", name=op.f("ck_courses_rating_count_not_negative")),
        sa.CheckConstraint(
            "seat_limit IS NULL OR seat_limit > 0", name=op.f("ck_courses_seat_limit_positive")
        ),
        sa.CheckConstraint(
            "seats_taken >= 0 AND (seat_limit IS NULL OR seats_taken <= seat_limit)",
            name=op.f("ck_courses_seats_within_limit"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_courses_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["users.id"],
            name=op.f("fk_courses_instructor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sa.UniqueConstraint("slug", name=op.f("uq_courses_slug")),
    )
    op.create_index("ix_courses_category_id", "courses", ["category_id"], unique=False)
    op.create_index("ix_courses_instructor_id", "courses", ["instructor_id"], unique=False)
    op.create_index(
        "ix_courses_popular",
        "courses",
        ["enrollment_count", "published_at"],
        unique=False,
        postgresql_where=sa.text("is_published"),
    )
    op.create_index(
        "ix_courses_published_at",
        "courses",
        ["published_at"],
        unique=False,
        postgresql_where=sa.text("is_published"),
    )
    op.create_index(
        "ix_courses_rating",
        "courses",
        ["rating_average", "rating_count"],
        unique=False,
        postgresql_where=sa.text("is_published"),
    )
    for name, column in (
        ("ix_courses_title_words", "title"),
        ("ix_courses_subtitle_words", "subtitle"),
    ):
        op.create_index(
            name,
            "courses",
            [sa.literal_column(f"to_tsvector('simple'::regconfig, {column})")],
            postgresql_using="gin",
        )
    op.create_table(
        "course_modules",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
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
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_modules_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_modules")),
        sa.UniqueConstraint(
            "course_id",
            "position",
            deferrable=True,
            initially="DEFERRED",
            name=op.f("uq_course_modules_course_id_position"),
        ),
    )
    op.create_table(
        "course_reviews",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by_id", sa.Uuid(), nullable=True),
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
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_course_reviews_rating_range")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_reviews_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replied_by_id"],
            ["users.id"],
            name=op.f("fk_course_reviews_replied_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_course_reviews_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_reviews")),
        sa.UniqueConstraint(
            "course_id", "user_id", name=op.f("uq_course_reviews_course_id_user_id")
        ),
    )
    op.create_index(
        "ix_course_reviews_course_id_created_at",
        "course_reviews",
        ["course_id", "created_at"],
        unique=False,
    )
    op.create_index("ix_course_reviews_user_id", "course_reviews", ["user_id"], unique=False)
    op.create_table(
        "lessons",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("module_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("body_markdown", sa.Text(), server_default="", nullable=False),
        sa.Column("body_html", sa.Text(), server_default="", nullable=False),
        sa.Column("video_url", sa.String(length=500), nullable=True),
        sa.Column("is_preview", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_required", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("drip_days", sa.Integer(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint(
            "drip_days IS NULL OR drip_days >= 0", name=op.f("ck_lessons_drip_days_not_negative")
        ),
        sa.CheckConstraint("duration_minutes >= 0", name=op.f("ck_lessons_duration_not_negative")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_lessons_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["course_modules.id"],
            name=op.f("fk_lessons_module_id_course_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
        sa.UniqueConstraint(
            "module_id",
            "position",
            deferrable=True,
            initially="DEFERRED",
            name=op.f("uq_lessons_module_id_position"),
        ),
    )
    op.create_index("ix_lessons_course_id", "lessons", ["course_id"], unique=False)
    op.create_table(
        "quizzes",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("module_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
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
        sa.CheckConstraint(
            "max_attempts IS NULL OR max_attempts > 0",
            name=op.f("ck_quizzes_max_attempts_positive"),
        ),
        sa.CheckConstraint(
            "pass_mark BETWEEN 1 AND 100", name=op.f("ck_quizzes_pass_mark_percent")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_quizzes_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["course_modules.id"],
            name=op.f("fk_quizzes_module_id_course_modules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizzes")),
        sa.UniqueConstraint("module_id", name=op.f("uq_quizzes_module_id")),
    )
    op.create_index("ix_quizzes_course_id", "quizzes", ["course_id"], unique=False)
    op.create_table(
        "enrollments",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column(
            "source", sa.Enum("free", "purchase", "grant", name="enrollment_source"), nullable=False
        ),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("order_line_id", sa.Uuid(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
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
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_enrollments_course_id_courses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_enrollments_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_enrollments_order_line_id_order_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_enrollments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_enrollments_user_id_course_id")),
    )
    op.create_index(
        "ix_enrollments_course_id_created_at",
        "enrollments",
        ["course_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_enrollments_nudge_due",
        "enrollments",
        ["last_activity_at"],
        unique=False,
        postgresql_where=sa.text(
            "revoked_at IS NULL AND completed_at IS NULL AND nudged_at IS NULL"
        ),
    )
    op.create_index("ix_enrollments_order_line_id", "enrollments", ["order_line_id"], unique=False)
    op.create_index(
        "ix_enrollments_user_id_last_activity_at",
        "enrollments",
        ["user_id", "last_activity_at"],
        unique=False,
    )
    op.create_table(
        "lesson_attachments",
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
        sa.Column("file_key", sa.String(length=300), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
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
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_lesson_attachments_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_attachments")),
    )
    op.create_index(
        "ix_lesson_attachments_lesson_id", "lesson_attachments", ["lesson_id"], unique=False
    )
    op.create_table(
        "quiz_questions",
        sa.Column("quiz_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
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
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_quiz_questions_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_questions")),
    )
    op.create_index(
        "ix_quiz_questions_quiz_id_position",
        "quiz_questions",
        ["quiz_id", "position"],
        unique=False,
    )
    op.create_table(
        "certificates",
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("student_name", sa.String(length=200), nullable=False),
        sa.Column("course_title", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
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
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_certificates_course_id_courses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_certificates_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_certificates_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("enrollment_id", name=op.f("uq_certificates_enrollment_id")),
    )
    op.create_index("ix_certificates_course_id", "certificates", ["course_id"], unique=False)
    op.create_index("ix_certificates_user_id", "certificates", ["user_id"], unique=False)
    op.create_table(
        "lesson_completions",
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
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
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_lesson_completions_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_lesson_completions_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_completions")),
        sa.UniqueConstraint(
            "enrollment_id", "lesson_id", name=op.f("uq_lesson_completions_enrollment_id_lesson_id")
        ),
    )
    op.create_index(
        "ix_lesson_completions_lesson_id", "lesson_completions", ["lesson_id"], unique=False
    )
    op.create_table(
        "quiz_attempts",
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("quiz_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_quiz_attempts_score_percent")),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_quiz_attempts_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_quiz_attempts_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
    )
    op.create_index(
        "ix_quiz_attempts_enrollment_id_quiz_id",
        "quiz_attempts",
        ["enrollment_id", "quiz_id"],
        unique=False,
    )
    op.create_index("ix_quiz_attempts_quiz_id", "quiz_attempts", ["quiz_id"], unique=False)
    op.create_table(
        "quiz_options",
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
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
            ["question_id"],
            ["quiz_questions.id"],
            name=op.f("fk_quiz_options_question_id_quiz_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_options")),
    )
    op.create_index(
        "ix_quiz_options_question_id_position",
        "quiz_options",
        ["question_id", "position"],
        unique=False,
    )
    op.add_column("cart_items", sa.Column("course_id", sa.Uuid(), nullable=True))
    op.create_index("ix_cart_items_course_id", "cart_items", ["course_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_cart_items_course_id_courses"),
        "cart_items",
        "courses",
        ["course_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.add_column("order_lines", sa.Column("course_id", sa.Uuid(), nullable=True))
    op.create_index("ix_order_lines_course_id", "order_lines", ["course_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_order_lines_course_id_courses"),
        "order_lines",
        "courses",
        ["course_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    # The kind `course` fills course_id with its item id, and only it does.
    for table in ("cart_items", "order_lines"):
        op.create_check_constraint(
            op.f(f"ck_{table}_course_columns"),
            table,
            "(kind = 'course') = (course_id IS NOT NULL)",
        )
        op.create_check_constraint(
            op.f(f"ck_{table}_course_is_item"), table, "course_id IS NULL OR course_id = item_id"
        )

    # /api/search serves courses from the catalog's response cache: a change to a course empties
    # it, like a change to a book (notify_catalog_changed comes from 0004_catalog).
    for operation, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        op.execute(
            f"CREATE TRIGGER courses_notify_{operation.lower()}d AFTER {operation} ON courses "
            f"REFERENCING {rows} TABLE AS changed_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()"
        )


def downgrade() -> None:
    # Orders that sold a course are financial records: refuse rather than lose them.
    op.execute(
        """
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM order_lines WHERE kind = 'course') THEN
            RAISE EXCEPTION 'orders sell courses: cannot downgrade';
          END IF;
        END $$
        """
    )
    op.execute("DELETE FROM cart_items WHERE kind = 'course'")
    for operation in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER courses_notify_{operation}d ON courses")
    for table in ("cart_items", "order_lines"):
        op.drop_constraint(op.f(f"ck_{table}_course_is_item"), table, type_="check")
        op.drop_constraint(op.f(f"ck_{table}_course_columns"), table, type_="check")
    op.drop_constraint(op.f("fk_order_lines_course_id_courses"), "order_lines", type_="foreignkey")
    op.drop_index("ix_order_lines_course_id", table_name="order_lines")
    op.drop_column("order_lines", "course_id")
    op.drop_constraint(op.f("fk_cart_items_course_id_courses"), "cart_items", type_="foreignkey")
    op.drop_index("ix_cart_items_course_id", table_name="cart_items")
    op.drop_column("cart_items", "course_id")
    op.drop_index("ix_quiz_options_question_id_position", table_name="quiz_options")
    op.drop_table("quiz_options")
    op.drop_index("ix_quiz_attempts_quiz_id", table_name="quiz_attempts")
    op.drop_index("ix_quiz_attempts_enrollment_id_quiz_id", table_name="quiz_attempts")
    op.drop_table("quiz_attempts")
    op.drop_index("ix_lesson_completions_lesson_id", table_name="lesson_completions")
    op.drop_table("lesson_completions")
    op.drop_index("ix_certificates_user_id", table_name="certificates")
    op.drop_index("ix_certificates_course_id", table_name="certificates")
    op.drop_table("certificates")
    op.drop_index("ix_quiz_questions_quiz_id_position", table_name="quiz_questions")
    op.drop_table("quiz_questions")
    op.drop_index("ix_lesson_attachments_lesson_id", table_name="lesson_attachments")
    op.drop_table("lesson_attachments")
    op.drop_index("ix_enrollments_user_id_last_activity_at", table_name="enrollments")
    op.drop_index("ix_enrollments_order_line_id", table_name="enrollments")
    op.drop_index(
        "ix_enrollments_nudge_due",
        table_name="enrollments",
        postgresql_where=sa.text(
            "revoked_at IS NULL AND completed_at IS NULL AND nudged_at IS NULL"
        ),
    )
    op.drop_index("ix_enrollments_course_id_created_at", table_name="enrollments")
    op.drop_table("enrollments")
    op.drop_index("ix_quizzes_course_id", table_name="quizzes")
    op.drop_table("quizzes")
    op.drop_index("ix_lessons_course_id", table_name="lessons")
    op.drop_table("lessons")
    op.drop_index("ix_course_reviews_user_id", table_name="course_reviews")
    op.drop_index("ix_course_reviews_course_id_created_at", table_name="course_reviews")
    op.drop_table("course_reviews")
    op.drop_table("course_modules")
    op.drop_index("ix_courses_subtitle_words", table_name="courses")
    op.drop_index("ix_courses_title_words", table_name="courses")
    op.drop_index(
        "ix_courses_rating", table_name="courses", postgresql_where=sa.text("is_published")
    )
    op.drop_index(
        "ix_courses_published_at", table_name="courses", postgresql_where=sa.text("is_published")
    )
    op.drop_index(
        "ix_courses_popular", table_name="courses", postgresql_where=sa.text("is_published")
    )
    op.drop_index("ix_courses_instructor_id", table_name="courses")
    op.drop_index("ix_courses_category_id", table_name="courses")
    op.drop_table("courses")
    op.execute("DROP TYPE enrollment_source")
    op.execute("DROP TYPE course_level")
