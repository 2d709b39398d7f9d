"""The check that keeps money printed one way: every template and PDF template that shows an
amount goes through the `money` filter (common.formatting). A template that prints
`${{ x.amount }}`, `{{ x.total|intcomma }}` or a bare `{{ x.balance }}` fails here."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# A variable whose last name is one of these holds money (Decimal dollars).
MONEY_NAME = re.compile(
    r"(?:^|_)(?:amount|amounts|total|balance|fee|fees|principal|commission|float|past_due|"
    r"payments|reversals|net|pledged|paid|taken|collect|collected|tendered|change|change_due|"
    r"written_off|billed|interest|cash|checks|cards|other|over_short|surplus|expenses|income|"
    r"monthly|down_payment|minimum|cap|offer|frozen|setoff|limit|room|held|refunded|owed|"
    r"poverty_line|credit_balance|available|recovered|amount_due|arrears_part|current_charges)$"
)
# names that end like money but are counts or words: a run's checks, a job's total, etc.
NOT_MONEY = {"checks", "held", "limit", "low_income", "installments_billed", "refund_checks"}
# whole variables that are counts (of accounts, of job items), not dollars
NOT_MONEY_VARS = {"run.total", "job.total", "waiting_total"}
MONEY_FILTERS = {"money", "over_short"}  # the formatting layer's filters that print dollars
COUNT_FILTERS = {"length", "pluralize", "as_crispy_field", "yesno"}
SHUTOFF_PAGE_COUNT = "{{ total|intcomma }} account"  # bill-cycle pager: a count of accounts
EXPR = re.compile(r"\{\{\s*(?P<expr>[^}]*?)\s*\}\}")
# machine-read places (form values, data attributes, progress bars) keep the plain number
MACHINE_ATTR = re.compile(r"""(?:value|max|min|data-[\w-]+|aria-valuenow)=["'][^"']*$""")
# a translated sentence names its values in the tag (`with amount=n.amount_due|money`) and prints
# `{{ amount }}` in its body: the check reads the body with each name put back as its expression
BLOCKTRANSLATE = re.compile(
    r"\{% blocktranslate (?P<head>[^%]*)%\}(?P<body>.*?)\{% endblocktranslate %\}", re.S
)
BINDING = re.compile(r"(\w+)=(\S+)")


def _bound(m: re.Match[str]) -> str:
    body = m.group("body")
    for name, expr in BINDING.findall(m.group("head")):
        body = re.sub(r"\{\{\s*" + name + r"\s*\}\}", "{{ " + expr + " }}", body)
    return body


def _money_var(expr: str) -> str | None:
    var = expr.split("|", 1)[0].strip()
    if not re.fullmatch(r"[A-Za-z_][\w.]*", var) or var.startswith("form.") or var in NOT_MONEY_VARS:
        return None  # a literal, a form field or a count
    if {f.split(":", 1)[0].strip() for f in expr.split("|")[1:]} & COUNT_FILTERS:
        return None
    last = var.rsplit(".", 1)[-1]
    if last in NOT_MONEY or not MONEY_NAME.search(last):
        return None
    return var


def money_violations(text: str) -> list[str]:
    """Each place a template shows money not through `|money`."""
    found = []
    text = BLOCKTRANSLATE.sub(_bound, text.replace(SHUTOFF_PAGE_COUNT, ""))
    if "{% comment" in text:
        text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
    for m in re.finditer(r"\$\s*\{\{", text):  # "$" glued to a value: the filter adds it
        found.append(text[m.start() : m.start() + 60])
    for m in EXPR.finditer(text):
        expr = m.group("expr")
        var = _money_var(expr)
        if var is None:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start : m.start()]
        if MACHINE_ATTR.search(before):
            continue
        filters = [f.split(":", 1)[0].strip() for f in expr.split("|")[1:]]
        if not MONEY_FILTERS & set(filters) or {"intcomma", "floatformat"} & set(filters):
            found.append(m.group(0))
    return found


def test_every_template_prints_money_through_the_money_filter():
    problems = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        bad = money_violations(path.read_text())
        if bad:
            problems[str(path.relative_to(TEMPLATES))] = bad
    assert problems == {}


def test_the_check_catches_the_ways_money_was_printed_before():
    # the regressions this check exists for: each one must be caught
    assert money_violations("<td>${{ interview.annual_income }}</td>")
    assert money_violations('<td class="money">{{ row.balance|intcomma }}</td>')
    assert money_violations("<p>${{ account.balance|floatformat:2|intcomma }}</p>")
    assert money_violations('<td class="r">{{ txn.total }}</td>')
    assert money_violations("<b>{{ n.amount_due }}</b>")
    assert money_violations(
        "{% blocktranslate with amount=n.amount_due %}Due <b>{{ amount }}</b>{% endblocktranslate %}"
    )
    # and what is right, or not money, passes
    assert not money_violations("<td>{{ interview.annual_income|money }}</td>")
    assert not money_violations(
        "{% blocktranslate with amount=n.amount_due|money %}Due <b>{{ amount }}</b>{% endblocktranslate %}"
    )
    assert not money_violations('<input value="{{ form.amount.value }}">')
    assert not money_violations('<progress max="{{ d.required_amount }}" value="{{ d.held_amount }}">')
    assert not money_violations("<td>{{ session.counted_check_count }}</td>")
    assert not money_violations("<td>{{ account.number }}</td>")
