"""Wishlists: the books a member keeps an eye on."""
