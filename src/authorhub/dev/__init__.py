"""Development-only pages (never mounted in production)."""
