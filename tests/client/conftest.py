"""The client pages' tests start with an empty link-lookup limiter (it lives in process memory)."""
import pytest

from core.ratelimit import LINK_LOOKUPS


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LINK_LOOKUPS.reset()
    yield
    LINK_LOOKUPS.reset()
