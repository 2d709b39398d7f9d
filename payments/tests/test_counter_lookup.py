"""The counter takes an account as staff type it, as search does: a number without its leading
zeros or a phone's last four digits gives the account when exactly one matches, a short list to
choose from when several do, and a clear message when none does."""

import re
from uuid import uuid4

import pytest

from accounts.models import Customer
from accounts.tests.factories import AccountFactory, CustomerFactory
from conftest import ROLE_NAMES
from payments.tests.factories import drawer

pytestmark = pytest.mark.django_db
CASHIER = ROLE_NAMES[1]


def _person(first: str, last: str, phone: str = "") -> Customer:
    return CustomerFactory(
        first_name=first,
        last_name=last,
        search_name=f"{last}, {first}".upper(),
        phone=phone,
        phone_digits=phone,
    )


@pytest.fixture
def counter(role_clients):  # type: ignore[no-untyped-def]
    client = role_clients[CASHIER]
    client.post("/cashier/", {"drawer": drawer("L1").pk, "opening_float": "100.00"})

    def preview(account: str, amount: str = "20.00", **extra: str) -> str:
        data = {
            "line-TOTAL_FORMS": "4",
            "line-INITIAL_FORMS": "0",
            "tender-TOTAL_FORMS": "3",
            "tender-INITIAL_FORMS": "0",
            "line-0-account": account,
            "line-0-amount": amount,
            "tender-0-kind": "cash",
            "tender-0-amount": amount,
            "action": "preview",
            "idempotency_key": str(uuid4()),
            **extra,
        }
        return client.post("/cashier/post/", data, HTTP_HX_REQUEST="true").content.decode()

    return preview


@pytest.fixture
def accounts():  # type: ignore[no-untyped-def]
    rosa = AccountFactory(number="0000000184", customer=_person("Rosa", "Ibarra", "6025550142"))
    tom = AccountFactory(number="0000000950", customer=_person("Tom", "Ochoa", "4805550142"))
    lee = AccountFactory(number="0000000951", customer=_person("Lee", "Park", "4805557731"))
    return rosa, tom, lee


def _focused(page: str) -> list[str]:
    return re.findall(r'id="([^"]+)"[^>]*\bautofocus\b', page)


def test_an_account_number_without_its_leading_zeros_is_the_account(counter, accounts):
    page = counter("184")
    assert 'data-testid="preview"' in page and "Rosa Ibarra" in page and "is-invalid" not in page
    assert 'value="0000000184"' in page, "the line now holds the number in full"


def test_a_phones_last_four_digits_give_the_one_customer_whose_phone_ends_so(counter, accounts):
    page = counter("7731")
    assert 'data-testid="preview"' in page and "Lee Park" in page and "is-invalid" not in page


def test_several_matches_offer_a_short_list_and_the_choice_fills_the_line(counter, accounts):
    page = counter("0142")  # both Rosa's and Tom's phones end in 0142
    assert 'data-testid="preview"' not in page
    assert "0142 matches 2 accounts: choose one, or type more of the number." in page
    picks = re.findall(r'type="radio" name="line-0-pick" id="[^"]+" value="(\d+)"', page)
    assert sorted(picks) == ["0000000184", "0000000950"]
    assert _focused(page) == ["id_line-0-pick-0"], "the keyboard lands on the list"
    assert 'name="action" value="preview">Use the chosen account' in page

    chosen = counter("0142", **{"line-0-pick": "0000000950"})
    assert 'data-testid="preview"' in chosen and "Tom Ochoa" in chosen and "Rosa Ibarra" not in chosen
    assert 'value="0000000950"' in chosen and "line-0-pick" not in chosen
    assert _focused(chosen) == ["id_line-0-amount"]


def test_a_name_is_never_taken_alone_it_is_offered(counter, accounts):
    page = counter("Ibarra")
    assert 'data-testid="preview"' not in page
    assert "Is Ibarra this account? Choose it to confirm." in page
    assert re.findall(r'name="line-0-pick" id="[^"]+" value="(\d+)"', page) == ["0000000184"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999", "No account or bill numbered 9999, and no customer&#x27;s phone ends in 9999."),
        ("77777", "No account or bill numbered 77777."),
        ("zzqqxx", "No account or bill numbered zzqqxx."),
    ],
)
def test_nothing_matching_says_so(counter, accounts, typed, message):
    page = counter(typed)
    assert message in page and 'data-testid="preview"' not in page and "line-0-pick" not in page
    assert _focused(page) == ["id_line-0-account"]


def test_more_matches_than_the_list_holds_say_so(counter):
    for i in range(10):
        AccountFactory(number=f"00000031{i:02d}", customer=_person("Ann", f"Doe{i}", f"60255531{i:02d}"))
    page = counter("0000003")
    assert "0000003 matches more than 8 accounts: choose one, or type more of the number." in page
    assert len(re.findall(r'name="line-0-pick"', page)) == 8
