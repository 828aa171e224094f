"""The app under test gets rate-limit counters of its own (see tests.fixtures.auth)."""

from tests.fixtures.auth import isolated_app as app  # noqa: F401 - a fixture, used by name
from tests.fixtures.auth import isolated_committed_app as committed_app  # noqa: F401
