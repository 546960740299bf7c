from core import passwords


def test_hashes_use_bcrypt_cost_twelve_or_more():
    h = passwords.hash_password("a long enough phrase")
    assert h.startswith("$2b$") and passwords.cost(h) >= 12
    assert passwords.verify("a long enough phrase", h)
    assert not passwords.verify("a long enough phrasE", h)


def test_short_passwords_are_refused_with_a_reason():
    assert any("12 characters" in p for p in passwords.problems("short"))


def test_an_80_byte_emoji_password_gets_a_message_not_a_crash():
    pw = "😀" * 20
    assert len(pw.encode()) == 80
    assert any("72 bytes" in p for p in passwords.problems(pw))
    assert passwords.verify(pw, passwords.hash_password("a long enough phrase")) is False


def test_a_password_equal_to_the_username_is_refused():
    assert passwords.problems("clara.okafor1", username="Clara.Okafor1")


def test_lone_surrogates_and_nul_do_not_crash():
    assert passwords.verify("\ud800" * 13, passwords.unusable_hash(12)) is False
    assert passwords.problems("abc\x00defghijklm")
