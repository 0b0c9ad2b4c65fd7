"""GSTIN validation: 15 characters — state code, the holder's PAN, entity number, 'Z', check digit.

The check digit is the GSTN's mod-36 (Luhn-style) sum over the first 14 characters.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from tax.states import STATE_CODES

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z][0-9A-Z][0-9A-Z]$")


def check_digit(first14: str) -> str:
    """The 15th character for these 14: factors 1, 2, 1, 2…; each product adds quotient + remainder
    by 36; the digit makes the total a multiple of 36."""
    total = 0
    for position, char in enumerate(first14):
        product = ALPHABET.index(char) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return ALPHABET[(36 - total % 36) % 36]


def normalise(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def gstin_problem(value: str) -> str | None:
    """Why ``value`` is not a GSTIN (a sentence), or None when it is one."""
    gstin = normalise(value)
    if len(gstin) != 15:
        return f"A GSTIN has 15 characters; {gstin or 'this'} has {len(gstin)}."
    if gstin[:2] not in STATE_CODES:
        return f"{gstin[:2]} is not a GST state code (01–38, 97)."
    if not _SHAPE.match(gstin):
        return (
            "A GSTIN is the state code, a PAN (5 letters, 4 digits, 1 letter), the entity number, "
            "a letter or digit and the check digit."
        )
    expected = check_digit(gstin[:14])
    if gstin[14] != expected:
        return f"The check digit of {gstin} is wrong (expected {expected}): the number is mistyped."
    return None


def validate_gstin(value: str) -> None:
    """Django validator: raise ValidationError with the reason."""
    problem = gstin_problem(value)
    if problem:
        raise ValidationError(problem, code="gstin")


def pan_of(gstin: str) -> str:
    return normalise(gstin)[2:12]


def state_of(gstin: str) -> str:
    return normalise(gstin)[:2]


def make_gstin(state_code: str, pan: str, entity: str = "1") -> str:
    """A well-formed GSTIN for this state and PAN (demo data and tests)."""
    first14 = f"{state_code}{pan}{entity}Z"
    return first14 + check_digit(first14)
