"""Book reviews: stars and text, verified purchases, helpful votes, reports and moderation."""
