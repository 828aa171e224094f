"""Events: workshops, webinars and launches with seats that never overbook, waiting lists,
paid tickets (the `event_ticket` sellable kind), QR check-in, reminders and calendar files."""
