"""Email templates the admin can edit (stored in the database; the files in mail/templates are
the defaults and the fallback)."""
