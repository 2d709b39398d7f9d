"""Workspaces and menu entries, registered by each app in its AppConfig.ready().

Common sits below every other app, so it cannot name their pages; they tell it instead. A user's
home page is the first workspace (lowest `order`) whose permission they hold.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None  # None: any signed-in user
    order: int
    workspace: bool = False  # a role's landing page
    # Also shown to holders of these (e.g. supervisors on a team's desk), without becoming their
    # landing page: the landing page follows `permission` only.
    also_for: tuple[str, ...] = ()
    # Not shown to holders of these: a screen another entry covers for them (a supervisor decides
    # adjustments and arrangements in the one approvals queue; the screen itself still opens).
    hidden_for: tuple[str, ...] = ()
    # A number shown beside the label (what waits there), computed per request for this user.
    count: Callable[[AbstractBaseUser], int] | None = None
    count_url_name: str | None = None  # where the number leads (what waits), e.g. a queue
    badge: int | None = None
    # The menu group (a key of GROUPS) it sits in, so the menu stays on one line for every role;
    # empty: a top-level entry (a workspace, the account search).
    group: str = ""

    @property
    def badge_url(self) -> str:
        return reverse(self.count_url_name or self.url_name)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of entries: shown only when it holds two or more for this user."""

    key: str
    label: str
    items: tuple[NavItem, ...]

    @property
    def urls(self) -> list[str]:
        return [i.url for i in self.items]


# The groups, in menu order after the top-level entries: (key, label). Generic words, so common
# needs to know no app's pages; each app puts its entries in one with NavItem(group=...).
GROUPS: tuple[tuple[str, str], ...] = (
    ("oversight", "Oversight"),
    ("reference", "Reference"),
    ("mine", "My work"),
)

_items: list[NavItem] = []


def nav_register(item: NavItem) -> None:
    if any(existing.url_name == item.url_name for existing in _items):
        return  # ready() may run more than once in tests
    _items.append(item)
    _items.sort(key=lambda i: i.order)


def nav_for(user: AbstractBaseUser | AnonymousUser) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [
        i
        for i in _items
        if (i.permission is None or user.has_perm(i.permission) or any(user.has_perm(p) for p in i.also_for))
        and not any(user.has_perm(p) for p in i.hidden_for)
    ]


def nav_with_badges(user: AbstractBaseUser) -> list[NavItem]:
    """The user's menu with each entry's count filled in (one call per counted entry)."""
    return [replace(i, badge=i.count(user)) if i.count else i for i in nav_for(user)]


def nav_menu(user: AbstractBaseUser) -> list[NavItem | NavGroup]:
    """The user's menu as shown: top-level entries in order, then one dropdown per group. A group
    holding a single entry for this user shows that entry as a plain link (nothing to open)."""
    items = nav_with_badges(user)
    menu: list[NavItem | NavGroup] = [i for i in items if not i.group]
    for key, label in GROUPS:
        members = tuple(i for i in items if i.group == key)
        if len(members) == 1:
            menu.append(members[0])
        elif members:
            menu.append(NavGroup(key, label, members))
    return menu


def home_for(user: AbstractBaseUser | AnonymousUser) -> NavItem | None:
    return next(
        (i for i in nav_for(user) if i.workspace and (i.permission is None or user.has_perm(i.permission))),
        None,
    )
