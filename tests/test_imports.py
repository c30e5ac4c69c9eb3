"""No import circle in linkdoctor, between modules or between packages, measured from the source with `ast`.

The rule: every `import` and `from ... import` of a linkdoctor name counts, wherever it is written
(module level, inside a function, under `if TYPE_CHECKING`): a lazy import is still a dependency.
`from package import name` is an edge to the submodule when `name` is one, else to the package.
At the package level each top-level part of linkdoctor (`linkdoctor.jobs`, `linkdoctor.config`...)
is one node and the root package (`linkdoctor/__init__.py`, the app factory) another: the root may
import everything, nothing may import it back.
"""

import ast
from pathlib import Path

import linkdoctor

PACKAGE_DIR = Path(linkdoctor.__file__).resolve().parent


def module_files() -> dict[str, Path]:
    """Every module of linkdoctor by its dotted name (a package by its own name)."""
    modules = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _known(name: str, modules) -> str | None:
    """The nearest module that `name` lives in (a name inside a module belongs to that module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """module -> the linkdoctor modules it imports."""
    modules = module_files()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [_known(alias.name, modules) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else _known(base, modules)
                           for alias in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t and t != name and t.startswith("linkdoctor"))
    return graph


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, imported in graph.items():
        edges = packages.setdefault(package_of(module), set())
        edges.update(package_of(t) for t in imported if package_of(t) != package_of(module))
    return packages


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            part = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                part.append(other)
                if other == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_lazy_and_module_level_imports():
    graph = import_graph()
    assert "linkdoctor.workers.pool" in graph["linkdoctor.paths"]  # module level
    assert "linkdoctor.jobs.runner" in graph["linkdoctor"]  # inside create_app
    assert "linkdoctor.web.api.scans" in graph["linkdoctor.web.api"]  # from package import submodule


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back():
    assert circles(import_graph()) == []


def test_no_package_imports_itself_back():
    packages = package_graph(import_graph())
    assert circles(packages) == []
    # The worker pool depends on nothing else of linkdoctor: the scan engine and the services use it.
    assert packages["linkdoctor.workers"] == set()
    assert "linkdoctor.workers" in packages["linkdoctor.scanner"]
