"""Money is an integer number of minor units (kobo) plus a currency; never a float.

Providers that speak major units (Flutterwave) are converted at the edge with Decimal.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MINOR_UNITS = {"NGN": 100, "USD": 100, "GBP": 100, "EUR": 100, "GHS": 100, "KES": 100, "ZAR": 100}


def to_major(amount_minor: int, currency: str = "NGN") -> Decimal:
    return (Decimal(amount_minor) / MINOR_UNITS[currency]).quantize(Decimal("0.01"))


def to_minor(amount_major: Decimal | str | int, currency: str = "NGN") -> int:
    value = Decimal(str(amount_major)) * MINOR_UNITS[currency]
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_amount(amount_minor: int, currency: str = "NGN") -> str:
    symbol = {"NGN": "₦", "USD": "$", "GBP": "£", "EUR": "€"}.get(currency, currency + " ")
    return f"{symbol}{to_major(amount_minor, currency):,.2f}"
