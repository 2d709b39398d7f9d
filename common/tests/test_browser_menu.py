"""The main menu keeps to one line at 1,400 px for every role (issue 16: a supervisor's wrapped
onto three), with the less used pages grouped in dropdowns that work from the keyboard."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from common.navigation import nav_for
from conftest import ROLE_NAMES, browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 1400


def _menu_rows(page: Page) -> tuple[float, set[int]]:
    """The menu bar's height, and the distinct tops of its entries, the user's name and Sign out."""
    nav = page.get_by_role("navigation", name="Main")
    box = nav.bounding_box()
    assert box
    parts = [*page.locator("#mainnav > ul > li").all(), page.get_by_test_id("whoami")]
    parts.append(nav.get_by_role("button", name="Sign out"))
    tops = set()
    for part in parts:
        b = part.bounding_box()
        assert b
        tops.add(round(b["y"] + b["height"] / 2))  # the middle: a badge beside a link is shorter
    return box["height"], tops


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_menu_is_one_line_at_1400_px_for_every_role(page: Page, live_server, make_user, role):
    username = role.split()[0].lower()
    make_user(username, role, first_name="Grace", last_name="Holloway", is_staff=role == "Administrator")
    page.set_viewport_size({"width": WIDTH, "height": 900})
    browser_sign_in(page, live_server.url, username)
    expect(page.get_by_test_id("whoami")).to_be_visible()
    height, middles = _menu_rows(page)
    assert max(middles) - min(middles) <= 4, f"{role}: menu entries on more than one line: {middles}"
    assert height < 70, f"{role}: menu bar {height}px high"


def test_the_fullest_menu_fits_and_its_groups_open_from_the_keyboard(
    page: Page, live_server, make_user, tmp_path
):
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)  # set it to keep and look at them
    users = {role: make_user(role.split()[0].lower(), role) for role in ROLE_NAMES}
    fullest = max(ROLE_NAMES, key=lambda role: len(nav_for(users[role])))
    assert fullest == "Supervisor" and len(nav_for(users[fullest])) >= 15  # what wrapped before
    page.set_viewport_size({"width": WIDTH, "height": 900})
    browser_sign_in(page, live_server.url, fullest.split()[0].lower())
    height, middles = _menu_rows(page)
    assert height < 70 and max(middles) - min(middles) <= 4

    # Every entry is still reachable: the grouped ones by opening their group with the keyboard.
    menu = page.get_by_role("navigation", name="Main")
    toggle = menu.get_by_role("button", name="Oversight")
    expect(menu.get_by_role("link", name="Dashboards")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Drawers")).to_be_visible()
    page.screenshot(path=str(shots / "menu-1400-oversight-open.png"))
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")  # opens the group again and moves into it
    expect(menu.get_by_role("link", name="Dashboards")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/supervisor/dashboards/$"))
    # the page shown is marked in its group, and the group itself looks current
    expect(menu.get_by_role("button", name="Oversight")).to_have_class(re.compile(r"\bactive\b"))
