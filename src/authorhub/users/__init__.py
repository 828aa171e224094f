"""People: profiles and preferences, and the admin's view of accounts."""
