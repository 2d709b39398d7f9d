"""The formatting layer's helpers (common.formatting) and the filters templates reach them by."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from common.formatting import (
    drawer_outcome,
    format_aside,
    format_code,
    format_codes,
    format_date,
    format_money,
    format_name,
    format_over_short,
    format_percent,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("23280"), "$23,280.00"),
        (Decimal("23280.005"), "$23,280.01"),  # the one rounding rule: half up
        (Decimal("0"), "$0.00"),
        (Decimal("-3"), "-$3.00"),
        (Decimal("-1234567.5"), "-$1,234,567.50"),
        ("12.5", "$12.50"),
        (7, "$7.00"),
        (None, "—"),
        ("", "—"),
        ("—", "—"),  # a placeholder passes through
    ],
)
def test_money(value, shown):
    assert format_money(value) == shown


def test_over_short_and_the_drawer_outcome():
    assert format_over_short(Decimal("0.00")) == "balanced"
    assert format_over_short(Decimal("-3")) == "short $3.00"
    assert format_over_short(Decimal("1.25")) == "over $1.25"
    closed = "closed"
    assert drawer_outcome(status=closed, over_short=Decimal("0")) == "Closed, balanced"
    assert drawer_outcome(status=closed, over_short=Decimal("-3")) == "Closed, short $3.00, within tolerance"
    assert (
        drawer_outcome(status="pending_signoff", over_short=Decimal("-30"))
        == "Closed, short $30.00, awaiting supervisor sign-off"
    )
    assert (
        drawer_outcome(status="signed_off", over_short=Decimal("12"), signed_off_by="grace")
        == "Closed, over $12.00, signed off by grace"
    )
    assert drawer_outcome(status="open", over_short=None) == "Open"


def test_dates_one_screen_format_and_one_letter_format():
    day = date(2026, 3, 7)
    assert format_date(day) == "Mar 07, 2026"
    assert format_date(day, letter=True) == "March 7, 2026"
    assert format_date("2026-03-07") == "Mar 07, 2026"  # as kept in JSON explanations
    assert format_date(None) == ""
    # an aware timestamp is shown on the local calendar day, not UTC's
    late = datetime(2026, 3, 8, 5, 30, tzinfo=ZoneInfo("UTC"))
    assert format_date(late) == "Mar 07, 2026"  # TIME_ZONE is US Pacific/Arizona: still the 7th


def test_percent():
    assert format_percent(Decimal("0.015")) == "1.5%"
    assert format_percent(Decimal("0.06")) == "6%"
    assert format_percent(Decimal("0.1667"), places=1) == "16.7%"
    assert format_percent(None) == "—"


def test_codes_read_as_words_or_the_models_labels():
    assert format_code("snap") == "SNAP"
    assert format_code("active_by_supervisor") == "Active by supervisor"
    assert format_code("not_applicable") == "Not applicable"
    assert format_code("returned_nsf") == "Returned NSF"
    assert format_code("snap", [("snap", "SNAP / CalFresh")]) == "SNAP / CalFresh"
    assert (
        format_codes(["snap", "wic"], [("snap", "SNAP / CalFresh"), ("wic", "WIC")]) == "SNAP / CalFresh, WIC"
    )
    assert format_code("") == "" and format_code(None) == ""


def test_asides_never_nest_parentheses():
    assert format_aside("Returned (NSF)") == "(returned, NSF)"
    assert format_aside("Voided") == "(voided)"
    assert format_aside("NSF check") == "(NSF check)"


def test_names_stored_in_capitals_read_in_title_case_and_typed_names_stay():
    assert format_name("MARIA NUÑEZ") == "Maria Nuñez"
    assert format_name("PAT O'BRIEN-SMITH") == "Pat O'Brien-Smith"
    assert format_name("Ana de la Cruz") == "Ana de la Cruz"
    assert format_name("  Lee   Chen ") == "Lee Chen"
    assert format_name(None) == ""
    assert format_name("DESERT SUN PROPERTIES LLC") == "Desert Sun Properties LLC"
    assert format_name("JOHN SMITH III") == "John Smith III"


def test_the_filters_are_builtin_in_every_template():
    html = Template(
        "{{ a|money }} {{ d|screen_date }} {{ d|letter_date }} {{ r|percent }} {{ c|label }} "
        "{{ s|aside }} {{ n|person_name }}"
    ).render(
        Context(
            {
                "a": Decimal("23280"),
                "d": date(2026, 12, 7),
                "r": Decimal("0.06"),
                "c": "snap",
                "s": "Returned (NSF)",
                "n": "JO DOE",
            }
        )
    )
    assert html == "$23,280.00 Dec 07, 2026 December 7, 2026 6% SNAP (returned, NSF) Jo Doe"
