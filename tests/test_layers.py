"""Every import points down the pipeline: core -> ingest -> domain -> rules
and rollup -> engine -> app (DEVELOPERS.md). Function-level imports count
too: a late import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pmkit"

#: Layer of each top-level part of the package, lowest first. ``rules`` and
#: ``rollup`` share a level and may not import each other: both read the
#: domain, neither knows the other.
LAYERS = {"core": 0, "ingest": 1, "domain": 2, "rules": 3, "rollup": 3, "engine": 4, "app": 5}
#: The package root (``__version__``) may be read by anyone; ``__main__`` is the top.
ROOT_LEVEL = {"__init__": -1, "__main__": 6}


def _part(module: str) -> str | None:
    """The layer name of a dotted ``pmkit.x.y`` module (None for the package root)."""
    parts = module.split(".")
    if parts[0] != "pmkit" or len(parts) == 1:
        return None
    return parts[1]


def _level(part: str | None) -> int:
    if part is None:
        return ROOT_LEVEL["__init__"]
    if part in LAYERS:
        return LAYERS[part]
    return ROOT_LEVEL.get(part, 99)


def _module_of(path: Path, root: Path = PACKAGE) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, imported module) of every pmkit import in the file, at any depth;
    ``from pmkit import x`` names ``pmkit.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_of(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("pmkit")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "pmkit":
                # ``from pmkit import __version__`` reads the root; ``from pmkit import rules`` a layer
                found += [(node.lineno, "pmkit" if a.name.startswith("__") else f"pmkit.{a.name}") for a in node.names]
            elif base.startswith("pmkit."):
                found.append((node.lineno, base))
    return found


def upward_imports(root: Path = PACKAGE) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        here = _part(_module_of(path, root))
        for line, target in imports(path, root):
            there = _part(target)
            if there == here:
                continue
            if there is not None and there not in LAYERS and there not in ROOT_LEVEL:
                bad.append(f"{path.relative_to(root.parent)}:{line}: {target} is in no layer")
            elif _level(there) > _level(here) or (_level(there) == _level(here) and there != here):
                bad.append(f"{path.relative_to(root.parent)}:{line}: {here} imports {target}")
    return bad


def test_every_module_lies_in_a_layer():
    for path in PACKAGE.iterdir():
        if path.name.startswith((".", "__pycache__")) or path.name == "schemas":
            continue
        assert path.stem in LAYERS or path.stem in ROOT_LEVEL, f"{path.name} is in no layer"


def test_every_import_points_down():
    assert upward_imports() == []


@pytest.mark.parametrize("source, layer", [
    ("def f():\n    from pmkit.app import cli\n", "core"),     # a function-level import
    ("from pmkit import rules\n", "ingest"),                   # from the package root
    ("from pmkit.rollup import figures\n", "rules"),           # a sibling layer
    ("from ..engine import cache\n", "domain"),                # a relative import
])
def test_the_check_catches_an_upward_import(tmp_path: Path, source: str, layer: str):
    package = tmp_path / "pmkit"
    (package / layer).mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / layer / "__init__.py").write_text("")
    (package / layer / "bad.py").write_text(source)
    assert len(upward_imports(package)) == 1
