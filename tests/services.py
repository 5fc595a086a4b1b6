"""Skip, or fail in CI, when a system program a test needs is missing.

Tests that drive Chromium or start a PostgreSQL server call `missing(reason)` when the
program is not found: elsewhere the test skips with that reason, shown in pytest's summary;
where `NEURONA_REQUIRE_SERVICES=1` (`.ci/run` sets it) the test fails with it.
"""

import os

import pytest


def required():
    return os.environ.get("NEURONA_REQUIRE_SERVICES") == "1"


def missing(reason):
    if required():
        pytest.fail(f"{reason} (required: NEURONA_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)
