"""What staff type as an amount (common.amounts.parse_amount) and the form field built on it."""

from decimal import Decimal

import pytest
from django import forms

from common.amounts import AmountError, AmountField, parse_amount


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,200.00", "1200.00"),
        ("$1200", "1200"),
        ("1200", "1200"),
        ("$1,200", "1200"),
        ("  $1,200.50  ", "1200.50"),
        ("1,234,567.89", "1234567.89"),
        ("12.5", "12.5"),
        (".75", "0.75"),
        ("0", "0"),
        ("-25.00", "-25.00"),
        ("-$25", "-25"),
        ("$-25", "-25"),
    ],
)
def test_what_people_type_is_read(typed, amount):
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1.200,00", "comma for cents"),
        ("1,20", "ambiguous"),
        ("12,5", "ambiguous"),
        ("1.2.0", "more than one decimal point"),
        ("12a", "not an amount"),
        ("twelve", "not an amount"),
        ("12.345", "more than two digits after the point"),
        ("1,2345", "comma out of place"),
        ("12,34,567", "comma out of place"),
        ("", "Enter an amount"),
        ("$", "no digits"),
        ("--5", "not an amount"),
    ],
)
def test_the_ambiguous_is_refused_with_a_clear_message(typed, says):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed)
    assert says in str(refused.value) and "1,200.00" in str(refused.value)


class _Form(forms.Form):
    amount = AmountField(min_value=Decimal("0.01"))
    other = AmountField(required=False)


def test_the_field_accepts_typed_amounts_and_keeps_its_limits():
    form = _Form({"amount": "$1,200.00", "other": ""})
    assert form.is_valid() and form.cleaned_data == {"amount": Decimal("1200.00"), "other": None}
    refused = _Form({"amount": "1.200,00"})
    assert not refused.is_valid() and "comma for cents" in refused.errors["amount"][0]
    assert not _Form({"amount": "0"}).is_valid()  # min_value still applies
    assert not _Form({"amount": "1.001"}).is_valid()  # and decimal_places
    html = str(_Form()["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html  # never type=number
