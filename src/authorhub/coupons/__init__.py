"""Discount coupons: admin management, validation, and uses reserved atomically at order time."""
