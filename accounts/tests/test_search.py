import pytest

from accounts.models import Customer
from accounts.selectors.search import account_search
from accounts.tests.factories import AccountFactory, CustomerFactory, PremiseFactory

pytestmark = pytest.mark.django_db


def _person(first: str, last: str, **kw) -> Customer:  # type: ignore[no-untyped-def]
    return CustomerFactory(first_name=first, last_name=last, search_name=f"{last}, {first}".upper(), **kw)


@pytest.fixture
def city():
    johnson = AccountFactory(
        number="0000100001",
        customer=_person("Mary", "Johnson"),
        premise=PremiseFactory(address="4410 W Camelback Rd", search_address="4410 W CAMELBACK RD"),
    )
    AccountFactory(number="0000100002", customer=_person("Mark", "Jonas"))
    AccountFactory(
        number="0000200003",
        customer=_person("Ana", "Garcia", phone="(480) 555-0199", phone_digits="4805550199"),
    )
    return johnson


@pytest.mark.parametrize("q", ["Jonson", "johnsen mary", "JOHNSON"])
def test_misspelled_surnames_find_the_account(city, q):
    hits = account_search(q=q)
    assert hits and hits[0].number == "0000100001"


def test_typo_in_street_finds_the_address(city):
    assert account_search(q="4410 Camelbak")[0].number == "0000100001"


def test_number_prefix_phone_and_bill_stub(city):
    assert [h.number for h in account_search(q="00001000")] == ["0000100001", "0000100002"]
    assert [h.number for h in account_search(q="(480) 555-0199")] == ["0000200003"]
    from accounts.models import Bill

    Bill.objects.create(
        number="B20261101",
        account=city,
        period_start="2026-10-01",
        period_end="2026-10-31",
        bill_date="2026-11-01",
        due_date="2026-11-22",
        total="10.00",
    )
    assert [h.number for h in account_search(q="B20261101")] == ["0000100001"]


def test_search_is_one_query(city, django_assert_num_queries):
    with django_assert_num_queries(1):
        account_search(q="Johnson")


def test_keyset_pages_do_not_overlap():
    for i in range(30):
        AccountFactory(number=f"00003{i:05d}", customer=_person("Lee", "Smithson"))
    first = account_search(q="Smithson", limit=20)
    second = account_search(q="Smithson", after=first[-1].cursor, limit=20)
    assert len(first) == 20 and len(second) == 10
    assert not {h.number for h in first} & {h.number for h in second}


def test_nonsense_and_short_queries_find_nothing(city):
    assert account_search(q="x") == [] and account_search(q="zzzzqqq") == []
    assert account_search(q="Jonson", after="garbage")  # a bad cursor is ignored, not an error


def test_search_page_for_each_desk_role(role_clients, city):
    for role in ("Counselor", "Cashier", "Collections officer", "Supervisor"):
        page = role_clients[role].get("/accounts/?q=Jonson").content.decode()
        assert "0000100001" in page, role
    assert role_clients["Administrator"].get("/accounts/?q=Jonson").status_code == 403
    fragment = role_clients["Counselor"].get("/accounts/?q=Jonson", HTTP_HX_REQUEST="true").content.decode()
    assert "0000100001" in fragment and "<html" not in fragment
