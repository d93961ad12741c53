"""Imports between Chamado's apps point down the layers, and no modules import each other in a
circle.

Every .py file of chamado/ (migrations aside) is read with `ast`: imports at module level and
inside functions alike, since a function-level import is still a dependency and still closes a
circle when the function runs. Imports under `if TYPE_CHECKING:` count for the layers (they
are a dependency) but not for circles (they never run).

To add an app: one line in ALLOWED, naming the apps it may import.
"""

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chamado"

# The layers, low to high: core <- accounts <- services <- tickets <- mail; then web (shared by
# the surfaces); then the surfaces portal, desk and api, which never import each other; then
# ops and config at the top, which nothing imports.
DOMAIN = frozenset({"core", "accounts", "services", "provisioning", "tickets", "mail", "kb"})
SURFACE_MAY_USE = DOMAIN | {"web"}

# Each app of chamado/ and the other apps it may import. Adding an app is one line here.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "accounts": frozenset({"core"}),
    "services": frozenset({"core", "accounts"}),
    "provisioning": frozenset({"core", "accounts", "services"}),  # a billing system's ids
    "tickets": frozenset({"core", "accounts", "services"}),
    "mail": frozenset({"core", "accounts", "services", "tickets"}),
    "kb": frozenset({"core", "accounts"}),
    "inbox": frozenset({"core", "accounts", "services", "tickets", "mail"}),
    "hooks": frozenset({"core", "accounts", "services", "tickets"}),  # webhooks
    "web": DOMAIN,
    "portal": SURFACE_MAY_USE,
    "desk": SURFACE_MAY_USE | {"inbox"},
    "api": SURFACE_MAY_USE,
    "ops": DOMAIN | {"inbox", "hooks"},
    # urls mounts the surfaces
    "config": SURFACE_MAY_USE | {"inbox", "hooks", "portal", "desk", "api"},
    "cli": frozenset(),  # chamado/cli.py, the `chamado` command: sets the settings, no more
}


@dataclass(frozen=True)
class Import:
    """One imported module: where (file, line) and from which module to which."""

    file: str
    line: int
    source: str  # dotted module name of the importing file
    target: str  # dotted module name imported
    in_function: bool = False
    typing_only: bool = False  # under `if TYPE_CHECKING:`

    def __str__(self) -> str:
        where = " (inside a function)" if self.in_function else ""
        return f"{self.file}:{self.line} imports {self.target}{where}"


def app_of(module: str) -> str:
    """`chamado.tickets.models` -> `tickets`, `chamado.cli` -> `cli`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


# ---- The pure core: a list of imports in, messages out ---------------------------------------


def layer_violations(imports: Iterable[Import], allowed: Mapping[str, Iterable[str]]) -> list[str]:
    """Each import from one app into another that the rule table does not allow."""
    problems = []
    for item in imports:
        source, target = app_of(item.source), app_of(item.target)
        if source == target:
            continue
        if source not in allowed:
            problems.append(f"{item}: app {source!r} has no line in ALLOWED (tests/test_layers.py)")
        elif target not in allowed[source]:
            may = ", ".join(sorted(allowed[source])) or "no other app"
            problems.append(f"{item}: {source} may not import {target} ({source} may import {may})")
    return problems


def import_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One circle per strongly connected group of the graph, as a path that ends where it
    starts (`[a, b, a]`); a node importing itself is a circle too. Sorted, so stable."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    circles = []
    for group in groups:
        start = group[0]
        if len(group) == 1 and start not in graph.get(start, ()):
            continue
        circles.append(_path_back(graph, start, set(group)))
    return sorted(circles)


def _path_back(graph: Mapping[str, Iterable[str]], start: str, group: set[str]) -> list[str]:
    """A shortest path from start back to start inside its group (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph.get(node, ())):
                if nxt not in group or nxt in came_from:
                    continue
                came_from[nxt] = node
                if nxt == start:
                    path = [start]
                    while len(path) == 1 or path[-1] != start:
                        path.append(came_from[path[-1]])
                    return path[::-1]
                following.append(nxt)
        frontier = following
    raise AssertionError(f"{start} is in a group but no path leads back")  # pragma: no cover


def cycle_messages(imports: Iterable[Import]) -> list[str]:
    """The circles among the imports that run, each with the file and line of every step."""
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], Import] = {}
    for item in imports:
        if item.typing_only:
            continue
        graph.setdefault(item.source, set()).add(item.target)
        where.setdefault((item.source, item.target), item)
    messages = []
    for circle in import_cycles(graph):
        steps = "\n".join(f"  {where[step]}" for step in pairwise(circle))
        messages.append(f"import circle {' -> '.join(circle)}:\n{steps}")
    return messages


# ---- Reading the files -----------------------------------------------------------------------


def module_name(path: Path, root: Path) -> str:
    """chamado/tickets/models.py -> chamado.tickets.models; a package's __init__ -> the package."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if "migrations" not in path.relative_to(root).parts:
            yield path


class _ImportFinder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[ast.Import | ast.ImportFrom, bool, bool]] = []
        self._functions = 0
        self._typing = 0

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions += 1
        self.generic_visit(node)
        self._functions -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_If(self, node: ast.If) -> None:
        test = ast.unparse(node.test)
        if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self._typing += 1
            for child in node.body:
                self.visit(child)
            self._typing -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append((node, self._functions > 0, self._typing > 0))

    visit_ImportFrom = visit_Import


def imports_in(root: Path) -> list[Import]:
    """Every import of one of root's own modules by a module under root (the package root)."""
    files = {module_name(path, root): path for path in python_files(root)}
    package = root.name
    found = []
    for source, path in files.items():
        finder = _ImportFinder()
        finder.visit(ast.parse(path.read_text(), filename=str(path)))
        is_package = path.name == "__init__.py"
        for node, in_function, typing_only in finder.found:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:  # relative: from its package upwards
                    anchor = source.split(".")[: len(source.split(".")) - node.level + is_package]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from chamado.tickets import actions` imports the module chamado.tickets.actions
                names = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    for alias in node.names
                ]
            for name in dict.fromkeys(names):
                if name != package and not name.startswith(package + "."):
                    continue
                target = name
                while target not in files and "." in target:  # `import a.b.attr` -> a.b
                    target = target.rsplit(".", 1)[0]
                found.append(
                    Import(
                        file=str(path.relative_to(root.parent)),
                        line=node.lineno,
                        source=source,
                        target=target,
                        in_function=in_function,
                        typing_only=typing_only,
                    )
                )
    return found


# ---- Chamado ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chamado_imports() -> list[Import]:
    return imports_in(PACKAGE)


def test_every_app_has_a_line_in_the_rule_table() -> None:
    apps = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    apps |= {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert apps - ALLOWED.keys() == set(), "add a line for each new app to ALLOWED"
    assert ALLOWED.keys() - apps == set(), "ALLOWED names an app that is gone"


def test_the_rule_table_points_one_way() -> None:
    assert import_cycles(ALLOWED) == []
    surfaces = {"portal", "desk", "api"}
    assert all(not (ALLOWED[s] & surfaces) for s in surfaces), "surfaces never import each other"
    assert not any("ops" in may or "config" in may for may in ALLOWED.values()), "top is top"


def test_imports_between_apps_go_down_the_layers(chamado_imports: list[Import]) -> None:
    assert len(chamado_imports) > 100, "the scan found Chamado's imports"
    problems = layer_violations(chamado_imports, ALLOWED)
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_no_import_circle_between_chamado_modules(chamado_imports: list[Import]) -> None:
    problems = cycle_messages(chamado_imports)
    assert not problems, "\n".join(problems)


# ---- The checker itself, on tiny graphs: it can fail ------------------------------------------


def _imp(source: str, target: str, line: int = 1) -> Import:
    return Import(f"{source.replace('.', '/')}.py", line, source, target)


def test_layer_check_names_the_file_and_import_that_go_up_or_sideways() -> None:
    allowed = {"core": set(), "tickets": {"core"}, "portal": {"core", "tickets"}, "desk": {"core"}}
    imports = [
        _imp("chamado.tickets.models", "chamado.core.errors"),  # down: fine
        _imp("chamado.tickets.models", "chamado.tickets.sla"),  # same app: fine
        _imp("chamado.core.demo", "chamado.tickets.actions", line=7),  # up
        _imp("chamado.portal.views", "chamado.desk.forms", line=3),  # sideways
        _imp("chamado.kb.views", "chamado.core.errors", line=2),  # no line in the table
    ]
    assert layer_violations(imports, allowed) == [
        "chamado/core/demo.py:7 imports chamado.tickets.actions: core may not import tickets "
        "(core may import no other app)",
        "chamado/portal/views.py:3 imports chamado.desk.forms: portal may not import desk "
        "(portal may import core, tickets)",
        "chamado/kb/views.py:2 imports chamado.core.errors: app 'kb' has no line in ALLOWED "
        "(tests/test_layers.py)",
    ]


def test_cycle_finder_on_a_synthetic_graph() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert import_cycles({"a": {"b", "c"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "c", "a"]]
    assert import_cycles({"x": {"x"}, "y": {"z"}, "z": {"y"}}) == [["x", "x"], ["y", "z", "y"]]


def test_cycle_check_names_each_step() -> None:
    imports = [
        _imp("chamado.mail.notify", "chamado.mail.tasks", line=29),
        _imp("chamado.mail.tasks", "chamado.mail.render", line=11),
        _imp("chamado.mail.render", "chamado.mail.notify", line=11),
    ]
    assert cycle_messages(imports) == [
        "import circle chamado.mail.notify -> chamado.mail.tasks -> chamado.mail.render -> "
        "chamado.mail.notify:\n"
        "  chamado/mail/notify.py:29 imports chamado.mail.tasks\n"
        "  chamado/mail/tasks.py:11 imports chamado.mail.render\n"
        "  chamado/mail/render.py:11 imports chamado.mail.notify"
    ]


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "chamado" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "chamado"


def test_the_scan_catches_a_circle_closed_inside_a_function(tmp_path: Path) -> None:
    """The shape of mail's notify -> tasks -> render -> notify, on disk."""
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "mail/__init__.py": "",
            "mail/notify.py": "def send():\n    from chamado.mail.tasks import delivery_send\n",
            "mail/tasks.py": "from chamado.mail import render\n",
            "mail/render.py": "from chamado.mail.notify import thread_id\n",
            "mail/migrations/0001_initial.py": "import chamado.mail.tasks\n",
        },
    )
    assert cycle_messages(imports_in(package)) == [
        "import circle chamado.mail.notify -> chamado.mail.tasks -> chamado.mail.render -> "
        "chamado.mail.notify:\n"
        "  chamado/mail/notify.py:2 imports chamado.mail.tasks (inside a function)\n"
        "  chamado/mail/tasks.py:1 imports chamado.mail.render\n"
        "  chamado/mail/render.py:1 imports chamado.mail.notify"
    ]


def test_the_scan_reads_every_kind_of_import(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "__init__.py": "",
            "cli.py": "import os\n",
            "core/__init__.py": "",
            "core/errors.py": "",
            "core/models.py": (
                "from typing import TYPE_CHECKING\n"
                "import chamado.core.errors\n"
                "from . import errors\n"
                "from .errors import NotFound\n"
                "if TYPE_CHECKING:\n"
                "    from chamado.desk.views import queue\n"
                "def f():\n"
                "    import chamado.tickets.models.Ticket\n"
            ),
            "tickets/__init__.py": "",
            "tickets/models.py": "from chamado.core import models, errors as e\n",
            "desk/__init__.py": "",
            "desk/views.py": "from chamado.core.models import X\n",
        },
    )
    imports = imports_in(package)
    found = {(i.source, i.target, i.line, i.in_function, i.typing_only) for i in imports}
    assert found == {
        ("chamado.core.models", "chamado.core.errors", 2, False, False),
        ("chamado.core.models", "chamado.core.errors", 3, False, False),
        ("chamado.core.models", "chamado.core.errors", 4, False, False),
        ("chamado.core.models", "chamado.desk.views", 6, False, True),
        ("chamado.core.models", "chamado.tickets.models", 8, True, False),
        ("chamado.tickets.models", "chamado.core.models", 1, False, False),
        ("chamado.tickets.models", "chamado.core.errors", 1, False, False),
        ("chamado.desk.views", "chamado.core.models", 1, False, False),
    }
    # core -> desk under TYPE_CHECKING is still against the layers, but runs in no circle.
    assert [p.split(":")[0] for p in layer_violations(imports, ALLOWED)] == [
        "chamado/core/models.py",
        "chamado/core/models.py",
    ]
    assert cycle_messages(imports) == [
        "import circle chamado.core.models -> chamado.tickets.models -> chamado.core.models:\n"
        "  chamado/core/models.py:8 imports chamado.tickets.models (inside a function)\n"
        "  chamado/tickets/models.py:1 imports chamado.core.models"
    ]
