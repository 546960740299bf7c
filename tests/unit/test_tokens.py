"""Token properties: entropy, shape, hashing."""
import hashlib

from core import tokens


def test_tokens_carry_256_random_bits_and_are_all_different():
    seen = {tokens.new_token() for _ in range(2000)}
    assert len(seen) == 2000
    assert all(len(t) == 43 and tokens.well_formed(t) for t in seen)
    alphabet = set("".join(seen))
    assert len(alphabet) == 64  # URL-safe base64: 6 bits per character, 43 characters >= 256 bits


def test_only_a_sha256_digest_is_kept():
    raw = tokens.new_token()
    assert tokens.digest(raw) == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in tokens.digest(raw)


def test_hostile_shapes_are_refused_before_any_lookup():
    good = tokens.new_token()
    for bad in ["", None, "a", "x" * 10_000, good + " ", " " + good, good + "\x00", good + "%00", good[:-1],
                good.replace(good[0], "%25", 1), "' OR 1=1 --" + "a" * 32, "а" * 43,  # Cyrillic a
                good + good, 12345]:
        assert not tokens.well_formed(bad), repr(bad)[:60]
