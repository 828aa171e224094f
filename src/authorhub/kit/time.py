"""Time is always timezone-aware UTC inside the service."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC (release dates are UTC days)."""
    return utcnow().date()


def utc_midnight(day: date) -> datetime:
    """The start of `day` in UTC: date filters compare `>= utc_midnight(from)` and
    `< utc_midnight(to + 1 day)`, so the whole last day is included."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a "Z", as the API's JSON writes datetimes (for messages and details
    built by hand)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
