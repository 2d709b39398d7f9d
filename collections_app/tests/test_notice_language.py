"""Notices print in the customer's language (issue 16): a Spanish customer's shutoff notice is in
Spanish with Spanish dates and US money figures, an English one is unchanged, each page of a
batch is in its own customer's language, and where a preset's law requires other languages
(California SB 998: the Civil Code 1632 languages) the notice says where to get them."""

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from accounts.tests.factories import AccountFactory, CustomerFactory
from collections_app.models import Notice, NoticeBatch
from collections_app.pdf_notices import notice_batch_pdf, notice_pdf
from collections_app.tests.billing import use_policy
from common.models import UtilityContact
from conftest import pdf_text

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 7)


def _shutoff(language: str, *, batch: NoticeBatch | None = None, amount: str = "123.45") -> Notice:
    account = AccountFactory(customer=CustomerFactory(preferred_language=language))
    return Notice.objects.create(
        account=account,
        batch=batch,
        kind="shutoff",
        addressee=account.customer.display_name,
        address="1 Main St\nPhoenix, AZ 85004",
        amount_due=amount,
        pay_by=date(2026, 12, 21),
        earliest_action=date(2027, 1, 4),
        sent_on=DAY,
        reason="test",
        citation="HSC 116908(a)(1)(A)",
        idempotency_key=f"t:{account.pk}",
    )


def test_a_spanish_customers_shutoff_notice_is_in_spanish():
    use_policy("DEFAULT")
    text = pdf_text(notice_pdf(_shutoff("es")))
    assert "Aviso de desconexión por falta de pago" in text
    assert "7 de diciembre de 2026" in text  # the notice date
    assert "pague esta cantidad a más tardar el 21 de diciembre de 2026" in text
    assert "a partir del 4 de enero de 2027 (la fecha más temprana de desconexión)" in text
    assert "$123.45" in text  # US figures: never 123,45
    assert "Cómo obtener ayuda" in text and "Su derecho a apelar" in text
    assert "Este aviso se emite conforme a HSC 116908(a)(1)(A)." in text
    assert "Página 1 de 1" in text
    assert "Notice of disconnection" not in text and "December" not in text


def test_an_english_customers_notice_is_unchanged():
    use_policy("DEFAULT")
    text = pdf_text(notice_pdf(_shutoff("en")))
    assert "Notice of disconnection for non-payment" in text
    assert "December 7, 2026" in text
    assert (
        "Your account is past due by $123.45. To keep your service on, pay this amount by December 21, 2026."
        in text
    )
    assert "on or after January 4, 2027 (the earliest disconnection date)" in text
    assert "How to get help" in text and "This notice is given under HSC 116908(a)(1)(A)." in text
    assert "Page 1 of 1" in text
    assert "diciembre" not in text and "also available in" not in text  # DEFAULT requires no languages


def test_each_page_of_a_batch_is_in_its_own_customers_language():
    use_policy("DEFAULT")
    batch = NoticeBatch.objects.create(kind="shutoff", business_date=DAY)
    spanish, english = _shutoff("es", batch=batch), _shutoff("en", batch=batch)
    reader = PdfReader(BytesIO(notice_batch_pdf(batch)))
    assert len(reader.pages) == 2
    pages = {}
    for page in reader.pages:
        text = " ".join(page.extract_text().split())
        pages[spanish.account.number if spanish.account.number in text else english.account.number] = text
    assert "Aviso de desconexión" in pages[spanish.account.number]
    assert "Aviso 1 de 2" in pages[spanish.account.number] or "Aviso 2 de 2" in pages[spanish.account.number]
    assert "Notice of disconnection" in pages[english.account.number]
    assert "Aviso de desconexión" not in pages[english.account.number]


def test_a_landlords_spanish_preference_does_not_make_the_occupant_notice_spanish():
    use_policy("DEFAULT")
    notice = _shutoff("es")
    notice.kind, notice.addressee = "occupant", "Occupant"
    notice.save()
    text = pdf_text(notice_pdf(notice))
    assert "Notice to the occupants" in text and "Aviso" not in text


def test_under_sb_998_the_notice_says_where_the_other_translations_are():
    use_policy("CA_SB998_WATER")
    UtilityContact.objects.filter(pk=1).update(
        customer_service_phone="(209) 555-0142", web="cityutilities.example.org/languages"
    )
    english = pdf_text(notice_pdf(_shutoff("en")))
    assert (
        "This notice and our policy on discontinuation of residential service are also available in "
        "Spanish, Chinese, Tagalog, Vietnamese and Korean. For a copy, call (209) 555-0142 or visit "
        "cityutilities.example.org/languages."
    ) in english
    spanish = pdf_text(notice_pdf(_shutoff("es")))
    assert (
        "también están disponibles en inglés, chino, tagalo, vietnamita y coreano. Para obtener una "
        "copia, llame al (209) 555-0142 o visite cityutilities.example.org/languages."
    ) in spanish


def test_the_languages_come_from_the_policy_not_the_template():
    use_policy("DEFAULT", **{"notices.translations": ["vi"]})
    UtilityContact.objects.filter(pk=1).update(customer_service_phone="", web="")
    text = pdf_text(notice_pdf(_shutoff("en")))
    assert "also available in Vietnamese. For a copy, call or visit Customer Service." in text
    assert "Tagalog" not in text
