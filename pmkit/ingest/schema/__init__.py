"""Stage 2: each document against its kind's JSON Schema (Draft 2020-12).

jsonschema's messages are written for programmers ("Decimal('10.005') is not
a 'money'"); each error is turned into a finding with a code a program
manager can look up, the offending field by name, and a hint taken from the
schema's own description or a "did you mean".
"""

from __future__ import annotations

import difflib
import re
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from importlib import resources
from typing import TYPE_CHECKING, Any

from pmkit.core.codes import Code
from pmkit.core.findings import Finding, Severity, path_text
from pmkit.core.kinds import Kind
from pmkit.core.vocabulary import minor_digits
from pmkit.ingest.loader import Document

if TYPE_CHECKING:  # imported when first needed: a valid program never needs jsonschema (50 ms)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

MISSING_FIELD = Code(
    "missing-field", Severity.ERROR, "schema",
    "A required field is missing. The message names it and the hint says what "
    "it holds; add it to the record.",
)
UNKNOWN_FIELD = Code(
    "unknown-field", Severity.ERROR, "schema",
    "A field that this kind of record does not have, usually a typo "
    "(`owner` written `ower`). pmkit rejects it rather than ignore data you "
    "meant to set. The hint suggests the closest known field.",
)
WRONG_TYPE = Code(
    "wrong-type", Severity.ERROR, "schema",
    "A value of the wrong type: text where a number is expected "
    "(`progress: \"fifty\"`), a single value where a list is expected, a number "
    "where text is expected (quote it: `version: \"1.10\"`).",
)
INVALID_VALUE = Code(
    "invalid-value", Severity.ERROR, "schema",
    "A value that is not one of those allowed (a status, a category of rule, a "
    "severity) or breaks the field's form (an empty text, a period that is "
    "not `YYYY-MM`). The hint lists what is allowed.",
)
INVALID_DATE = Code(
    "invalid-date", Severity.ERROR, "schema",
    "A date that is not a real calendar date in the form `YYYY-MM-DD` "
    "(`2026-02-30`, `2026-13-01`, `5/1/2026`).",
)
INVALID_ID = Code(
    "invalid-id", Severity.ERROR, "schema",
    "An id or a reference to one that is not lower-case letters, digits and "
    "single dashes (`erp-replacement`, `t1`).",
)
OUT_OF_RANGE = Code(
    "out-of-range", Severity.ERROR, "schema",
    "A number outside its allowed range: a percent above 100 or below 0, a "
    "score outside 1–5, an effort or amount that must be positive.",
)
MONEY_PRECISION = Code(
    "money-precision", Severity.ERROR, "schema",
    "An amount with more decimal places than the program's currency has "
    "(`10.005` in USD). Money is exact in pmkit, so a fraction of a cent would "
    "be a real discrepancy; round it as your ledger does.",
)
SCHEMA_OTHER = Code(
    "schema-violation", Severity.ERROR, "schema",
    "The record breaks its JSON Schema in a way no more specific code covers; "
    "the message says how.",
)

PRIVATE_KEYWORD = "x-pmkit-private"


def decimal_places(value: int | Decimal) -> int:
    """Decimal places a number really has (``10.50`` has 1, ``1E-9`` has 9).

    Read from the digits, not by arithmetic: ``value % 0.01`` raises
    DivisionImpossible from 10**28 on and rounds ``1E-999999999`` to zero,
    which would accept a fraction of a cent.
    """
    if isinstance(value, int) or not value.is_finite():
        return 0
    _, numerals, exponent = value.as_tuple()
    significant = len(numerals)
    while significant and numerals[significant - 1] == 0:
        significant -= 1
    if not significant:
        return 0
    return max(0, -(int(exponent) + len(numerals) - significant))


def schema_dir() -> Any:
    return resources.files("pmkit") / "schemas"


@cache
def load_schema(kind_name: str) -> dict[str, Any]:
    """A kind's schema, with numbers as Decimal so bounds compare exactly."""
    text = (schema_dir() / f"{kind_name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text, parse_float=Decimal)


@cache
def validator(kind_name: str, digits: int = 2) -> Draft202012Validator:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=("date",))

    for places in DECIMALS:
        checker.checks(f"decimals-{places}")(partial(_at_most_places, places=places))

    @checker.checks("email")
    def _email(value: object) -> bool:
        # One definition of an e-mail address for both validators: jsonschema's
        # own (an "@" anywhere) took `ann@`, which jsonschema-rs refuses, so the
        # pre-check said "invalid" and the reference found nothing to report.
        return not isinstance(value, str) or _email_check().is_valid(value)

    @checker.checks("money")
    def _money(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return True  # the type keyword reports non-numbers
        return decimal_places(value) <= digits

    return _validator_class()(_end_anchors(load_schema(kind_name)), format_checker=checker)


def _end_anchors(node: Any) -> Any:
    """The schema with each pattern's final ``$`` as ``\\Z``.

    JSON Schema patterns are ECMA-262, where ``$`` matches only at the end
    of the text; in Python's ``re`` it also matches before a final newline,
    so ``id: "ann\\n"`` (or a ``|`` block) passed as a valid id here while
    jsonschema-rs and other validators reject it.
    """
    if isinstance(node, dict):
        out = {k: _end_anchors(v) for k, v in node.items()}
        pattern = out.get("pattern")
        if isinstance(pattern, str) and pattern.endswith("$") and not pattern.endswith("\\$"):
            out["pattern"] = pattern[:-1] + "\\Z"
        return out
    if isinstance(node, list):
        return [_end_anchors(v) for v in node]
    return node


def _is_integer(checker: Any, instance: object) -> bool:
    """JSON Schema's integer: any number without a fractional part, `30.0` too.

    jsonschema knows only int and float; a YAML `30.0` is a Decimal here, and
    must be an integer as it is for jsonschema-rs (the pre-check), editors and
    every other validator of the published schemas.
    """
    if isinstance(instance, Decimal):
        return instance.is_finite() and decimal_places(instance) == 0
    from jsonschema import Draft202012Validator

    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


@cache
def _validator_class() -> type[Draft202012Validator]:
    """Draft 2020-12 with integers as JSON Schema means them (``_is_integer``)."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )


def _money_as_multiple(node: Any, quantum: Decimal) -> Any:
    """The schema with ``format: money`` spelled as ``multipleOf`` the quantum.

    Only for the compiled pre-check, which is exact on Decimal instances;
    the published schemas keep the format, because float ``multipleOf``
    rejects amounts such as 0.07 in other validators.
    """
    if isinstance(node, dict):
        out = {k: _money_as_multiple(v, quantum) for k, v in node.items()}
        if out.get("format") == "money":
            del out["format"]
            if quantum == 1:
                # jsonschema-rs checks an integer ``multipleOf`` in binary
                # floating point (8000.0000000000000000001 passed); its
                # ``integer`` type and fractional ``multipleOf`` are exact
                # (tests/test_schema_differential.py).
                out["type"] = "integer"
            else:
                out["multipleOf"] = float(quantum)
        places = _places_of(out.get("format"))
        if places is not None:  # the same exact spellings as money
            del out["format"]
            if places == 0:
                out["type"] = "integer"
            else:
                out["multipleOf"] = float(Decimal(1).scaleb(-places))
        return out
    if isinstance(node, list):
        return [_money_as_multiple(v, quantum) for v in node]
    if isinstance(node, Decimal):
        return int(node) if node == node.to_integral_value() else float(node)
    return node


#: ``format: decimals-N``: a number with at most N decimal places (effort,
#: percentages, objective values), read from the digits like money, so a
#: value such as 1e-999999 is a finding before any arithmetic sees it.
DECIMALS = (0, 1, 2, 3, 4, 5, 6)


def _at_most_places(value: object, places: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return True  # the type keyword reports non-numbers
    return decimal_places(value) <= places


def _places_of(fmt: object) -> int | None:
    if isinstance(fmt, str) and fmt.startswith("decimals-") and fmt[9:].isdigit():
        return int(fmt[9:])
    return None


@cache
def _email_check() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for({"format": "email"}, validate_formats=True)


@cache
def fast_validator(kind_name: str, digits: int = 2) -> Any | None:
    """A compiled validator that answers only "valid or not", or None.

    Nearly every file of a program is valid; jsonschema-rs says so ~50x
    faster than jsonschema, which then runs only on the files that are not,
    to produce its detailed errors. tests/test_schema_fast.py checks that
    both agree on the whole test corpus.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    schema = _money_as_multiple(load_schema(kind_name), Decimal(1).scaleb(-digits))
    return jsonschema_rs.validator_for(schema, validate_formats=True)


@dataclass
class SchemaResult:
    findings: list[Finding] = field(default_factory=list)
    #: document path -> indexes of invalid list entries, or None if the
    #: whole document is invalid.
    invalid: dict[str, set[int] | None] = field(default_factory=dict)


def validate(documents: list[Document], currency: str | None = None) -> SchemaResult:
    result = SchemaResult()
    digits = minor_digits(currency)
    for doc in documents:
        fast = fast_validator(doc.kind.name, digits)
        if fast is not None and fast.is_valid(doc.data):
            continue
        for error in validator(doc.kind.name, digits).iter_errors(doc.data):
            result.findings.extend(findings_for(doc, error, digits))
            _mark_invalid(result.invalid, doc, tuple(error.absolute_path))
    return result


#: Keywords of a list that constrain each entry alone: with no others, a
#: list is valid when each of its entries is.
_PER_ENTRY = frozenset({"type", "items", "description", "title", "examples"})


def entries_valid(doc: Document, positions: list[int], currency: str | None = None) -> bool:
    """Whether ``doc`` is valid, given that it was with other entries at
    ``positions`` of its list and everything else the same. False means
    "not shown": ``validate`` then says what is wrong, and where."""
    key = doc.kind.list_key
    digits = minor_digits(currency)
    fast = fast_validator(doc.kind.name, digits)
    if key is None or fast is None or not set(load_schema(doc.kind.name)["properties"][key]) <= _PER_ENTRY:
        return False
    entries = doc.data[key]
    return bool(fast.is_valid({**doc.data, key: [entries[i] for i in positions]}))


def _mark_invalid(invalid: dict[str, set[int] | None], doc: Document, path: tuple[Any, ...]) -> None:
    list_key = doc.kind.list_key
    if list_key is not None and len(path) >= 2 and path[0] == list_key and isinstance(path[1], int):
        entries = invalid.setdefault(doc.path, set())
        if entries is not None:
            entries.add(path[1])
    else:
        invalid[doc.path] = None


_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"text `{value}`" if value else "empty text"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (int, Decimal)):
        return f"`{_number(value)}`"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _number(value: Any) -> str:
    """A number as a message shows it: as written when short, else rounded to
    a few digits (a 5,001-digit integer cannot even be turned into text)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, int) and value.bit_length() <= 200:
        return str(value)
    number = Decimal(value)
    if isinstance(value, Decimal) and len(number.as_tuple().digits) <= 60 and abs(number.adjusted()) <= 60:
        return str(value)
    return f"about {number:.6E}" if number.is_finite() else str(number)


_TYPE_WORDS = {
    "string": "text", "number": "a number", "integer": "a whole number",
    "object": "a mapping of fields", "array": "a list", "boolean": "true or false",
    "null": "empty",
}


def _describe(schema: dict[str, Any]) -> str | None:
    text = schema.get("description")
    if not isinstance(text, str):
        return None
    first = " ".join(text.split())
    return first


def findings_for(doc: Document, error: ValidationError, digits: int) -> list[Finding]:
    """One jsonschema error as findings (one per extra field for unknown ones).

    An error at or under a private field never quotes its value: the
    message says where and what kind of problem, and nothing of the value."""
    path = tuple(error.absolute_path)
    if is_private(doc.kind, path) and error.validator not in ("required", "additionalProperties"):
        return [_private_finding(doc, error, path, digits)]
    where = path_text(path, doc.data)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    def make(code: Code, message: str, hint: str | None = None, at: tuple[Any, ...] = path, on: str = "value") -> Finding:
        line, column = doc.locate(at, on)
        return Finding(doc.path, line, column, code.id, message, code.severity, hint)

    if kind == "required":
        required: Any = error.validator_value  # jsonschema's stubs type it loosely: a list of names here
        present: Any = error.instance or {}
        missing = [name for name in required if name not in present]
        out = []
        for name in missing:
            prop = schema.get("properties", {}).get(name, {})
            out.append(make(MISSING_FIELD, f"`{name}` is missing from {where}", _describe(prop), on="key"))
        return out
    if kind == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        out = []
        instance: Any = error.instance  # a mapping, for additionalProperties
        for extra in sorted(set(instance) - set(known)):
            # 0.7: `titel` -> `title`, `hired` -> `hired_as`, but not `country` -> `contracts`.
            close = difflib.get_close_matches(extra, known, n=1, cutoff=0.7)
            hint: str | None = f"did you mean `{close[0]}`?" if close else f"known fields: {', '.join(known)}"
            out.append(make(UNKNOWN_FIELD, f"`{extra}` is not a field of {where}", hint, at=(*path, extra), on="key"))
        return out
    if kind == "type":
        wanted: Any = error.validator_value
        words = " or ".join(str(_TYPE_WORDS.get(t, t)) for t in (wanted if isinstance(wanted, list) else [wanted]))
        hint = None
        if wanted == "string" and schema.get("format") == "date":
            # `done: true` or `start: 2026` is not text a date could be read from: ask for the date itself.
            return [make(WRONG_TYPE, f"{where} must be a date, not {_show(error.instance)}",
                         "write the date as YYYY-MM-DD, e.g. 2026-10-31")]
        shown = _show(error.instance)
        if wanted == "string" and isinstance(error.instance, (int, Decimal, bool)):
            typed = doc.typed(path)
            if typed and not typed.startswith(("{", "[", '"', "'")) and typed != shown.strip("`"):
                shown = f"`{typed}`"  # `invoice: 0011` was read as the number 11: say what was typed
            hint = f'put the value in quotes to keep it as text: "{typed or error.instance}"'
        return [make(WRONG_TYPE, f"{where} must be {words}, not {shown}", hint or _describe(schema))]
    if kind == "enum" or kind == "const":
        values: Any = error.validator_value if kind == "enum" else [error.validator_value]
        allowed = [str(v) for v in values]
        close = difflib.get_close_matches(str(error.instance), allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed: {', '.join(allowed)}"
        return [make(INVALID_VALUE, f"{where} cannot be {_show(error.instance)}", hint)]
    if kind == "format" and error.validator_value == "money":
        return [make(MONEY_PRECISION, f"{where} `{_number(error.instance)}` has more than {digits} decimal places",
                     f"round it to {digits} decimal places" if digits else "amounts in this currency are whole numbers")]
    if kind == "format" and _places_of(error.validator_value) is not None:
        places = _places_of(error.validator_value)
        return [make(OUT_OF_RANGE, f"{where} {_show(error.instance)} has more than {places} decimal places",
                     f"round it to {places} decimal places" if places else "write a whole number")]
    if kind in ("format", "pattern") and schema.get("format") == "date":
        if isinstance(error.instance, str) and not _DATE_SHAPE.fullmatch(error.instance):
            return [make(INVALID_DATE, f"{where} {_show(error.instance)} is not written YYYY-MM-DD",
                         "write dates as YYYY-MM-DD, with two-digit months and days, e.g. 2026-12-08")]
        return [make(INVALID_DATE, f"{where} {_show(error.instance)} is not a real date", "write dates as YYYY-MM-DD")]
    if kind == "format" and error.validator_value == "email":
        return [make(INVALID_VALUE, f"{where} {_show(error.instance)} is not an e-mail address",
                     "write it as name@example.org")]
    if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
        # The error is on a key of the mapping (a budget category): point at that key.
        at = (*path, error.instance)
        if kind == "pattern":
            suggestion = "-".join(error.instance.lower().replace("_", " ").split())
            return [make(INVALID_ID, f"`{error.instance}` in {where} is not a valid id",
                         f"ids use lower-case letters, digits and dashes, e.g. `{suggestion}`", at=at, on="key")]
        return [make(INVALID_VALUE, f"`{error.instance}` in {where}: {_plain(error)}", _describe(schema), at=at, on="key")]
    if kind == "pattern" and schema.get("pattern", "").startswith("^[a-z0-9]"):
        suggestion = "-".join(str(error.instance).lower().replace("_", " ").split())
        return [make(INVALID_ID, f"{where} {_show(error.instance)} is not a valid id",
                     f"ids use lower-case letters, digits and dashes, e.g. `{suggestion}`")]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        limits = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                  "exclusiveMaximum": "less than"}
        return [make(OUT_OF_RANGE, f"{where} is {_number(error.instance)}, but must be {limits[kind]} {error.validator_value}",
                     _describe(schema))]
    if kind == "pattern":  # a currency code, a period: say what is wrong, not the regex
        return [make(INVALID_VALUE, f"{where} cannot be {_show(error.instance)}", _describe(schema))]
    if kind in ("minLength", "minItems", "maxLength", "maxItems", "uniqueItems", "minProperties", "propertyNames"):
        return [make(INVALID_VALUE, f"{where}: {_plain(error)}", _describe(schema))]
    return [make(SCHEMA_OTHER, f"{where}: {_plain(error)}", _describe(schema))]


def _plain(error: ValidationError) -> str:
    """jsonschema's message with Python reprs of our Decimals cleaned up."""
    return error.message.replace("Decimal('", "").replace("')", "")


_LIMITS = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
           "exclusiveMaximum": "less than"}


def _private_finding(doc: Document, error: ValidationError, path: tuple[Any, ...], digits: int) -> Finding:
    """The finding for an error in a private field: what is wrong and where,
    in words of the schema only (bounds, formats, types), never the value."""
    where = path_text(path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind, wanted = error.validator, error.validator_value
    code, problem = SCHEMA_OTHER, f"does not meet `{kind}`"
    if kind == "format" and wanted == "money":
        code, problem = MONEY_PRECISION, f"has more than {digits} decimal places"
    elif kind == "format" and wanted == "email":
        code, problem = INVALID_VALUE, "is not an e-mail address"
    elif kind in ("format", "pattern") and schema.get("format") == "date":
        code, problem = INVALID_DATE, "is not a real date"
    elif kind == "type":
        words = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in (wanted if isinstance(wanted, list) else [wanted]))
        code, problem = WRONG_TYPE, f"must be {words}"
    elif kind in _LIMITS:
        code, problem = OUT_OF_RANGE, f"must be {_LIMITS[kind]} {wanted}"
    elif kind in ("enum", "const", "pattern", "format", "minLength", "maxLength"):
        code, problem = INVALID_VALUE, "is not an allowed value"
    line, column = doc.locate(path, "value")
    return Finding(doc.path, line, column, code.id, f"{where} {problem} (the value is private and not shown)",
                   code.severity, _describe(schema))


def is_private(kind: Kind, path: tuple[Any, ...]) -> bool:
    """Whether the JSON ``path`` is a private field of ``kind`` or lies under one."""
    for private in private_paths(kind):
        if len(path) >= len(private) and all(
            p == "*" and isinstance(step, int) or p == step for p, step in zip(private, path)
        ):
            return True
    return False


@cache
def private_paths(kind: Kind) -> list[tuple[str, ...]]:
    """JSON paths (with ``*`` for list items) of a kind's private fields."""
    found: list[tuple[str, ...]] = []

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        if node.get(PRIVATE_KEYWORD) is True:
            found.append(path)
        for name, sub in node.get("properties", {}).items():
            walk(sub, (*path, name))
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "*"))

    walk(load_schema(kind.name), ())
    return found

