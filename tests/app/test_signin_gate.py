"""The sign-in gate (components/signin.py) in AppTest: what a typed username meets, whoever it names."""
from core import passwords
from tests.app.helpers import errors, fresh_app
from tests.app.test_pages import sign_in


def test_regression_an_unknown_username_meets_the_bcrypt_check_at_the_configured_cost(sqlite_db, people, monkeypatch):
    """No timing here: an unknown name is checked against the stand-in hash made for the configured
    BCRYPT_ROUNDS (a cost-12 stand-in beside cost-13 accounts would answer faster), with the same answer."""
    monkeypatch.setenv("BCRYPT_ROUNDS", "13")
    passwords.unusable_hash.cache_clear()
    at = sign_in(fresh_app().run(), "nobody-by-this-name", "correct horse battery")
    assert not at.exception
    used = passwords.unusable_hash.cache_info()
    assert used.currsize == 1  # the gate asked for one stand-in while checking the unknown name ...
    assert passwords.cost(passwords.unusable_hash(13)) == 13
    assert passwords.unusable_hash.cache_info().hits == used.hits + 1  # ... and it was the cost-13 one
    unknown = errors(at)
    wrong = errors(sign_in(fresh_app().run(), "clara", "not the right passphrase"))
    assert unknown == wrong and len(unknown) == 1
