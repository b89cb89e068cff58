"""Identity and contact checks (merchants/validators.py).

Each side where python-stdnum is too strict or too loose for real codes is pinned here
with stdnum's own answer beside ours, so a change in either shows up.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc

from merchants.validators import (
    normalize_mainland_mobile,
    validate_adult,
    validate_resident_id,
    validate_uscc,
)

pytestmark = pytest.mark.django_db

TENCENT_SHENZHEN = "9144030071526726XG"
ALIBABA_CHINA = "91330100799655058B"

GB11714_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    remainder = (
        11 - sum(GB11714_ALPHABET.index(c) * w for c, w in zip(body, GB11714_WEIGHTS, strict=True)) % 11
    )
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def make_uscc(first8: str, org_body: str) -> str:
    """An 18-character code with a right org-code check and a right final (mod 31) check."""
    code17 = first8 + org_body + org_code_check(org_body)
    return code17 + uscc.calc_check_digit(code17)


def make_ric(prefix: str, birth: str, sequence: str = "123") -> str:
    """A resident ID number with the right ISO 7064 mod 11-2 check character."""
    body = prefix + birth + sequence
    return body + ric.calc_check_digit(body + "0")


def raised(func, value, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        func(value, **kwargs)
    return excinfo.value


# --- Unified social credit code -------------------------------------------------------


@pytest.mark.parametrize("code", [TENCENT_SHENZHEN, ALIBABA_CHINA])
def test_real_uscc_is_accepted_as_is(code):
    # given a code printed on a real business licence
    # when / then
    assert validate_uscc(code) == code


def test_helpers_rebuild_the_real_codes():
    # given the real codes' first 8 characters and organisation code bodies
    # when they are rebuilt with the GB 11714 and mod 31 rules used below
    # then the helpers agree with the registry, so codes built with them are realistic
    assert make_uscc("91440300", "71526726") == TENCENT_SHENZHEN
    assert make_uscc("91330100", "79965505") == ALIBABA_CHINA


@pytest.mark.parametrize(
    "typed",
    ["9144030071526726xg", " 9144 0300 7152 6726 XG ", "91440300-71526726-XG", "914403007152\t6726Xg"],
)
def test_uscc_is_normalised_from_lowercase_spaces_and_hyphens(typed):
    # given the Tencent code typed loosely
    # when
    result = validate_uscc(typed)
    # then
    assert result == TENCENT_SHENZHEN


@pytest.mark.parametrize("code", [TENCENT_SHENZHEN[:17], TENCENT_SHENZHEN + "1", ""])
def test_uscc_of_wrong_length_is_refused(code):
    # given a code that is not 18 characters long
    # when
    error = raised(validate_uscc, code)
    # then
    assert error.code == "uscc_length"
    assert error.params == {"count": len(code)}


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_uscc_with_a_letter_never_used_is_refused_as_format(letter):
    # given the Tencent code with one organisation-code character replaced by a banned letter
    code = TENCENT_SHENZHEN[:10] + letter + TENCENT_SHENZHEN[11:]
    # when
    error = raised(validate_uscc, code)
    # then
    assert error.code == "uscc_format"


@pytest.mark.parametrize("code", ["B144030071526726XG", "91ABCDEF71526726XG"])
def test_uscc_with_unknown_authority_or_letters_in_division_is_refused_as_format(code):
    # given an authority character outside 1-9/A/N/Y, or letters where the division digits go
    # when
    error = raised(validate_uscc, code)
    # then
    assert error.code == "uscc_format"


def test_uscc_with_wrong_final_check_character_is_refused():
    # given the Tencent code with its last character changed
    code = TENCENT_SHENZHEN[:17] + "A"
    assert not uscc.is_valid(code)
    # when
    error = raised(validate_uscc, code)
    # then
    assert error.code == "uscc_checksum"


def test_uscc_with_wrong_embedded_org_code_check_is_refused_though_stdnum_accepts_it():
    # given the Tencent code with its organisation-code check (char 17) changed from X to 0,
    # and the final mod 31 character recomputed so that only the GB 11714 check is wrong
    code17 = TENCENT_SHENZHEN[:16] + "0"
    code = code17 + uscc.calc_check_digit(code17)
    assert code != TENCENT_SHENZHEN
    # then stdnum is too loose: it only checks the final character
    assert uscc.is_valid(code) is True
    # when ours checks it
    error = raised(validate_uscc, code)
    # then
    assert error.code == "uscc_checksum"


def test_village_collective_uscc_is_accepted_though_stdnum_refuses_it():
    # given a code registered by an agricultural authority (N2, village collective economic
    # organisation, 浙江 杭州 西湖区) with a valid organisation code and final check character
    code = make_uscc("N2330106", "MA2B3C4D")
    assert code.startswith("N2330106MA2B3C4D")
    # then stdnum is too strict: it wants 8 leading digits
    assert uscc.is_valid(code) is False
    # when
    result = validate_uscc(code)
    # then
    assert result == code


def test_village_collective_uscc_with_wrong_final_check_is_still_refused():
    # given the same village code with its last character changed
    code = make_uscc("N2330106", "MA2B3C4D")
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    # when
    error = raised(validate_uscc, wrong)
    # then
    assert error.code == "uscc_checksum"


# --- Resident ID number ---------------------------------------------------------------


def test_valid_resident_id_is_accepted():
    # given a Beijing Chaoyang (110105) number born 1990-03-07
    number = make_ric("110105", "19900307")
    assert ric.is_valid(number) is True
    # when
    result = validate_resident_id(number)
    # then
    assert result == number


def test_resident_id_with_check_x_is_normalised_to_uppercase():
    # given a valid number whose check character is X, typed in lowercase with spaces
    sequence = next(f"{n:03d}" for n in range(1000) if make_ric("110105", "19900307", f"{n:03d}")[-1] == "X")
    number = make_ric("110105", "19900307", sequence)
    typed = f"{number[:6]} {number[6:14]} {number[14:].lower()}"
    # when
    result = validate_resident_id(typed)
    # then
    assert result == number


def test_resident_id_with_wrong_check_character_is_refused():
    # given a valid number with its last character changed
    number = make_ric("110105", "19900307")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    # when
    error = raised(validate_resident_id, wrong)
    # then
    assert error.code == "ric_checksum"


@pytest.mark.parametrize("number", ["11010519900307123Y", "1101051990030712X3", "1101051990030712", "abc"])
def test_resident_id_of_wrong_layout_is_refused_as_format(number):
    # given 17 digits and a Y, an X in the middle, too few characters, or letters
    # when
    error = raised(validate_resident_id, number)
    # then
    assert error.code == "ric_format"


def test_resident_id_with_impossible_birth_date_is_refused():
    # given a number born 1990-02-30 with a correct check character
    number = make_ric("110105", "19900230")
    # when
    error = raised(validate_resident_id, number)
    # then
    assert error.code == "ric_birth_date"


def test_resident_id_born_before_1900_is_refused():
    # given a number born 1899-12-31 with a correct check character
    number = make_ric("110105", "18991231")
    # when
    error = raised(validate_resident_id, number)
    # then
    assert error.code == "ric_birth_date"


def test_resident_id_not_starting_with_a_province_is_refused():
    # given a number starting with 99, which is no province
    number = make_ric("990101", "19900307")
    # when
    error = raised(validate_resident_id, number)
    # then
    assert error.code == "ric_region"


def test_resident_id_with_unknown_county_in_a_real_province_is_accepted_though_stdnum_refuses_it():
    # given a Beijing number (province 11) whose county code 110199 is in no table
    number = make_ric("110199", "19900307")
    # then stdnum refuses it; python-stdnum 2.2 even raises KeyError('county') from is_valid
    # instead of returning False, so both answers count as a refusal
    try:
        stdnum_accepts = ric.is_valid(number)
    except KeyError:
        stdnum_accepts = False
    assert stdnum_accepts is False
    # when
    result = validate_resident_id(number)
    # then
    assert result == number


def test_resident_id_with_county_code_newer_than_stdnum_table_allows_is_accepted():
    # given a 福安市 (350981) number born 1990; stdnum's table dates that code from 1999, but
    # a number keeps the county code it was issued with, so such numbers are real
    number = make_ric("350981", "19900307")
    # then stdnum is too strict
    assert ric.is_valid(number) is False
    # when
    result = validate_resident_id(number)
    # then
    assert result == number


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_residence_permit_number_is_accepted(prefix):
    # given a Hong Kong, Macao or Taiwan residents' residence permit number
    number = make_ric(prefix, "19850611")
    # when
    result = validate_resident_id(number)
    # then
    assert result == number


# --- Age ------------------------------------------------------------------------------


def test_holder_who_turns_18_today_is_an_adult():
    # given a number born 2000-03-07
    number = make_ric("110105", "20000307")
    # when / then: no error on the 18th birthday
    assert validate_adult(number, today=datetime.date(2018, 3, 7)) is None


def test_holder_one_day_short_of_18_is_refused():
    # given a number born 2000-03-07
    number = make_ric("110105", "20000307")
    # when
    error = raised(validate_adult, number, today=datetime.date(2018, 3, 6))
    # then
    assert error.code == "ric_minor"
    assert error.params == {"age": 18}


def test_holder_born_in_the_future_is_refused():
    # given a number with a birth date after today (stdnum does not mind)
    number = make_ric("110105", "20300101")
    assert validate_resident_id(number) == number
    # when
    error = raised(validate_adult, number, today=datetime.date(2025, 6, 1))
    # then
    assert error.code == "ric_minor"


# --- Mobile number --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["138 1234 5678", "+86 138-1234-5678", "8613812345678", "13812345678"])
def test_mainland_mobile_is_normalised_to_e164(typed):
    # given a mainland mobile number typed in a common way
    # when
    result = normalize_mainland_mobile(typed)
    # then
    assert result == "+8613812345678"


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "010 6552 9988",  # a Beijing landline
        "+1 650 253 0000",  # a United States number
        "abc",
        "1381234567",  # 10 digits
        "",
    ],
)
def test_what_is_not_a_mainland_mobile_is_refused(typed):
    # given something that is not a mainland mobile number
    # when
    error = raised(normalize_mainland_mobile, typed)
    # then
    assert error.code == "mobile_format"
