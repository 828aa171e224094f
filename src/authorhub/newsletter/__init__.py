"""The newsletter: double opt-in subscriptions, one-click unsubscribe (RFC 8058), subscribers
and segments for the admin, and campaigns sent in batches by a resumable job."""
