"""The order lifecycle: which status may follow which. Anything else is a 409."""

from __future__ import annotations

from authorhub.errors import Conflict
from authorhub.models import OrderStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.pending_payment: frozenset({S.paid, S.cancelled, S.expired}),
    S.paid: frozenset({S.processing, S.refunded, S.partially_refunded}),
    S.processing: frozenset({S.shipped, S.refunded, S.partially_refunded}),
    S.shipped: frozenset({S.delivered, S.refunded, S.partially_refunded}),
    S.delivered: frozenset({S.refunded, S.partially_refunded}),
    # Part of the money went back; the rest of the order may still be fulfilled or refunded.
    S.partially_refunded: frozenset(
        {S.processing, S.shipped, S.delivered, S.partially_refunded, S.refunded}
    ),
    S.cancelled: frozenset(),
    S.expired: frozenset(),
    S.refunded: frozenset(),
}

# Statuses in which the order's money has been received.
PAID_STATUSES = frozenset({S.paid, S.processing, S.shipped, S.delivered, S.partially_refunded})
# A paid order may be cancelled (with a refund) until it ships.
CANCELLABLE_WITH_REFUND = frozenset({S.paid, S.processing})


def check_transition(current: S, wanted: S) -> None:
    if wanted not in ALLOWED[current]:
        raise Conflict(
            f"An order that is {current.value} cannot become {wanted.value}.",
            code="illegal_status_transition",
            details={"from": current.value, "to": wanted.value},
        )
