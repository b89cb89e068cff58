"""Build syntactically valid Chinese identity numbers for tests (never real people's)."""

import itertools

from stdnum.cn import ric, uscc

ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_sequence = itertools.count(100)


def org_code(body: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    remainder = 11 - sum(ORG_ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(remainder, str(remainder))


def make_uscc(*, prefix: str = "92", region: str = "440300", body: str | None = None) -> str:
    """Return a USCC with valid organisation-code and final check characters."""
    body = body or f"MA{next(_sequence):06d}"
    first17 = prefix + region + org_code(body)
    return first17 + uscc.calc_check_digit(first17)


def make_resident_id(*, region: str = "110105", birth: str = "19900307", sequence: str | None = None) -> str:
    """Return an 18-character resident ID number with a valid check character."""
    sequence = sequence or f"{next(_sequence) % 1000:03d}"
    first17 = region + birth + sequence
    return first17 + ric.calc_check_digit(first17 + "0")
