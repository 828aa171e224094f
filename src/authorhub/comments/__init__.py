"""Comments on blog posts and their moderation queue (the blog's own; the community's
discussions have theirs)."""
