"""The layout holds (docs/layout.md): no import circles, no hidden imports, the layer rule.

import-linter's contracts (pyproject.toml) hold the layers; this module holds what they do
not say: that no two modules import each other, directly or around a loop, and that an
import inside a function (invisible at the top of a module, where readers look) says why
it is there.
"""

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
APPS = ("core", "merchants", "industrybelts", "storefront")


def _import_circles() -> list[list[str]]:
    """Return each group of modules that import one another (Tarjan's strongly connected parts)."""
    graph = grimp.build_graph(*APPS, "config", cache_dir=None)
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0

    def visit(module):
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_circles():
    assert _import_circles() == []


def _function_imports_without_a_reason():
    """Yield file:line of each import inside a function with no comment on it or just above it."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            lines = source.splitlines()
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom) and not _has_reason(
                        lines, inner.lineno
                    ):
                        yield f"{path.relative_to(ROOT)}:{inner.lineno}"


def _has_reason(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or above its block of imports (blank lines allowed)."""
    if "#" in lines[lineno - 1]:
        return True
    above = lineno - 2
    while above >= 0:
        text = lines[above].strip()
        if text.startswith("#"):
            return True
        if text and not text.startswith(("from ", "import ", ")", "(")) and not text.endswith(","):
            return False
        above -= 1
    return False


def test_imports_inside_functions_say_why():
    assert list(_function_imports_without_a_reason()) == []


def test_the_layer_contracts_hold():
    """import-linter with the contracts of pyproject.toml (the same command as `make lint`)."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout
