"""URL slugs (lowercase ASCII words joined by hyphens), and telling a slug from an id."""

from __future__ import annotations

import re
import unicodedata
import uuid

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(value: str, max_length: int = 80) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_value.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def first_free(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... : the first not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def is_uuid(text: str) -> bool:
    """Whether a reference (a path segment, a form's or query's text) is a UUID, not a slug."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
