"""Secret-looking keys are redacted in log lines; counts under such keys stay readable."""

from __future__ import annotations

from authorhub.observability import _redact_secrets


def test_secret_values_are_redacted_and_counts_are_kept() -> None:
    line = _redact_secrets(
        None,
        "info",
        {
            "event": "auth_purged",
            "refresh_tokens": 12,
            "email_tokens": 0,
            "access_token": "eyJhbGciOi.secret",
            "Authorization": "Bearer abc",
            "webhook_signature": b"deadbeef",
            "password": None,
            "reference": "AH-123",
        },
    )
    assert line["refresh_tokens"] == 12
    assert line["email_tokens"] == 0
    assert line["access_token"] == "[redacted]"
    assert line["Authorization"] == "[redacted]"
    assert line["webhook_signature"] == "[redacted]"
    assert line["password"] is None
    assert line["reference"] == "AH-123"
