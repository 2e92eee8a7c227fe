"""Test data generated here: checksummed numbers are computed, never copied."""

from __future__ import annotations

import random


def luhn_check_digit(body: str) -> str:
    """Reference Luhn: the digit that makes ``body + digit`` pass."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card(prefix: str = "4", length: int = 16, seed: int = 0) -> str:
    rng = random.Random(seed)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)


def bad_card(prefix: str = "4", length: int = 16, seed: int = 0) -> str:
    good = card(prefix, length, seed)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def grouped(digits: str, sep: str = " ", size: int = 4) -> str:
    return sep.join(digits[i : i + size] for i in range(0, len(digits), size))


def iban(country: str, bban: str) -> str:
    """Compute the ISO 7064 check digits for ``country`` + ``bban``."""
    moved = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in moved))
    return f"{country}{98 - number % 97:02d}{bban}"


def spaced(value: str) -> str:
    return grouped(value, " ", 4)
