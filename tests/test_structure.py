"""The architecture, checked from the source: who may import whom, and where SQL may live.

Every module under ``src/backchannel`` is read with ``ast`` (nothing is imported, so an import made
inside a function counts as much as one at the top: both are a dependency).  The rules:

* no import cycle between modules (a cycle means neither module can be understood, or moved, alone);
* ``nlp/`` never imports ``store/`` or ``analysis/``: the language layer knows nothing of what is
  built on it;
* ``store/`` imports nothing from ``nlp/``: what the store needs about an actor arrives on the records;
* ``analysis/`` imports no actor registry and no lexicon from ``nlp/``: it works on stored signals;
* SQL (statements in string literals, ``sqlite3``/``psycopg`` imports) only in ``store/``: one door
  to the database.

A failure names every offending module and line.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from package_modules import is_package, modules, tree


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (the longest known module the import names)
    line: int

    def __str__(self) -> str:
        return f"{self.source} (line {self.line}) imports {self.target}"


def _known(name: str) -> str | None:
    """The longest prefix of ``name`` that is a module of the package."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in modules():
            return candidate
    return None


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package(module) else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> list[Import]:
    """Every import of a package module by ``module``, anywhere in its source."""
    found = []
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Import):
            names = [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            # "from pkg import sub" imports the submodule when there is one, else a name of pkg
            names = [(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base, node.lineno)
                     for alias in node.names]
        else:
            continue
        for name, line in names:
            target = _known(name)
            if target is not None and target != module and Import(module, target, line) not in found:
                found.append(Import(module, target, line))
    return found


def all_imports() -> list[Import]:
    return [imp for module in modules() for imp in imports_of(module)]


def external_imports(module: str) -> list[tuple[str, int]]:
    """Top-level names of the modules outside the package that ``module`` imports, with their lines."""
    out = []
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.Import):
            out += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.append((node.module.split(".")[0], node.lineno))
    return out


def within(module: str, layer: str) -> bool:
    """``module`` is ``backchannel.<layer>`` or inside it."""
    name = f"backchannel.{layer}"
    return module == name or module.startswith(name + ".")


def _report(title: str, offences: list) -> str:
    return title + ":\n  " + "\n  ".join(str(o) for o in offences)


# ---- cycles --------------------------------------------------------------------------------------------

def cycles(edges: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for e in edges:
        graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle_and_only_a_cycle():
    """The checker itself: a two-module loop is found, a chain is not."""
    a, b, c = list(modules())[:3]
    assert cycles([Import(a, b, 1), Import(b, a, 2)]) == [sorted([a, b])]
    assert cycles([Import(a, b, 1), Import(b, c, 2)]) == []


def test_no_import_cycle_between_modules():
    edges = all_imports()
    assert edges, "no import found: the walker is broken"
    loops = cycles(edges)
    assert not loops, "\n".join(
        _report(f"import cycle between {', '.join(loop)}",
                [e for e in edges if e.source in loop and e.target in loop])
        for loop in loops)


# ---- layers --------------------------------------------------------------------------------------------

def test_nlp_imports_neither_the_store_nor_the_analysis():
    bad = [e for e in all_imports() if within(e.source, "nlp") and (within(e.target, "store")
                                                                     or within(e.target, "analysis"))]
    assert not bad, _report("nlp/ reaches up into store/ or analysis/", bad)


def test_the_store_imports_nothing_from_nlp():
    bad = [e for e in all_imports() if within(e.source, "store") and within(e.target, "nlp")]
    assert not bad, _report("store/ imports from nlp/ (actor facts should arrive on the records)", bad)


def test_no_front_end_imports_another():
    """The web and the CLI are two front ends over the same layers; what both need (the export's writer, the
    chain notation) lives below them, so neither can break the other."""
    bad = [e for e in all_imports() if (within(e.source, "web") and within(e.target, "cli"))
           or (within(e.source, "cli") and within(e.target, "web") and not e.source.endswith("commands"))]
    assert not bad, _report("web/ and cli/ import each other", bad)


def test_the_analysis_imports_no_registry_and_no_lexicon():
    bad = [e for e in all_imports() if within(e.source, "analysis") and within(e.target, "nlp")
           and e.target.rsplit(".", 1)[-1] in ("registry", "lexicon")]
    assert not bad, _report("analysis/ imports the actor registry or a lexicon from nlp/", bad)


# ---- SQL -----------------------------------------------------------------------------------------------

SQL = re.compile(r"\b(?:SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|"
                 r"ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX|CREATE\s+VIEW|DROP\s+TABLE)\b")
DRIVERS = {"sqlite3", "psycopg", "psycopg2", "psycopg_pool"}


def sql_outside_the_store() -> list[str]:
    found = []
    for module in modules():
        if within(module, "store"):
            continue
        for node in ast.walk(tree(module)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{module} (line {node.lineno}): SQL in a string: {node.value.strip()[:60]!r}")
        found += [f"{module} (line {line}) imports the database driver {name}"
                  for name, line in external_imports(module) if name in DRIVERS]
    return found


def test_the_sql_pattern_knows_sql_from_prose():
    assert SQL.search("SELECT id, actor FROM signals WHERE stance = ?")
    assert SQL.search("ALTER TABLE signals ADD COLUMN kind TEXT")
    assert SQL.search("insert into x values (1)") is None  # keywords are matched as the store writes them
    assert SQL.search("Select the articles from the stream and update the floors") is None


def test_no_sql_outside_the_store():
    found = sql_outside_the_store()
    assert not found, _report("SQL outside store/", found)
