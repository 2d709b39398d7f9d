"""The translation catalogues are committed compiled (.mo) beside their sources (.po): a fresh
machine, a deploy and every Celery worker have the translations without a gettext build step.
These tests fail when a .po is edited and its .mo not recompiled (msgfmt -o django.mo django.po),
or when a language in LANGUAGES has no complete catalogue."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

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

    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.template import Context, Template

    tpl = Template('{% load humanize i18n %}{{ d|date:_("F j, Y") }} ${{ m }} ${{ m|intcomma }}')
    ctx = Context({"d": date(2026, 12, 7), "m": Decimal("1234.56")})
    with translation.override("es"):
        assert tpl.render(ctx) == "7 de diciembre de 2026 $1234.56 $1,234.56"
        assert intcomma(Decimal("1234.56")) == "1,234.56"
    with translation.override("en"):
        assert tpl.render(ctx) == "December 7, 2026 $1234.56 $1,234.56"
