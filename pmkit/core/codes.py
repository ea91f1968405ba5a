"""The registry of finding codes.

Every code is declared once, beside the code that reports it, as a ``Code``
with its default severity, its layer and a one-paragraph doc. This module
only holds the type and the registry; ``pmkit.engine.catalog`` imports every
module that declares codes and lists them (``pmkit rules``, the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pmkit.core.findings import Severity

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


def registered() -> list[Code]:
    """The codes declared so far (``pmkit.engine.catalog`` imports every declaring module first)."""
    return sorted(_REGISTRY.values(), key=lambda c: (LAYERS.index(c.layer), c.id))
