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


def test_new_and_renamed_customers_reach_the_word_dictionary():
    from accounts.models import SearchWord

    customer = _person("Zebulon", "Quigglesworth")
    assert SearchWord.objects.filter(word__in=["QUIGGLESWORTH", "ZEBULON"]).count() == 2
    customer.search_name = "QUARTERMAINE, ZEBULON"
    customer.save()
    assert SearchWord.objects.filter(word="QUARTERMAINE").exists()


def test_a_typo_finds_a_name_written_after_the_dictionary_was_built():
    AccountFactory(number="0000400001", customer=_person("Zebulon", "Quigglesworth"))
    assert [h.number for h in account_search(q="Quiglesworth")] == ["0000400001"]


def test_a_common_surname_ranks_the_first_name_match_first():
    # 30 Smithsons; the typed first name decides who comes first, as in the exhaustive ranking
    for i in range(30):
        AccountFactory(number=f"00005{i:05d}", customer=_person("Lee", "Smithson"))
    AccountFactory(number="0000600001", customer=_person("Mariana", "Smithson"))
    assert account_search(q="Smithsen Mariana")[0].number == "0000600001"


def test_a_street_typo_ranks_the_near_house_numbers_after_the_exact_one():
    for n, number in ((4410, "0000700001"), (4418, "0000700002"), (14410, "0000700003")):
        address = f"{n} W Camelback Rd"
        AccountFactory(number=number, premise=PremiseFactory(address=address, search_address=address.upper()))
    numbers = [h.number for h in account_search(q="4410 W Camelbakc Rd")]
    assert numbers[0] == "0000700001" and {"0000700002", "0000700003"} <= set(numbers)


def test_cursors_carry_the_rows_shown_and_older_cursors_still_page():
    for i in range(30):
        AccountFactory(number=f"00008{i:05d}", customer=_person("Ann", "Okonkwo"))
    first = account_search(q="Okonkwo", limit=20)
    assert first[-1].cursor.endswith(":20")
    rank, account_id, _shown = first[-1].cursor.split(":")
    older = account_search(q="Okonkwo", after=f"{rank}:{account_id}", limit=20)
    assert [h.number for h in older] == [
        h.number for h in account_search(q="Okonkwo", after=first[-1].cursor)
    ]
    assert len(older) == 10


@pytest.mark.parametrize("q", ["Muños", "Muñoz", "Nuñes Ana"])
def test_accented_names_are_whole_words_and_forgive_a_typo(q):
    AccountFactory(number="0000900001", customer=_person("Ana", "Muñoz"))
    AccountFactory(number="0000900002", customer=_person("Ana", "Nuñez"))
    from accounts.models import Customer as C

    assert C.objects.get(last_name="Muñoz").search_words == ["MUÑOZ", "ANA"]
    expected = "0000900002" if q.startswith("Nu") else "0000900001"
    assert account_search(q=q)[0].number == expected


def test_a_short_account_number_and_a_phones_last_four_digits_find_the_account(city):
    AccountFactory(number="0000000184", customer=_person("Rosa", "Ibarra"))
    # typed without its leading zeros, the number itself comes first, then the numbers it begins
    assert [h.number for h in account_search(q="184")] == ["0000000184"]
    AccountFactory(number="1840000000", customer=_person("Tom", "Ibarra"))
    assert [h.number for h in account_search(q="184")] == ["0000000184", "1840000000"]
    assert [h.number for h in account_search(q="0199")] == ["0000200003"]  # (480) 555-0199
    assert [h.number for h in account_search(q="555-0199")] == []  # seven digits: not a last four
    # the phone's last four find every account of the customer
    second = AccountFactory(number="0000200004", customer=Customer.objects.get(phone_digits="4805550199"))
    assert {h.number for h in account_search(q="0199")} == {"0000200003", second.number}


def test_the_last_four_digits_are_an_index_lookup_not_a_scan(city):
    from django.db import connection

    from accounts.selectors import search

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small enough to scan
        cursor.execute("EXPLAIN SELECT id FROM accounts_customer WHERE right(phone_digits, 4) = %s", ["0199"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "customer_phone_last4" in plan and "right(phone_digits, 4)" in search.NUMBER_IDS
