import pytest
from django.core.exceptions import ValidationError

from tax.gstin import check_digit, gstin_problem, make_gstin, pan_of, validate_gstin


@pytest.mark.parametrize("gstin", ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "27aapfu0939f1zv "])
def test_a_real_gstin_is_accepted(gstin):
    assert gstin_problem(gstin) is None
    validate_gstin(gstin)


def test_a_wrong_check_digit_is_refused_with_the_digit_expected():
    problem = gstin_problem("27AAPFU0939F1ZW")
    assert "check digit" in problem and "expected V" in problem
    with pytest.raises(ValidationError):
        validate_gstin("27AAPFU0939F1ZW")


@pytest.mark.parametrize("state", ["00", "39", "99"])
def test_a_gstin_with_no_such_state_code_is_refused(state):
    gstin = make_gstin(state, "AAPFU0939F")  # a right check digit: only the state is wrong
    assert "not a GST state code" in gstin_problem(gstin)


@pytest.mark.parametrize(
    "gstin, why",
    [("27AAPFU0939F1Z", "15 characters"), ("27AAPF10939F1ZV", "PAN"), ("", "15 characters")],
)
def test_a_gstin_of_the_wrong_shape_is_refused(gstin, why):
    assert why in gstin_problem(gstin)


def test_the_pan_is_inside_and_the_check_digit_is_made_from_the_first_fourteen():
    gstin = make_gstin("33", "ABCDE1234F")
    assert pan_of(gstin) == "ABCDE1234F"
    assert gstin[14] == check_digit(gstin[:14]) and gstin_problem(gstin) is None
