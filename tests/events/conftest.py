"""The events' end-to-end tests run on the payment tests' shop (the whole service on a real
socket, with the sandbox and the job worker)."""

from tests.payments.conftest import live_shop

__all__ = ["live_shop"]
