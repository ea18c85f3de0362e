"""The modules of ``src/backchannel``, found by walking the source tree and read with ``ast``.

The structure and schema tests must not hard-code where a module lives (the layout changes), and the
structure test must not import anything (importing runs code and hides the cycles it looks for), so
both find modules, and the names those modules define, from the files themselves.
"""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "backchannel"


@cache
def modules() -> dict[str, Path]:
    """Dotted module name -> source file, for every module of the package (packages by their __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


@cache
def tree(module: str) -> ast.Module:
    path = modules()[module]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def is_package(module: str) -> bool:
    return modules()[module].name == "__init__.py"


def defines(module: str, name: str) -> bool:
    """``name`` is assigned, or is a function or class, at the top level of ``module`` (not imported)."""
    for node in tree(module).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def definitions(name: str) -> dict[str, Any]:
    """Module -> the value of ``name`` in every module that defines it (those modules are imported)."""
    return {m: getattr(importlib.import_module(m), name) for m in modules() if defines(m, name)}


def the_definition(name: str, holds: Any = None) -> Any:
    """The one value of ``name`` in the package (the one holding ``holds`` when several modules define it)."""
    found = {m: v for m, v in definitions(name).items() if holds is None or holds in v}
    assert len(found) == 1, f"expected one module defining {name!r} (holding {holds!r}), found {sorted(found)}"
    return next(iter(found.values()))
