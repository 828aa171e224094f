"""Recommendations: books related to a book, and books for a reader."""
