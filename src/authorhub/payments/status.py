"""The payment state machine: which status may follow which.

    pending ──verified success, amounts match, order takes it──▶ succeeded
       │  │ └─verified success, order expired/cancelled/paid──▶ refunding ──▶ refunded
       │  └──verified success, amount or currency differ──────▶ needs_review
       └──provider says failed ──▶ failed;  never completed ──▶ abandoned
    failed / abandoned: a later verified success still goes to succeeded / refunding / needs_review
    succeeded ──provider confirms a refund──▶ partially_refunded ──▶ refunded
    needs_review ──an admin's review (service.review_payment), the provider asked again──▶
        succeeded (settled) / refunding (given back) / needs_review (still held, new reason)

Every move happens with the payment row locked, so each is applied exactly once.
"""

from __future__ import annotations

from authorhub.models import Payment
from authorhub.models import PaymentStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.pending: frozenset({S.succeeded, S.failed, S.abandoned, S.needs_review, S.refunding}),
    S.failed: frozenset({S.succeeded, S.abandoned, S.needs_review, S.refunding}),
    S.abandoned: frozenset({S.succeeded, S.failed, S.needs_review, S.refunding}),
    S.succeeded: frozenset({S.partially_refunded, S.refunded}),
    S.partially_refunded: frozenset({S.partially_refunded, S.refunded}),
    S.refunding: frozenset({S.refunded, S.needs_review}),
    S.needs_review: frozenset({S.succeeded, S.refunding, S.needs_review}),
    S.refunded: frozenset(),
}

# Payments whose outcome is still open: the provider may yet report a success for them.
AWAITING_MONEY = frozenset({S.pending, S.failed, S.abandoned})


class IllegalPaymentTransition(RuntimeError):
    """A bug: the code tried a move the state machine does not allow."""


def check_transition(current: S, wanted: S) -> None:
    if wanted not in ALLOWED[current]:
        raise IllegalPaymentTransition(f"payment {current.value} cannot become {wanted.value}")


def move(payment: Payment, to: S, reason: str | None = None) -> None:
    """Change a payment's status if the state machine allows it (a bug otherwise); `reason`
    says why, for the admin log."""
    check_transition(payment.status, to)
    payment.status = to
    if reason is not None:
        payment.status_reason = reason[:500]
