"""Payments: the provider layer (providers/), the local sandbox (sandbox/) and, on top of them,
the payment state machine, webhooks and refunds."""
