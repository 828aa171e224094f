"""Image uploads are judged by their content, never by the name or type the client sent: Pillow
must read a real JPEG, PNG or WebP within the size limits, and the picture is decoded and
encoded again, so nothing but pixels survives (no metadata, no trailing payload, no polyglot).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# format -> (content type, extension)
ACCEPTED = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


class InvalidImage(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_image(data: bytes, *, max_side: int) -> CleanImage:
    """The re-encoded image, or InvalidImage saying what is wrong (CPU-bound: run in a thread)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format or ""
                if kind not in ACCEPTED:
                    raise InvalidImage("The file is not a JPEG, PNG or WebP image.")
                width, height = probe.size
                if width > max_side or height > max_side:
                    raise InvalidImage(f"The image is larger than {max_side} pixels on a side.")
                probe.load()  # decodes everything: a truncated or corrupt file fails here
                picture = ImageOps.exif_transpose(probe) or probe
                return _encode(picture, kind)
    except InvalidImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage("The file is not a JPEG, PNG or WebP image.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidImage("The image is damaged or incomplete.") from exc


def _encode(picture: Image.Image, kind: str) -> CleanImage:
    content_type, extension = ACCEPTED[kind]
    out = io.BytesIO()
    has_alpha = "A" in picture.getbands() or "transparency" in picture.info
    if kind == "JPEG":
        picture = picture.convert("L" if picture.mode == "L" else "RGB")
        picture.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif kind == "PNG":
        if picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            picture = picture.convert("RGBA" if has_alpha else "RGB")
        picture.save(out, "PNG", optimize=True)
    else:
        picture = picture.convert("RGBA" if has_alpha else "RGB")
        picture.save(out, "WEBP", quality=85, method=4)
    return CleanImage(
        data=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=picture.width,
        height=picture.height,
    )
