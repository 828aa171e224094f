"""Orders: checkout with stock and coupon reservations, the status lifecycle, expiry, and the
service functions payments call to mark an order paid (exactly once) or refunded."""
