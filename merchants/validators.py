"""Identity and contact checks a registry would make.

python-stdnum does the arithmetic; where it is too strict or too loose for real
codes we say so here, and tests/merchants/test_validators.py covers both sides.

Unified Social Credit Code (GB 32100-2015), 18 characters:
  1: registering authority (1-9, A, N, Y), 2: organisation type, 3-8: the
  administrative division, 9-17: the organisation code (GB 11714, with its own check
  character), 18: the check character (mod 31).
- stdnum.cn.uscc is too strict: it demands 8 leading digits, so it refuses every
  code registered by an agricultural authority, such as village collective economic
  organisations (村集体经济组织), whose codes start with "N" (e.g. N2…). Villages
  are among this portal's sellers, so we check the layout ourselves.
- stdnum.cn.uscc is too loose: it does not check the embedded GB 11714 organisation
  code's check character, nor the authority character. We check both.

Resident ID number (GB 11643-1999), 18 characters: 6 digits of the county at issue,
the birth date, a 3-digit sequence, and a check character (ISO 7064 mod 11-2).
- stdnum.cn.ric is too strict: it requires the first 6 digits to be a county that
  existed in its own table in the year of birth. A number keeps its county code for
  life, even after the county is merged or renamed, and stdnum's table has gaps, so
  real people would be refused. We use its checksum and birth-date checks and ask
  only that the first 2 digits are a province (or 81/82/83 for residence permits).
- stdnum.cn.ric is too loose about birth dates in the future; the age check (18+)
  refuses those.
"""

import datetime
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from .models import Region

USCC_AUTHORITIES = frozenset("123456789ANY")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
RESIDENCE_PERMIT_PROVINCES = frozenset({"81", "82", "83"})
ADULT_AGE = 18


def normalize_code(value: str) -> str:
    """Fold full-width characters (１２３, Ｘ) to ASCII, drop spaces and hyphens, upper-case.

    Without the fold, "１１０１…" and "1101…" would be two different strings to the
    uniqueness constraints while being the same number.
    """
    folded = unicodedata.normalize("NFKC", str(value))
    return "".join(folded.split()).replace("-", "").upper()


def _organisation_code_is_valid(code: str) -> bool:
    body, check = code[:8], code[8]
    if any(c not in ORG_CODE_ALPHABET for c in body):
        return False
    remainder = (
        11 - sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, GB11714_WEIGHTS, strict=True)) % 11
    )
    expected = {10: "X", 11: "0"}.get(remainder, str(remainder))
    return check == expected


def _uscc_layout_error() -> ValidationError:
    return ValidationError(
        _(
            "This is not the layout of a unified social credit code "
            "(letters I, O, S, V and Z are never used)."
        ),
        code="uscc_format",
    )


def validate_uscc(value: str) -> str:
    """Return the normalised code, or raise a ValidationError saying what is wrong."""
    code = normalize_code(value)
    if not code.isascii():
        raise _uscc_layout_error()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="uscc_length",
            params={"count": len(code)},
        )
    if (
        code[0] not in USCC_AUTHORITIES
        or any(c not in USCC_ALPHABET for c in code[1:])
        or not code[2:8].isdigit()
    ):
        raise _uscc_layout_error()
    if code[-1] != uscc.calc_check_digit(code[:17]) or not _organisation_code_is_valid(code[8:17]):
        raise ValidationError(
            _("The check character does not match: please compare the code with the business licence."),
            code="uscc_checksum",
        )
    return code


def resident_id_birth_date(value: str) -> datetime.date:
    return ric.get_birth_date(normalize_code(value))


def validate_resident_id(value: str) -> str:
    """Return the normalised ID number, or raise a ValidationError."""
    number = normalize_code(value)
    if (
        len(number) != 18
        or not number.isascii()
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or X."), code="ric_format"
        )
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(
            _("The last character of the ID number does not match: please check for a typo."),
            code="ric_checksum",
        )
    try:
        birth_date = ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(
            _("The birth date inside the ID number is not a real date."), code="ric_birth_date"
        ) from None

    province = number[:2]
    if (
        province not in RESIDENCE_PERMIT_PROVINCES
        and not Region.objects.filter(code=province + "0000").exists()
    ):
        raise ValidationError(_("The ID number does not start with a province code."), code="ric_region")
    if birth_date.year < 1900:
        raise ValidationError(
            _("The birth date inside the ID number is not a real date."), code="ric_birth_date"
        )
    return number


def validate_adult(number: str, *, today: datetime.date | None = None) -> None:
    """Refuse an ID whose holder is under 18 today (Beijing time)."""
    today = today or timezone.localdate()
    birth = resident_id_birth_date(number)
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if age < ADULT_AGE:
        raise ValidationError(
            _("The ID holder must be at least %(age)d years old."),
            code="ric_minor",
            params={"age": ADULT_AGE},
        )


def normalize_mainland_mobile(value: str) -> str:
    """Return a mainland China mobile number in E.164 (+8613812345678), or raise."""
    try:
        parsed = phonenumbers.parse(str(value).strip(), "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("Enter a mainland China mobile number, e.g. 138 1234 5678."), code="mobile_format"
        ) from None
    number_type = phonenumbers.number_type(parsed)
    if (
        parsed.country_code != 86
        or not phonenumbers.is_valid_number(parsed)
        or number_type
        not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    ):
        raise ValidationError(
            _("Enter a mainland China mobile number, e.g. 138 1234 5678."), code="mobile_format"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
