"""A job's duration reads in seconds when it took seconds; a supervisor's menu lists the one
approvals queue, not the screens it covers (the menu wrapped onto three lines)."""

from datetime import UTC, datetime, timedelta

import pytest

from common.navigation import nav_for
from common.templatetags.common_text import took

T0 = datetime(2026, 12, 7, 9, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (8, "8 s"), (59, "59 s"), (185, "3 min 5 s"), (4320, "1 h 12 min"), (-3, "0 s")],
)
def test_took_reads_to_the_second_under_an_hour(seconds, text):
    assert took(T0, T0 + timedelta(seconds=seconds)) == text


def test_took_is_blank_without_both_ends():
    assert took(None, T0) == "" and took(T0, None) == ""


@pytest.mark.django_db
def test_a_supervisor_menu_has_the_queue_not_the_screens_it_covers(make_user):
    labels = [i.label for i in nav_for(make_user("sup", "Supervisor"))]
    assert "Approvals queue" in labels
    assert "Arrangement approvals" not in labels and "Approvals" not in labels
