"""Customer documents (notices, letters, receipts) print in the customer's language; staff
screens stay English (LANGUAGE_CODE, no LocaleMiddleware). Renderers wrap a document, or each
notice of a batch, in `translation.override(document_language(customer))`."""

from collections.abc import Iterable

from django.conf import settings
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy

# Names of the languages a notice may point to (Civil Code 1632's, and ours), in the document's
# language. A code not listed prints as itself.
LANGUAGE_NAMES = {
    "en": gettext_lazy("English"),
    "es": gettext_lazy("Spanish"),
    "zh": gettext_lazy("Chinese"),
    "tl": gettext_lazy("Tagalog"),
    "vi": gettext_lazy("Vietnamese"),
    "ko": gettext_lazy("Korean"),
}


def document_language(customer: object | None) -> str:
    """The customer's preferred language if documents can print in it, else English."""
    code = getattr(customer, "preferred_language", "") or ""
    return code if code in dict(settings.LANGUAGES) else "en"


def language_list(codes: Iterable[str]) -> str:
    """ "Spanish, Chinese and Korean" in the active language."""
    return get_text_list([str(LANGUAGE_NAMES.get(c, c)) for c in codes], gettext("and"))
