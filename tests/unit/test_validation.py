"""Contact form rules: names, emails, titles and mobiles, checked without a database."""

from __future__ import annotations

import pytest

from notify.errors import InvalidEmail, InvalidMobile, InvalidName, InvalidTitle
from notify.validation import TITLES, clean_email, clean_mobile, clean_name, clean_title


@pytest.mark.parametrize(("raw", "clean"), [
    ("Li Na", "Li Na"),
    ("张伟", "张伟"),
    ("欧阳 Xiaoming", "欧阳 Xiaoming"),
    ("  Wang  Fang ", "Wang Fang"),
    ("Ab", "Ab"),
    ("Abcdefghijkl", "Abcdefghijkl"),
    ("José Li", "José Li"),
])
def test_names_of_letters_and_chinese_characters_are_accepted(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize("raw", [
    "A", "张", "", "   ", "Abcdefghijklm", "张伟张伟张伟张伟张伟张伟张",
    "Li3", "Li_Na", "Li-Na", "O'Brien", "Li.Na", "<script>",
])
def test_names_outside_the_rule_are_refused(raw):
    with pytest.raises(InvalidName) as exc:
        clean_name(raw)
    assert exc.value.code == "invalid_name"
    assert exc.value.field == "name"


@pytest.mark.parametrize("raw", ["Li\r\nBcc: x@evil.example", "Li\nNa", "Li\rNa", "Li\tNa",
                                 "Li\x00Na"])
def test_a_name_with_line_breaks_or_control_characters_is_refused(raw):
    with pytest.raises(InvalidName, match="line breaks"):
        clean_name(raw)


@pytest.mark.parametrize(("raw", "address"), [
    ("li.na@acme.example", "li.na@acme.example"),
    ("Li.Na@ACME.Example", "Li.Na@acme.example"),
    ("ops@acme.test", "ops@acme.test"),
    ("  ops@acme.cn ", "ops@acme.cn"),
    ("wang+icp@mail.acme.com.cn", "wang+icp@mail.acme.com.cn"),
    ("a@中文.com", "a@xn--fiq228c.com"),
])
def test_valid_addresses_are_accepted_without_dns(raw, address):
    email = clean_email(raw)
    assert email.address == address
    assert email.key == address.lower()


@pytest.mark.parametrize("raw", [
    "", "li.na", "li.na@", "@acme.example", "li na@acme.example", "li.na@localhost",
    "li@@acme.example", "Li Na <li.na@acme.example>", "a@acme.example, b@acme.example",
    "a@acme.example;b@acme.example", "用户@acme.example",
])
def test_malformed_addresses_are_refused(raw):
    with pytest.raises(InvalidEmail) as exc:
        clean_email(raw)
    assert exc.value.code == "invalid_email"
    assert exc.value.field == "email"


@pytest.mark.parametrize("raw", [
    "li.na@acme.example\r\nBcc: victim@evil.example",
    "li.na@acme.example\nSubject: hi",
    "li.na@acme.example\r",
    "li.na@acme.example%0d%0aBcc:x@evil.example",
])
def test_addresses_that_could_inject_headers_are_refused(raw):
    with pytest.raises(InvalidEmail):
        clean_email(raw)


@pytest.mark.parametrize("title", TITLES)
def test_each_console_title_is_accepted(title):
    assert clean_title(title) == title


def test_a_title_in_another_letter_case_is_stored_in_its_canonical_spelling():
    assert clean_title(" technical director ") == "Technical Director"


@pytest.mark.parametrize("raw", ["", "CTO", "Director", "Other\r\nX"])
def test_other_titles_are_refused(raw):
    with pytest.raises(InvalidTitle) as exc:
        clean_title(raw)
    assert exc.value.field == "title"


@pytest.mark.parametrize(("raw", "clean"), [
    (None, None),
    ("", None),
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 13800138000", "13800138000"),
])
def test_a_mainland_mobile_is_optional_and_accepted(raw, clean):
    assert clean_mobile(raw) == clean


@pytest.mark.parametrize("raw", ["1380013800", "138001380000", "23800138000", "1380013800a",
                                 "+1 4155550100", "13800138000\n"])
def test_other_mobile_numbers_are_refused(raw):
    with pytest.raises(InvalidMobile) as exc:
        clean_mobile(raw)
    assert exc.value.code == "invalid_mobile"
    assert exc.value.field == "mobile"
