"""Two-factor rules with a fixed clock: authenticator (TOTP) codes at the window edges, what a typed
entry is, recovery codes, and the secret's encryption."""
from datetime import datetime, timedelta, timezone

import pytest

from core import two_factor as tf

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T0 = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc)  # exactly on a 30-second boundary


def test_totp_code_of_this_step_and_one_step_either_side_is_accepted_with_its_step():
    step = tf.step_at(T0)
    for offset in (-1, 0, 1):
        code = tf.code_at(SECRET, T0 + timedelta(seconds=30 * offset))
        assert tf.match_step(SECRET, code, T0) == step + offset


def test_totp_code_two_steps_away_is_refused_at_both_window_edges():
    assert tf.match_step(SECRET, tf.code_at(SECRET, T0 - timedelta(seconds=60)), T0) is None
    assert tf.match_step(SECRET, tf.code_at(SECRET, T0 + timedelta(seconds=60)), T0) is None
    # the last second of the step and the first of the next: the window moves with the step
    last = T0 + timedelta(seconds=29)
    assert tf.match_step(SECRET, tf.code_at(SECRET, T0 - timedelta(seconds=30)), last) == tf.step_at(T0) - 1
    assert tf.match_step(SECRET, tf.code_at(SECRET, T0 - timedelta(seconds=30)), last + timedelta(seconds=1)) is None


def test_totp_code_matches_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) -> the 6-digit code is its last six.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert tf.code_at(secret, datetime(1970, 1, 1, 0, 0, 59, tzinfo=timezone.utc)) == "287082"


@pytest.mark.parametrize("typed, kind", [
    ("123456", "totp"), (" 123 456 ", "totp"), ("123-456", "totp"), ("１２３４５６", "totp"),  # full-width digits
    ("١٢٣٤٥٦", "totp"),  # Arabic-Indic digits
    ("12345", "malformed"), ("1234567", "malformed"), ("12a456", "malformed"), ("abcdef", "malformed"),
    ("", "empty"), ("   ", "empty"), (None, "empty"), ("9" * 10_000, "malformed"), ("<script>1</script>", "malformed"),
    ("abcde-fghjk", "recovery"), ("ABCDE FGHJK", "recovery"), ("abcde-fghji", "malformed"),  # i is not in the alphabet
])
def test_two_factor_entry_is_read_calmly_whatever_is_typed(typed, kind):
    assert tf.read_entry(typed).kind == kind


def test_two_factor_unicode_digits_become_the_ascii_code():
    assert tf.read_entry("١٢٣٤٥٦").value == "123456"


def test_recovery_codes_are_ten_distinct_readable_codes_and_hash_the_same_however_typed():
    codes = tf.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    for c in codes:
        assert len(c) == 11 and c[5] == "-" and tf.read_entry(c).kind == "recovery"
    c = codes[0]
    assert tf.recovery_hash(c) == tf.recovery_hash(c.upper().replace("-", " ")) != tf.recovery_hash(codes[1])


def test_two_factor_secret_encryption_round_trip_and_refusal_with_a_wrong_key():
    key, other = tf.new_key(), tf.new_key()
    stored = tf.encrypt(SECRET, key)
    assert SECRET not in stored
    assert tf.decrypt(stored, key) == SECRET
    with pytest.raises(tf.SecretKeyError):
        tf.decrypt(stored, other)
    # rotation: a new key first still reads what the old one wrote, and new writes use the new one
    assert tf.decrypt(stored, f"{other},{key}") == SECRET
    with pytest.raises(tf.SecretKeyError):
        tf.decrypt(tf.encrypt(SECRET, f"{other},{key}"), key)
    with pytest.raises(tf.SecretKeyError):
        tf.cipher("")
    with pytest.raises(tf.SecretKeyError):
        tf.cipher("not-a-key")


def test_two_factor_keys_setting_refuses_what_is_not_a_fernet_key():
    from core import settings
    with pytest.raises(settings.SettingsError):
        settings.load({"TWO_FACTOR_KEYS": "short"})
    ok = settings.load({"TWO_FACTOR_KEYS": f"{tf.new_key()}, {tf.new_key()}"})
    assert ok["TWO_FACTOR_KEYS"].count(",") == 1


def test_two_factor_key_is_generated_once_beside_the_data_and_kept(tmp_path):
    from core import settings
    cfg = settings.load({"DATA_DIR": str(tmp_path)})
    key = settings.two_factor_keys(cfg)
    assert settings.two_factor_keys(cfg) == key
    assert (tmp_path / "two-factor-key").stat().st_mode & 0o777 == 0o600
    assert tf.decrypt(tf.encrypt(SECRET, key), key) == SECRET
