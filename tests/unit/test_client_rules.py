"""Client field validation against the hostile inputs of RELIABILITY.md."""
import pytest

from core import clients

GOOD = {"display_name": "Alex", "email": "alex@example.org", "timezone": "Europe/London", "clinician_id": 1}


def test_a_good_client_passes():
    clean, errors = clients.validate(GOOD)
    assert errors == {} and clean["email"] == "alex@example.org"


@pytest.mark.parametrize("field,value", [
    ("display_name", ""), ("display_name", "   "), ("display_name", "x" * 81), ("display_name", "Al\u202eex"),
    ("display_name", "A\u200bx"), ("display_name", "Al\x00ex"), ("display_name", "a" + "\u0301" * 50),
    ("email", "alex"), ("email", "alex@"), ("email", "alex@example"), ("email", "a b@example.org"),
    ("email", "alex@example.org\r\nBcc: everyone@example.org"), ("email", "<alex@example.org>"),
    ("email", "x" * 300 + "@example.org"),
    ("timezone", "../../etc/passwd"), ("timezone", "UTC+25"), ("timezone", ""), ("timezone", "Mars/Olympus"),
    ("timezone", "/etc/localtime"), ("status", "deleted"), ("clinician_id", "abc"), ("clinician_id", None),
])
def test_each_hostile_value_gets_a_message_on_its_own_field(field, value):
    clean, errors = clients.validate({**GOOD, field: value})
    assert list(errors) == [field]
    assert errors[field].endswith(".") and "Traceback" not in errors[field]


def test_markup_in_a_name_is_kept_as_text():
    clean, errors = clients.validate({**GOOD, "display_name": "<script>alert(1)</script>"})
    assert errors == {} and clean["display_name"] == "<script>alert(1)</script>"
