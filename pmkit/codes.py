"""The registry of finding codes.

Every code is declared once, beside the code that reports it, as a ``Code``
with its default severity, its layer and a one-paragraph doc.  ``pmkit rules``
and the README's list of codes are generated from this registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pmkit.findings import Severity

Layer = Literal["yaml", "schema", "reference", "business", "config"]
LAYERS: tuple[Layer, ...] = ("yaml", "schema", "reference", "business", "config")

_REGISTRY: dict[str, "Code"] = {}


@dataclass(frozen=True)
class Code:
    id: str
    severity: Severity
    layer: Layer
    doc: str
    #: Business rules may be switched off or re-graded in program.yaml
    #: ``checks:``; a file that does not parse cannot be waved through.
    configurable: bool = False

    def __post_init__(self) -> None:
        if self.id in _REGISTRY:
            raise ValueError(f"finding code {self.id!r} declared twice")
        _REGISTRY[self.id] = self

    @property
    def summary(self) -> str:
        """The first sentence of the doc, for one-line listings."""
        first = " ".join(self.doc.split())
        end = first.find(". ")
        return first if end < 0 else first[: end + 1]


def all_codes() -> list[Code]:
    """Every registered code, in layer order then alphabetically."""
    import pmkit.checks  # noqa: F401  (registers the rule modules)
    import pmkit.loader  # noqa: F401
    import pmkit.schema  # noqa: F401
    import pmkit.source  # noqa: F401
    import pmkit.validate  # noqa: F401  (the check-override code)

    return sorted(_REGISTRY.values(), key=lambda c: (LAYERS.index(c.layer), c.id))


def get(code_id: str) -> Code | None:
    all_codes()
    return _REGISTRY.get(code_id)
