"""The package's layers, as docs/architecture.md draws them, hold in the code.

Imports flow one way (ui → game → outputs → studies, sweep → core → scenario), with no cycle, no
import of another module's private name, no import of geosim inside a function except in the
command line (whose commands load only what they need), and no module over about 800 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"

#: Layer of each part of the package; a module may import its own layer and those below.
LAYERS = {
    "sim.folders": 0,
    "sim.scenario": 0,
    "sim.core": 1,
    "sim.studies": 2,
    "sim.sweep": 2,
    "sim.outputs": 3,
    "sim.game": 4,
    "sim.ui": 5,
    "sim.cli": 6,
    "sim.__main__": 7,
}
#: Parts of one layer that must not import each other.
INDEPENDENT = {("sim.studies", "sim.sweep"), ("sim.sweep", "sim.studies")}
#: Lines above which a module must say at its top why it is long.
LONG = 800
#: Packages of the optional ``sweep`` extra, and the modules that may load them on import (the
#: commands ``sweep`` and ``analyze``, which check for the extra first): a plain install runs
#: every other module.
SWEEP_EXTRA = {"dask", "distributed", "pyarrow", "SALib", "ema_workbench"}
SWEEP_RUNNERS = {"sim.sweep.analysis", "sim.sweep.executor", "sim.sweep.parts", "sim.sweep.store"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _part(module: str) -> str | None:
    return next((p for p in LAYERS if module == p or module.startswith(p + ".")), None)


def _imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """``(module, names, inside a function)`` of every import of geosim in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module == "sim" or child.module.startswith("sim."):
                    found.append((child.module, [a.name for a in child.names], inner))
            elif isinstance(child, ast.Import):
                found.extend((a.name, [], inner) for a in child.names if a.name.startswith("sim"))
            visit(child, inner)

    visit(tree, False)
    return found


def _loaded_on_import(path: Path) -> tuple[set[str], set[str]]:
    """``(geosim modules, other top-level packages)`` a module imports when it is imported.

    Imports inside functions and under ``if TYPE_CHECKING:`` (names for annotations) load
    nothing then, and are left out.
    """
    ours: set[str] = set()
    others: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                children = child.orelse
            else:
                children = [child]
            for item in children:
                if isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
                    names = [a.name for a in item.names]
                    _sort(item.module, {_target(item.module, n) for n in names}, ours, others)
                elif isinstance(item, ast.Import):
                    for alias in item.names:
                        _sort(alias.name, {alias.name}, ours, others)
                visit(item)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return ours, others


def _sort(module: str, targets: set[str], ours: set[str], others: set[str]) -> None:
    """File an import under geosim's modules (with their parent packages) or the others."""
    if module != "sim" and not module.startswith("sim."):
        others.add(module.split(".")[0])
        return
    for target in targets:
        parts = target.split(".")
        ours.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))


def _target(module: str, name: str) -> str:
    """The module an imported name is (``from sim.core import metrics``) or lives in."""
    candidate = f"{module}.{name}"
    return candidate if candidate in MODULES else module


def test_every_module_belongs_to_a_layer() -> None:
    loose = [m for m in MODULES if m not in ("sim",) and _part(m) is None]
    assert not loose, f"modules outside the layers: {loose}"


@pytest.mark.parametrize("module", [m for m in MODULES if _part(m)])
def test_imports_flow_down_the_layers(module: str) -> None:
    own = _part(module)
    for imported, names, _ in _imports(MODULES[module]):
        for target in {_target(imported, n) for n in names} or {imported}:
            part = _part(target)
            if part is None:  # the package's face, sim/__init__.py (its version)
                assert target == "sim", f"{module} imports {target}"
                continue
            assert LAYERS[part] <= LAYERS[own], f"{module} imports {target}, a layer above it"
            assert (own, part) not in INDEPENDENT, f"{module} imports {target}"


@pytest.mark.parametrize("module", list(MODULES))
def test_no_private_name_of_another_module_is_imported(module: str) -> None:
    for imported, names, _ in _imports(MODULES[module]):
        private = [
            n
            for n in names
            if n.startswith("_") and not n.startswith("__") and f"{imported}.{n}" not in MODULES
        ]
        assert not private or imported == module, f"{module} takes {private} from {imported}"


@pytest.mark.parametrize("module", [m for m in MODULES if m not in ("sim.cli", "sim")])
def test_no_module_imports_geosim_inside_a_function(module: str) -> None:
    nested = [m for m, _, inside in _imports(MODULES[module]) if inside]
    assert not nested, f"{module} imports {nested} inside a function (to dodge a cycle?)"


def test_the_import_graph_has_no_cycle() -> None:
    graph = {
        module: {
            t
            for imported, names, _ in _imports(path)
            for t in ({_target(imported, n) for n in names} or {imported})
            if t in MODULES and t != module
        }
        for module, path in MODULES.items()
        if module != "sim"  # its names load lazily, on first use
    }
    done: set[str] = set()

    def walk(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("import cycle: " + " → ".join([*trail, module]))
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            walk(target, [*trail, module])
        done.add(module)

    for module in graph:
        walk(module, [])


def test_only_the_sweep_runners_load_the_sweep_extra_on_import() -> None:
    loaded = {module: _loaded_on_import(path) for module, path in MODULES.items()}
    needs: dict[str, bool] = {}

    def needs_the_extra(module: str) -> bool:
        if module not in needs:
            needs[module] = False  # a cycle (another test's concern) adds nothing
            ours, others = loaded.get(module, (set(), set()))
            needs[module] = bool(others & SWEEP_EXTRA) or any(map(needs_the_extra, ours))
        return needs[module]

    needing = sorted(m for m in MODULES if needs_the_extra(m))
    assert set(needing) <= SWEEP_RUNNERS, f"load the sweep extra on import: {needing}"
    assert set(needing) == SWEEP_RUNNERS, "a runner no longer needs the extra: update the list"


@pytest.mark.parametrize("module", list(MODULES))
def test_long_modules_say_why(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    if text.count("\n") > LONG:
        docstring = ast.get_docstring(ast.parse(text)) or ""
        assert "lines because" in docstring, f"{module} is over {LONG} lines and says not why"


def test_the_checks_see_a_violation() -> None:
    """The checker itself finds what it forbids (a test that cannot fail is a defect)."""
    tree = "def f():\n    from sim.ui.app import page\n\nfrom sim.core.world import _secret\n"
    path = PACKAGE.parent / "tests" / "artifacts" / "fake_module.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(tree, encoding="utf-8")
    found = _imports(path)
    assert ("sim.ui.app", ["page"], True) in found
    assert ("sim.core.world", ["_secret"], False) in found


@pytest.mark.parametrize("module", [m for m in MODULES if not m.endswith("__main__")])
def test_every_module_has_its_test_module(module: str) -> None:
    path = MODULES[module]
    if path.name == "__init__.py":
        return  # a package's face: its names are tested where they live
    relative = path.relative_to(PACKAGE)
    test = PACKAGE.parent / "tests" / relative.parent / f"test_{relative.name}"
    assert test.is_file(), f"{module} has no {test.relative_to(PACKAGE.parent)}"
