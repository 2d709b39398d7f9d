"""The translation catalogues are committed compiled (.mo) beside their sources (.po): a fresh
machine, a deploy and every Celery worker have the translations without a gettext build step.
These tests fail when a .po is edited and its .mo not recompiled (msgfmt -o django.mo django.po),
or when a language in LANGUAGES has no complete catalogue."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

LOCALE = Path(settings.BASE_DIR) / "locale"


def _po_entries(path: Path) -> list[tuple[str | None, str, str, bool]]:
    """(msgctxt, msgid, msgstr, fuzzy) of a .po file without plurals (ours have none)."""
    entries: list[tuple[str | None, str, str, bool]] = []
    cur: dict[str, str] = {}
    key, fuzzy = "", False

    def flush() -> None:
        nonlocal cur, fuzzy
        if "msgid" in cur:
            entries.append((cur.get("msgctxt"), cur["msgid"], cur.get("msgstr", ""), fuzzy))
        cur, fuzzy = {}, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            fuzzy = True
        elif line.startswith(("msgid_plural", "msgstr[")):
            raise AssertionError(f"{path}: plural forms are not handled by this check")
        elif line.startswith(("msgctxt ", "msgid ", "msgstr ")):
            key, _, value = line.partition(" ")
            if key == "msgctxt" or (key == "msgid" and "msgid" in cur):
                flush()
            cur[key] = ast.literal_eval(value)
        elif line.startswith('"'):
            cur[key] += ast.literal_eval(line)
    flush()
    return entries


def _languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES if code != "en"]


@pytest.mark.parametrize("code", _languages())
def test_every_document_language_has_a_complete_catalogue(code):
    entries = [e for e in _po_entries(LOCALE / code / "LC_MESSAGES" / "django.po") if e[1]]
    assert len(entries) > 50
    assert [mid for _, mid, msgstr, fuzzy in entries if not msgstr or fuzzy] == []


@pytest.mark.parametrize("code", _languages())
def test_the_committed_mo_matches_its_po(code):
    folder = LOCALE / code / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for ctx, msgid, msgstr, _ in _po_entries(folder / "django.po"):
        if not msgid:
            continue
        got = compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)
        assert got == msgstr, f"{msgid!r}: the .mo says {got!r}, the .po {msgstr!r}: run msgfmt"
    po_ids = {(c, m) for c, m, _, _ in _po_entries(folder / "django.po") if m}
    mo_ids = {tuple(k.split("\x04", 1)) if "\x04" in k else (None, k) for k in compiled._catalog if k}  # type: ignore[attr-defined]
    assert mo_ids == po_ids, "the .mo holds strings the .po no longer has: run msgfmt"


def test_spanish_documents_use_spanish_dates_and_us_money_figures():
    from datetime import date
    from decimal import Decimal

    from django.template import Context, Template

    # the formatting layer's filters, as every document uses them (builtins: no load)
    tpl = Template("{{ d|letter_date }} {{ m|money }} {{ d|screen_date }}")
    ctx = Context({"d": date(2026, 12, 7), "m": Decimal("1234.56")})
    with translation.override("es"):
        assert tpl.render(ctx) == "7 de diciembre de 2026 $1,234.56 Dec 07, 2026"
    with translation.override("en"):
        assert tpl.render(ctx) == "December 7, 2026 $1,234.56 Dec 07, 2026"


# what a template hands gettext, as `makemessages` would find it: {% translate %},
# {% blocktranslate %} and _("...") in filter arguments
GETTEXT_CALL = re.compile(r"""\b(?:gettext|_)\(u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""")


def _template_msgids() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "translate" not in text:
            continue
        for literal in GETTEXT_CALL.findall(templatize(text)):
            found.setdefault(ast.literal_eval(literal), set()).add(path.name)
    return found


def test_the_template_scanner_sees_every_kind_of_translated_text():
    got = set()
    for literal in GETTEXT_CALL.findall(
        templatize(
            '{% load i18n %}{% translate "Tendered" %}{% blocktranslate with a=x %}Pay {{ a }}'
            '{% endblocktranslate %}{{ d|date:_("F j, Y") }}'
        )
    ):
        got.add(ast.literal_eval(literal))
    assert got == {"Tendered", "Pay %(a)s", "F j, Y"}


@pytest.mark.parametrize("code", _languages())
def test_every_string_a_customer_document_translates_is_in_the_catalogue(code):
    """A sentence added to a notice, letter or receipt without its translation would print in
    English in the middle of a Spanish document: the catalogue must hold every one."""
    po = {m for _, m, msgstr, fuzzy in _po_entries(LOCALE / code / "LC_MESSAGES" / "django.po") if m}
    missing = {m: sorted(where) for m, where in _template_msgids().items() if m not in po}
    assert missing == {}
