"""The link-lookup rule and the names its sources are stored under (the counting is db.ratelimit's)."""
from datetime import datetime, timedelta, timezone

from core.ratelimit import LINK_LOOKUPS, Rule, key

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_the_rate_limit_for_link_lookups_is_20_in_any_ten_minutes():
    assert (LINK_LOOKUPS.limit, LINK_LOOKUPS.window) == (20, timedelta(minutes=10))
    assert LINK_LOOKUPS.allows(19) and not LINK_LOOKUPS.allows(20)
    assert LINK_LOOKUPS.cutoff(T0) == T0 - timedelta(minutes=10)


def test_a_rate_limit_source_is_stored_as_a_keyed_hash_never_the_address():
    k = key(LINK_LOOKUPS, "ip:203.0.113.9", "secret-one")
    assert k.kind == "ip" and len(k.digest) == 64 and "203.0.113.9" not in k.digest
    assert k == key(LINK_LOOKUPS, "ip:203.0.113.9", "secret-one")  # every replica with the key agrees
    assert k.digest != key(LINK_LOOKUPS, "ip:203.0.113.9", "secret-two").digest  # without it, no dictionary
    assert k.digest != key(LINK_LOOKUPS, "ip:203.0.113.10", "secret-one").digest
    assert k.digest != key(LINK_LOOKUPS, "session:203.0.113.9", "secret-one").digest
    assert k.digest != key(Rule("another", 5, timedelta(minutes=1)), "ip:203.0.113.9", "secret-one").digest
