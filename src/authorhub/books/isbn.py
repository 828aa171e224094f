"""ISBNs: validated (ISBN-10 or ISBN-13, checksum included) and stored as ISBN-13 digits."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s-]")


class InvalidISBN(ValueError):
    pass


def _isbn13_check_digit(first12: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def normalize_isbn(value: str) -> str:
    """The 13-digit form of an ISBN-10 or ISBN-13 (hyphens and spaces allowed).

    Raises InvalidISBN with a message fit to show to the person who typed it.
    """
    raw = _SEPARATORS.sub("", value).upper()
    if raw.startswith("ISBN"):
        raw = raw[4:].lstrip(":")
    if len(raw) == 10:
        if not (raw[:9].isdigit() and (raw[9].isdigit() or raw[9] == "X")):
            raise InvalidISBN("An ISBN-10 has 9 digits and a last digit or X.")
        total = sum((10 - i) * int(d) for i, d in enumerate(raw[:9]))
        total += 10 if raw[9] == "X" else int(raw[9])
        if total % 11:
            raise InvalidISBN("This ISBN-10's check digit is wrong.")
        first12 = "978" + raw[:9]
        return first12 + _isbn13_check_digit(first12)
    if len(raw) == 13:
        if not raw.isdigit() or raw[:3] not in ("978", "979"):
            raise InvalidISBN("An ISBN-13 has 13 digits and starts with 978 or 979.")
        if _isbn13_check_digit(raw[:12]) != raw[12]:
            raise InvalidISBN("This ISBN-13's check digit is wrong.")
        return raw
    raise InvalidISBN("An ISBN has 10 or 13 digits.")
