"""Calendar files (icalendar) and ticket QR codes (segno)."""

from __future__ import annotations

import io

import segno
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from authorhub.config import Settings
from authorhub.events import notifications
from authorhub.models import Event, EventStatus


def ics(event: Event, settings: Settings) -> bytes:
    """One VEVENT; a cancelled event says so (calendars that imported it update it)."""
    calendar = Calendar()
    calendar.add("prodid", "-//authorhub//events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"{event.id}@authorhub")
    entry.add("dtstamp", event.updated_at)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    if event.summary:
        entry.add("description", event.summary)
    entry.add("location", notifications.where(event))
    entry.add("url", notifications.event_page(event, settings))
    entry.add("status", "CANCELLED" if event.status == EventStatus.cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()


def qr(code: str, kind: str) -> tuple[bytes, str]:
    """The ticket's code as a QR image: (bytes, media type); kind is "png" or "svg"."""
    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind=kind, scale=8, border=4)
    return out.getvalue(), "image/png" if kind == "png" else "image/svg+xml"
