"""The package's shape, as docs/architecture.md draws it: no import cycles, small modules and functions, a top
level that holds only the core and subpackages that say what lives in them."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "plate_ocr"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES, MAX_FUNCTION_LINES, MAX_TOP_LEVEL_FILES = 300, 60, 8

# What each part may import, as the subpackages' docstrings say: the core at the bottom, cli at the top.
CORE = {"plate_format", "charset", "preprocess", "metrics", "configs"}
BELOW_TRAINING = CORE | {"models", "decoding", "synth", "data", "evaluation", "system", "checkpoints"}
MAY_IMPORT = {
    **{module: CORE for module in CORE},
    "models": set(),
    "decoding": CORE,
    "synth": CORE,
    "data": CORE | {"decoding", "synth"},
    "evaluation": CORE | {"synth"},
    "system": CORE | {"decoding", "evaluation"},
    "checkpoints": CORE | {"system"},
    "inference": BELOW_TRAINING,
    "training": BELOW_TRAINING,
    "synth.probes": BELOW_TRAINING,
    "labelling": BELOW_TRAINING | {"inference", "training"},
    "tools": BELOW_TRAINING | {"inference", "training", "synth.probes", "labelling"},
    "cli": BELOW_TRAINING | {"inference", "training", "synth.probes", "tools", "labelling"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The package's modules that `path` imports anywhere in it (at its top or inside a function)."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("plate_ocr"):
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
            imported |= {name for name in names if name in known}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names if alias.name in known}
    return imported


def test_no_import_cycles():
    names = {module_name(path): path for path in MODULES}
    # A package's __init__ holds only its docstring, so importing through it adds no edge.
    graph = {name: imported_modules(path, set(names)) - {name} for name, path in names.items()}
    packages = {name for name, path in names.items() if path.name == "__init__.py"}
    graph = {name: edges - packages for name, edges in graph.items()}
    visiting, done = [], set()

    def visit(name: str) -> None:
        if name in visiting:
            cycle = [*visiting[visiting.index(name) :], name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        visiting.append(name)
        for imported in sorted(graph[name]):
            visit(imported)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


def part_of(name: str) -> str:
    """The part of the package a module belongs to: a top-level module, a subpackage, or synth.probes."""
    parts = name.split(".")[1:]
    return "synth.probes" if parts[:2] == ["synth", "probes"] else parts[0]


def test_parts_import_only_the_parts_below_them():
    names = {module_name(path): path for path in MODULES if path.name != "__init__.py"}
    for name, path in names.items():
        part = part_of(name)
        for imported in imported_modules(path, set(names)):
            other = part_of(imported)
            assert other == part or other in MAY_IMPORT[part], f"{name} imports {imported}"


def test_packages_say_what_lives_in_them():
    for init in PACKAGE.rglob("__init__.py"):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{init} has no docstring saying what lives there"
        assert len(tree.body) == 1, f"{init} should hold its docstring only"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{node.name} is {length} lines"


def test_top_level_holds_the_core_and_subpackages():
    files = [path.name for path in PACKAGE.glob("*.py")]
    assert len(files) <= MAX_TOP_LEVEL_FILES, sorted(files)
