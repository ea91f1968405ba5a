"""Escaping and number formatting for the site's Markdown pages.

Every text that comes from YAML reaches a page through :func:`md_text` (or
:func:`md_cell` inside a table, :func:`link` for a URL). The page templates
make that the default: their environment passes every ``{{ ... }}`` value
that is not already marked safe through ``md_text``.

``md_text`` writes each character that Markdown, its common extensions or
HTML could act on as a numeric character reference (``*`` as ``&#42;``, ``<``
as ``&lt;``). Python-Markdown passes character references through untouched
and the browser shows the character, so ``**bold**``, ``[x](javascript:..)``,
``{: onclick=.. }``, ``| pipes |`` and ``<script>`` are shown as typed and
never act. The same output is safe inside the HTML blocks the templates write
(cards, badges), where Markdown does not run: one escape for both contexts.
Newlines and runs of white space fold into one space, so a text can never
start a block (a heading, a list, a code block) of its own.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from pmkit.core.vocabulary import money_grouped, shown

NULL = "—"

#: Characters written as character references wherever they appear.
ALWAYS = frozenset("&<>\\`*_[]()#|!{}~=^")
#: Characters written as references only at the start of the text, where they
#: would open a block (a list item, a definition, a thematic break).
AT_START = frozenset("-+:.")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ORDERED = re.compile(r"^(\d+)([.)])")


def _ref(ch: str) -> str:
    return _NAMED.get(ch) or f"&#{ord(ch)};"


def _visible(ch: str) -> bool:
    return unicodedata.category(ch) != "Cc" and ch not in _BIDI


#: str.translate tables: one pass in C per text instead of a Python test per
#: character (a large program's site escapes millions of characters).
#: Category Cc is exactly U+0000-U+001F and U+007F-U+009F.
_DROP = {cp: None for cp in (*range(0x20), *range(0x7F, 0xA0))} | {ord(ch): None for ch in _BIDI}
_ESCAPE = {ord(ch): _ref(ch) for ch in ALWAYS}


def md_text(value: Any) -> Markup:
    """A text from YAML, safe as Markdown inline text and as HTML text: on one line."""
    if value is None:
        return Markup("")
    text = " ".join(str(value).split()).translate(_DROP)
    ordered = _ORDERED.match(text)
    if ordered:  # "1. x" or "1) x" would start an ordered list
        mark = ordered.end(1)
        return Markup(text[:mark] + _ref(text[mark]) + text[mark + 1:].translate(_ESCAPE))
    if text[:1] in AT_START and text:
        return Markup(_ref(text[0]) + text[1:].translate(_ESCAPE))
    return Markup(text.translate(_ESCAPE))


def md_cell(value: Any) -> Markup:
    """A text for a table cell: like :func:`md_text` (``|`` cannot split the row), ``—`` when empty."""
    text = md_text(value)
    return text if text else Markup(NULL)


_CODE_SPAN = re.compile(r"&#96;(.+?)&#96;")


def md_message(value: Any) -> Markup:
    """A finding message for a table cell: like :func:`md_cell`, with its `code`
    spans shown as code (unbreakable) instead of literal backticks."""
    text = md_cell(value)
    return Markup(_CODE_SPAN.sub(r'<code class="pmkit-nobreak">\1</code>', str(text)))


def safe_url(url: Any) -> str | None:
    """The URL if it is an absolute http(s) URL, percent-encoded so that it cannot
    leave a Markdown link destination or an HTML attribute; else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if any(not _visible(ch) or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe="/:?#@!$&*+,;=%~-._")


def link(url: Any, label: Any = None) -> Markup:
    """A Markdown link to an http(s) URL from YAML; any other URL is shown as text."""
    href = safe_url(url)
    shown = md_text(label if label is not None else url)
    if href is None:
        return shown or Markup(NULL)
    return Markup(f"[{shown or md_text(href)}]({href})")


# ---------------------------------------------------------------- numbers

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


_fixed = shown


def _with_currency(amount: str, negative: bool, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency)
    text = f"{symbol}{amount}" if symbol else f"{amount} {currency}"
    return f"-{text}" if negative else text


def money(value: Any, currency: str = "USD") -> Markup:
    """A money amount from the rollup JSON (a string with the currency's minor
    digits), with thousands separators and the currency: ``$1,234.50``."""
    amount = _decimal(value)
    if amount is None:
        return Markup(NULL)
    places = max(0, -amount.as_tuple().exponent)  # type: ignore[operator]
    text = money_grouped(abs(amount), places)  # as rounded in the rollup
    return _escape_number(_with_currency(text, amount < 0, currency))


def money_short(value: Any, currency: str = "USD") -> Markup:
    """A money amount for a headline: ``$18.8M``, ``$940K``, ``$512``."""
    amount = _decimal(value)
    if amount is None:
        return Markup(NULL)
    size = abs(amount)
    for bound, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "K")):
        if size >= bound:
            text = f"{_fixed(size / bound, 1):f}{suffix}"
            break
    else:
        text = f"{_fixed(size, 0):f}"
    return _escape_number(_with_currency(text, amount < 0, currency))


def percent(value: Any) -> Markup:
    """A percentage from the rollup JSON, one decimal: ``69.4%``."""
    number = _decimal(value)
    return Markup(NULL) if number is None else _escape_number(f"{_fixed(number, 1)}%")


def points(value: Any) -> Markup:
    """A difference in percentage points, signed: ``+1.2 pts``, ``-4.5 pts``.

    A no-break space joins number and unit: on a phone a narrow table cell
    wrapped "-4.5" and "pts" onto two lines.
    """
    number = _decimal(value)
    if number is None:
        return Markup(NULL)
    fixed = _fixed(number, 1)
    return _escape_number(f"{fixed:+}\u00a0pts" if fixed != 0 else "0.0\u00a0pts")


def index(value: Any) -> Markup:
    """A performance index such as CPI, two decimals: ``1.14``."""
    number = _decimal(value)
    return Markup(NULL) if number is None else _escape_number(f"{_fixed(number, 2)}")


def fte(value: Any) -> Markup:
    number = _decimal(value)
    return Markup(NULL) if number is None else _escape_number(f"{_fixed(number, 2)}")


def number(value: Any) -> Markup:
    """A count or a metric value as written (``42``, ``2.5``)."""
    n = _decimal(value)
    if n is None:
        return Markup(NULL)
    text = f"{n:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _escape_number(text)


def css_percent(value: Any) -> Markup:
    """A percentage for a CSS length (``style="width:64.78%"``), clamped to 0-100."""
    number = _decimal(value)
    number = Decimal(0) if number is None else min(max(number, Decimal(0)), Decimal(100))
    return Markup(f"{_fixed(number, 2)}%")


def plural(count: Any, noun: str, nouns: str | None = None) -> Markup:
    """``1 milestone``, ``2 milestones`` (``nouns`` for irregular plurals)."""
    n = _decimal(count)
    word = noun if n == 1 else (nouns or noun + "s")
    return Markup(f"{number(count)} {md_text(word)}")


def _escape_number(text: str) -> Markup:
    """Formatted numbers hold digits, separators, signs and a currency symbol or
    code; only the currency code comes from YAML (schema-checked), escape anyway."""
    return Markup("".join(_ref(ch) if ch in ALWAYS else ch for ch in text))


def gap_rag(value: Any) -> str:
    """The colour of a schedule gap by the one RAG rule (``pmkit.rollup.rag.gap_rag``): green, amber or red."""
    from pmkit.rollup.rag import gap_rag as rule

    return rule(None if value is None else Decimal(str(value))) or "none"


FILTERS = {
    "md_text": md_text, "md_cell": md_cell, "link": link, "money": money, "money_short": money_short,
    "percent": percent, "points": points, "index": index, "fte": fte, "number": number,
    "css_percent": css_percent, "plural": plural, "md_message": md_message,
    "gap_rag": gap_rag,
}
