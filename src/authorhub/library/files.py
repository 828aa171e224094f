"""Where a private ebook file lives on disk, from its storage key."""

from __future__ import annotations

from pathlib import Path

from authorhub.config import Settings


def private_file_path(settings: Settings, file_key: str) -> Path | None:
    """The file under PRIVATE_MEDIA_DIR named by `file_key`, or None when the key would step
    outside that directory (a stored key is data, and data is never trusted with paths)."""
    root = settings.private_media_dir.resolve()
    path = (root / file_key).resolve()
    if not path.is_relative_to(root) or path == root:
        return None
    return path
