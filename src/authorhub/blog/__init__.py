"""The blog: posts (draft, scheduled, published, archived), categories, the RSS feed."""
