"""Every finding code pmkit can report, gathered from the modules that declare them.

The catalog sits above the stages it lists, so no stage imports upward to be
counted: ``pmkit rules``, the README's list and the override check read here.
"""

from __future__ import annotations

from pmkit import rules
from pmkit.core.codes import Code, registered
from pmkit.engine import validate
from pmkit.ingest import gitsource, loader, schema, source

#: The modules whose import declares codes (besides the rules' own modules,
#: which ``pmkit.rules`` imports).
DECLARING = (rules, loader, schema, source, gitsource, validate)


def all_codes() -> list[Code]:
    """Every code, in layer order then alphabetically."""
    return registered()


def get(code_id: str) -> Code | None:
    return next((code for code in registered() if code.id == code_id), None)
