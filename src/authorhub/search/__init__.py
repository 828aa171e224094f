"""Search across the platform (books now; posts and courses later) and suggestions."""
