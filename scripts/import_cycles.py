"""Print the import cycles among the project's own packages; exit 1 if there is any.

Reads every module of PACKAGES with `ast` (nothing is imported) and follows its imports of project
modules, at module level and inside functions alike: an import hidden in a function still ties the two
modules together. Imports under `if TYPE_CHECKING:` are left out, since they never run.

Two kinds of cycle are reported, one shortest path for each group of modules that reach each other:
between modules (`bot.index` -> `bot.embedding_cache` -> `bot.index`), and between the top-level
packages (`bot` -> `store` -> `bot`), which keeps each layer importable without the ones above it.

    .venv/bin/python scripts/import_cycles.py
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `replies` (the reply blocks and their renderers, issue 13) is checked once it exists.
PACKAGES = ("bot", "store", "actions", "web", "channels", "replies")

Graph = dict[str, set[str]]


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project's packages by dotted name (a package is its `__init__`)."""
    modules = {}
    for package in PACKAGES:
        if not (root / package).is_dir():
            continue
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    # Walk by hand rather than ast.walk so a TYPE_CHECKING block can be skipped whole.
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def _base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The project module `name` refers to: itself, or the nearest package above it that exists."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules that `module` imports, anywhere in its file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = _base(module, is_package, node)
            # `from pkg import sub` imports the module pkg.sub when there is one, else a name of pkg.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        found.update(t for t in (_owner(t, modules) for t in targets) if t and t != module)
    return found


def import_graph(root: Path = ROOT) -> Graph:
    """Module name -> the project modules it imports."""
    modules = module_files(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def package_graph(graph: Graph) -> Graph:
    """Top-level package -> the other top-level packages its modules import."""
    packages: Graph = {}
    for module, targets in graph.items():
        top = module.split(".")[0]
        packages.setdefault(top, set()).update(t.split(".")[0] for t in targets if t.split(".")[0] != top)
    return packages


def strongly_connected(graph: Graph) -> list[list[str]]:
    """The groups of nodes that reach each other (Tarjan's algorithm), only those of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def cycle_in(group: list[str], graph: Graph) -> list[str]:
    """One concrete cycle through the first member of a group, as a path that ends where it starts."""
    members, start = set(group), group[0]
    paths, seen = [[start]], {start}
    while paths:  # breadth first, so the cycle printed is a shortest one
        path = paths.pop(0)
        for target in sorted(graph[path[-1]] & members):
            if target == start:
                return path + [start]
            if target not in seen:
                seen.add(target)
                paths.append(path + [target])
    return group


def find_cycles(root: Path = ROOT) -> list[list[str]]:
    """Every import cycle, between modules and then between top-level packages, each as a path."""
    graph = import_graph(root)
    packages = package_graph(graph)
    return [cycle_in(g, graph) for g in strongly_connected(graph)] + [
        cycle_in(g, packages) for g in strongly_connected(packages)
    ]


def main(argv: list[str] | None = None) -> int:
    """Print each cycle on a line; 0 when there is none, 1 otherwise."""
    cycles = find_cycles()
    for cycle in cycles:
        print("import cycle: " + " -> ".join(cycle))
    if not cycles:
        print(f"no import cycles among {', '.join(p for p in PACKAGES if (ROOT / p).is_dir())}")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
