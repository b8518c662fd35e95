"""The password policy: length, the 10,000 most common passwords, repeated patterns; each
refusal says why, and the passwords used across the tests and the demo are allowed."""

from __future__ import annotations

import pytest
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from services.core.accounts.identity import WeakPassword, check_password
from services.core.demo_seed import LOGINS
from services.core.passwords import COMMON_COUNT, common_passwords, password_refusal

pytestmark = pytest.mark.unit

RANKED = FREQUENCY_LISTS["passwords"]
LESS_COMMON = next(word for word in RANKED[COMMON_COUNT:] if password_refusal(word) is None)
"""The most common password past the first 10,000 that the policy allows otherwise."""


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "a brand new passphrase",
        *(login.password for login in LOGINS),
        "x" * 11 + "y",  # 12 characters, not a pattern
        "abcdeabcdeabcde",  # a pattern of 5 repeated is long enough
        "é" * 5 + "ünïcødé passe",
        "p" * 255 + "q",  # 256 characters
        LESS_COMMON,
    ],
)
def test_allowed(password: str) -> None:
    assert password_refusal(password) is None
    assert check_password(password) == password


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "12 to 256 characters"),
        ("eleven char", "12 to 256 characters"),
        ("q" * 256 + "r", "12 to 256 characters"),
        ("aaaaaaaaaaaa", "repeats one character or a short pattern"),
        ("            ", "repeats one character or a short pattern"),
        ("abababababab", "repeats one character or a short pattern"),
        ("abcabcabcabca", "repeats one character or a short pattern"),
        ("1234123412341", "repeats one character or a short pattern"),
        ("1qaz2wsx3edc", "10,000 most common passwords"),
        ("1QAZ2WSX3EDC", "10,000 most common passwords"),
        ("qazwsxedcrfv", "10,000 most common passwords"),
    ],
)
def test_refused_with_the_reason(password: str, reason: str) -> None:
    refusal = password_refusal(password)
    assert refusal is not None
    assert reason in refusal
    with pytest.raises(WeakPassword, match=reason):
        check_password(password)


def test_every_one_of_the_10000_most_common_long_enough_passwords_is_refused() -> None:
    common = [word for word in RANKED[:COMMON_COUNT] if 12 <= len(word) <= 256]
    assert len(common_passwords()) == len({word.casefold() for word in RANKED[:COMMON_COUNT]})
    assert common, "the list has passwords of 12+ characters to refuse"
    assert all(password_refusal(word) is not None for word in common)
    assert all(password_refusal(word.upper()) is not None for word in common)
