from tests.fixtures.auth import isolated_app as app  # noqa: F401 - rate-limit counters of its own
