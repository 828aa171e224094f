"""What production refuses to start with, named one problem at a time."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from authorhub.config import AppEnv, Settings

GOOD = {
    "app_env": AppEnv.production,
    "secret_key": "s" * 40,
    "database_url": "postgresql://u@db.example.com/authorhub",
}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """Problems of a production configuration made of GOOD, these variables and overrides."""

    def problems(env: dict[str, str], **overrides: object) -> list[str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return Settings(**{**GOOD, **overrides}).production_problems()  # type: ignore[arg-type]

    return problems


PAYSTACK = {"PAYSTACK_SECRET_KEY": "sk_live_x", "PAYSTACK_PUBLIC_KEY": "pk_live_x"}
SMTP = {"MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "smtp.example.com"}


class TestProductionProblems:
    def test_a_complete_configuration_starts(self, production: Callable[..., list[str]]) -> None:
        assert production({**PAYSTACK, **SMTP}) == []

    def test_development_never_refuses(self) -> None:
        assert Settings(app_env=AppEnv.development).production_problems() == []

    def test_each_missing_piece_is_named(self, production: Callable[..., list[str]]) -> None:
        problems = production({}, secret_key="dev-insecure-change-me", database_url=None)
        text = " | ".join(problems)
        for expected in ("SECRET_KEY", "DATABASE_URL", "MAIL_BACKEND", "no payment provider"):
            assert expected in text

    def test_half_configured_providers_are_refused(
        self, production: Callable[..., list[str]]
    ) -> None:
        problems = production(
            {"PAYSTACK_SECRET_KEY": "sk_live_x", "FLUTTERWAVE_PUBLIC_KEY": "p", **SMTP}
        )
        assert any("Paystack is half-configured" in p for p in problems)
        assert any("Flutterwave is half-configured" in p for p in problems)

    def test_a_short_flutterwave_hash_and_a_sandbox_url_are_refused(
        self, production: Callable[..., list[str]]
    ) -> None:
        flutterwave = {
            "FLUTTERWAVE_SECRET_KEY": "FLWSECK-x",
            "FLUTTERWAVE_PUBLIC_KEY": "FLWPUBK-x",
            "FLUTTERWAVE_SECRET_HASH": "short",
            "PAYSTACK_BASE_URL": "https://api.example.com/sandbox/paystack",
        }
        problems = production({**PAYSTACK, **SMTP, **flutterwave})
        assert any("FLUTTERWAVE_SECRET_HASH is shorter" in p for p in problems)
        assert any("PAYSTACK_BASE_URL points at the local payment sandbox" in p for p in problems)
