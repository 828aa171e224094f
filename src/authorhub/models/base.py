"""Declarative base: UUID keys, timezone-aware timestamps, a constraint naming convention."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import DateTime, MetaData, func, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )


def _now() -> datetime:
    # Set in Python so rows created in one transaction still order by creation
    # (the server's now() is the transaction's start time); the server default covers raw SQL.
    return datetime.now(UTC)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=_now, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=_now, server_default=func.now(), onupdate=_now
    )


class Model(Base, UUIDPrimaryKey, Timestamps):
    """The usual table: UUID `id`, `created_at`, `updated_at`."""

    __abstract__ = True


def pg_enum(enum_cls: type[Enum], name: str, **kwargs: Any) -> SAEnum:
    """A PostgreSQL enum stored by value (the StrEnum's value, not its Python name)."""
    return SAEnum(
        enum_cls,
        name=name,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        **kwargs,
    )


# Tables that belong to procrastinate (created by the first migration from its schema file):
# Alembic's autogenerate must neither drop them nor diff them.
_FOREIGN_TABLE_PREFIXES = ("procrastinate_",)
_OPTIONAL_INDEX_SUFFIX = "_trgm"


def include_in_migrations(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic `include_object` hook: skip objects that are not ours, and the optional trigram
    indexes (`*_trgm`), which exist only on servers that ship pg_trgm."""
    if type_ == "table" and name and name.startswith(_FOREIGN_TABLE_PREFIXES):
        return False
    if type_ == "index" and reflected and name and name.endswith(_OPTIONAL_INDEX_SUFFIX):
        return False
    table = getattr(obj, "table", None)
    return not (reflected and table is not None and table.name.startswith(_FOREIGN_TABLE_PREFIXES))
