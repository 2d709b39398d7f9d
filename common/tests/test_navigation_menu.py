"""The menu as shown (issue 16): workspaces and the account search on top, the rest in a few
dropdowns; a group that would hold one entry for a user shows it as a plain link."""

import pytest

from common.navigation import NavGroup, nav_for, nav_menu
from conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db


def _shape(menu):  # type: ignore[no-untyped-def]
    return [(e.label, [i.label for i in e.items]) if isinstance(e, NavGroup) else e.label for e in menu]


def test_a_supervisors_menu_groups_the_oversight_screens(make_user):
    menu = nav_menu(make_user("sup", "Supervisor"))
    shape = _shape(menu)
    assert shape[:4] == ["Find account", "Counseling desk", "Collections", "Supervisor"]
    groups = dict(e for e in shape if isinstance(e, tuple))
    assert groups["Oversight"][:2] == ["Dashboards", "Approvals queue"]
    oversight = {"Quality review", "Drawers", "Deposits & GL", "Ledger checks", "Refunds"}
    assert oversight <= set(groups["Oversight"])
    assert groups["Reference"] == ["Agencies", "Policy", "Audit trail"]
    assert groups["My work"] == ["My follow-ups", "My reviews", "Jobs"]
    assert len(menu) <= 8  # what keeps it on one line


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_entry_a_role_holds_is_in_its_menu_once(make_user, role):
    user = make_user(role.split()[0].lower(), role)
    menu = nav_menu(user)
    shown = [i.label for e in menu for i in (e.items if isinstance(e, NavGroup) else [e])]
    assert sorted(shown) == sorted(i.label for i in nav_for(user))
    assert all(len(e.items) > 1 for e in menu if isinstance(e, NavGroup))  # no one-entry dropdown


def test_a_group_of_one_is_a_plain_link(make_user):
    shape = _shape(nav_menu(make_user("olga", "Collections officer")))
    assert "Refunds" in shape and "Policy" in shape  # alone in their groups for an officer
