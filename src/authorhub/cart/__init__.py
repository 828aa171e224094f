"""Shopping carts for guests (a cart token) and members, with live prices and availability."""
