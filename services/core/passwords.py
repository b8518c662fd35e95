"""The password policy: one check for every place a password is chosen.

A password is refused when it is shorter than ``MIN_LENGTH`` or longer than ``MAX_LENGTH``
characters, when it is one of the ``COMMON_COUNT`` most common passwords (the ranked list the
``zxcvbn`` package ships, compared without regard to case), or when it is one short pattern
of at most ``MAX_REPEATED_PATTERN`` characters repeated ("aaaaaaaaaaaa", "abcabcabcabca").
"""

from __future__ import annotations

import functools

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_COUNT = 10_000
MAX_REPEATED_PATTERN = 4


@functools.cache
def common_passwords() -> frozenset[str]:
    """The ``COMMON_COUNT`` most common passwords, lower case (loaded once, on first use)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def _repeats_short_pattern(password: str) -> bool:
    """Whether ``password`` is its first few characters over and over (the last copy may be
    cut short)."""
    return any(
        password == (password[:size] * (len(password) // size + 1))[: len(password)]
        for size in range(1, MAX_REPEATED_PATTERN + 1)
    )


def password_refusal(password: str) -> str | None:
    """Why ``password`` may not be used, as a sentence to show its owner; None when it may."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return f"the password must be {MIN_LENGTH} to {MAX_LENGTH} characters long"
    if _repeats_short_pattern(password):
        return (
            "the password repeats one character or a short pattern; choose a few unrelated"
            " words instead"
        )
    if password.casefold() in common_passwords():
        return (
            "the password is one of the 10,000 most common passwords; choose a few unrelated"
            " words instead"
        )
    return None
