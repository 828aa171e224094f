"""downloads counted per signed link; the uploads table (unused images are swept)

Revision ID: 0010_downloads_uploads
Revises: 0009_community
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_downloads_uploads"
down_revision: str | Sequence[str] | None = "0009_community"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("download_logs", sa.Column("link_id", sa.Uuid(), nullable=True))
    op.create_unique_constraint(op.f("uq_download_logs_link_id"), "download_logs", ["link_id"])

    op.create_table(
        "uploads",
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("folder", sa.String(length=32), nullable=False),
        sa.Column("storage", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
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
            ["user_id"], ["users.id"], name=op.f("fk_uploads_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    op.create_index("uq_uploads_url", "uploads", ["url"], unique=True)
    op.create_index("ix_uploads_folder_created_at", "uploads", ["folder", "created_at"])
    op.create_index("ix_uploads_user_id", "uploads", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_uploads_user_id", table_name="uploads")
    op.drop_index("ix_uploads_folder_created_at", table_name="uploads")
    op.drop_index("uq_uploads_url", table_name="uploads")
    op.drop_table("uploads")
    op.drop_constraint(op.f("uq_download_logs_link_id"), "download_logs", type_="unique")
    op.drop_column("download_logs", "link_id")
