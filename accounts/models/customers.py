from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Value
from django.db.models.functions import Right

WORDS = ArrayField(models.CharField(max_length=200))


def language_choices() -> list[tuple[str, str]]:
    """The languages customer documents print in (settings.LANGUAGES). A callable, read when
    the choices are used, so adding a language needs no migration."""
    return list(settings.LANGUAGES)


def words_of(field: str) -> Func:
    """The upper-case words of a search column, split on anything not a letter or digit: any
    letter, so NUÑEZ and PEÑA stay whole words (the cluster's C.UTF-8 classes them as letters)."""
    letters_digits = Func(F(field), Value("[^[:alnum:]]+"), Value(" "), Value("g"), function="regexp_replace")
    return Func(Func(letters_digits, function="btrim"), Value(" "), function="string_to_array")


class SearchWord(models.Model):
    """Every word of every customer name and service address, once: the typo search finds the
    words closest to what was typed here (thousands of rows), then the customers and premises
    holding them through their `search_words` index. Statement-level triggers on customers and
    premises add new words as they are written (migration 0007); words are never removed (a
    stale one only costs a probe that finds nothing)."""

    word = models.CharField(max_length=200, primary_key=True)

    class Meta:
        # nearest-neighbour order (word <-> typed): a small table, where GiST's bounds are tight
        indexes = [GistIndex(fields=["word"], name="search_word_trgm", opclasses=["gist_trgm_ops"])]

    def __str__(self) -> str:
        return self.word


class CustomerKind(models.TextChoices):
    PERSON = "person", "Person"
    BUSINESS = "business", "Business"


class IdDocumentType(models.TextChoices):
    DRIVERS_LICENSE = "drivers_license", "Driver's license"
    STATE_ID = "state_id", "State ID"
    PASSPORT = "passport", "Passport"
    SSN = "ssn", "Social Security number"
    ITIN = "itin", "ITIN"
    MATRICULA = "matricula", "Matrícula consular"
    EIN = "ein", "Employer ID (EIN)"
    OTHER = "other", "Other"


last4 = RegexValidator(r"^\d{4}$", "Enter exactly the last 4 digits.")


class Customer(models.Model):
    """A person or business responsible for accounts. Identity documents are kept as type and
    last 4 digits only: nothing that could be used to open credit elsewhere is stored."""

    kind = models.CharField(max_length=10, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    business_name = models.CharField(max_length=160, blank=True)
    # "LAST, FIRST" or the business name, upper-case: what staff search and sort by
    search_name = models.CharField(max_length=200, editable=False)
    # its words, for the typo search's exact second step (see accounts.selectors.search)
    search_words = models.GeneratedField(
        expression=words_of("search_name"), output_field=WORDS, db_persist=True
    )
    phone = models.CharField(max_length=20, blank=True)
    phone_digits = models.CharField(max_length=15, blank=True, editable=False, db_index=True)
    alt_phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    mail_line1 = models.CharField("mailing address", max_length=120, blank=True)
    mail_line2 = models.CharField("mailing address line 2", max_length=120, blank=True)
    mail_city = models.CharField("city", max_length=60, blank=True)
    mail_state = models.CharField("state", max_length=2, blank=True)
    mail_postal_code = models.CharField("ZIP code", max_length=10, blank=True)
    preferred_language = models.CharField(
        max_length=8,
        choices=language_choices,
        default="en",
        help_text="the language of the customer's notices, letters and receipts",
    )
    id_document_type = models.CharField(max_length=20, choices=IdDocumentType.choices, blank=True)
    id_last4 = models.CharField("ID last 4", max_length=4, blank=True, validators=[last4])
    life_support = models.BooleanField("life-support equipment at home", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            GinIndex(fields=["search_name"], name="customer_name_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["search_words"], name="customer_words"),
            # staff find a customer by the last four digits of the phone (accounts.selectors.search)
            models.Index(Right("phone_digits", 4), name="customer_phone_last4"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id_last4="") | models.Q(id_last4__regex=r"^\d{4}$"),
                name="customer_id_last4_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.BUSINESS:
            return self.business_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def masked_phone(self) -> str:
        return f"(***) ***-{self.phone_digits[-4:]}" if len(self.phone_digits) >= 4 else ""

    @property
    def masked_email(self) -> str:
        if "@" not in self.email:
            return ""
        local, domain = self.email.split("@", 1)
        return f"{local[:1]}***@{domain}"

    @property
    def mailing_address(self) -> str:
        parts = [
            self.mail_line1,
            self.mail_line2,
            f"{self.mail_city}, {self.mail_state} {self.mail_postal_code}",
        ]
        return "\n".join(p for p in parts if p.strip(", "))


class Premise(models.Model):
    """A service address. Units of a multi-unit building point at the building (`parent`)."""

    address = models.CharField("service address", max_length=120)
    unit = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2)
    postal_code = models.CharField("ZIP code", max_length=10)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    owner = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_premises"
    )
    # upper-case address and unit for typo-tolerant search
    search_address = models.CharField(max_length=150, editable=False)
    search_words = models.GeneratedField(
        expression=words_of("search_address"), output_field=WORDS, db_persist=True
    )

    class Meta:
        indexes = [
            GinIndex(fields=["search_address"], name="premise_address_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["search_words"], name="premise_words"),
        ]

    def __str__(self) -> str:
        return f"{self.address}{' #' + self.unit if self.unit else ''}, {self.city}"
