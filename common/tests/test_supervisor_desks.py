"""Supervisors hold the counseling and collections desks (README, Roles and permissions): each
desk opens to its team and to supervisors, from the menu, and every page a desk links to opens to
them too; every other role is refused by the server (issue 16: supervisors met 403 there)."""

import re

import pytest

from common.navigation import nav_for
from conftest import ROLE_NAMES, assert_access

pytestmark = pytest.mark.django_db
COUNSELOR, CASHIER, COLLECTOR, SUPERVISOR, ADMIN = ROLE_NAMES

DESKS = {"/counseling/": {COUNSELOR, SUPERVISOR}, "/collections/": {COLLECTOR, SUPERVISOR}}


@pytest.mark.parametrize(("path", "allowed"), DESKS.items())
def test_each_desk_opens_to_its_team_and_supervisors_only(role_clients, path, allowed):
    assert_access(role_clients, path, allowed)


def test_a_supervisors_menu_leads_to_both_desks_but_lands_on_supervision(make_user):
    from common.navigation import home_for

    supervisor = make_user("sup", SUPERVISOR)
    urls = {i.url for i in nav_for(supervisor)}
    assert set(DESKS) <= urls
    assert home_for(supervisor).url == "/supervisor/"


@pytest.mark.parametrize("desk", DESKS)
def test_every_page_a_desk_links_to_opens_to_a_supervisor(role_clients, desk):
    client = role_clients[SUPERVISOR]
    page = client.get(desk)
    assert page.status_code == 200
    main = page.content.decode().split('<main id="main"', 1)[1]
    links = sorted({h for h in re.findall(r'href="(/[^"#?]*)', main) if not h.startswith("/static/")})
    assert len(links) >= 3  # the desk's own screens were found
    refused = {h: client.get(h).status_code for h in links}
    assert not {h: s for h, s in refused.items() if s == 403}, refused
