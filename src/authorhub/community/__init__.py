"""Community: discussions with threaded replies, notifications, the member directory, and the
moderation that keeps them civil (reports, a review queue, limits for new members)."""
