"""The package imports its own modules at module level, so that its imports
show its dependency graph (issue 13, house style lesson 22).

Deferring an import is for heavy third-party libraries, inside the one
module that wraps each (Jinja2 in ``render/env.py``, tree-sitter in
``source/c/syntax.py``, ...).  Two places may defer the package's own
modules, each on purpose and commented there:

- ``cli/__init__.py`` imports the chosen command's module by name
  (``importlib.import_module``, which is not an ``import`` statement), so
  that ``migspec lint`` never imports what ``check`` needs;
- ``pipeline.py`` imports each stage in the function that runs it, so that a
  cached ``lint`` imports no stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "ext" / "migspec"
ALLOWED = frozenset({"pipeline.py"})


def function_level_imports(source: str, package: str = "migspec") -> list[tuple[int, str]]:
    """(line, module) of each import of ``package``'s own modules inside a function."""
    found: list[tuple[int, str]] = []

    class Visitor(ast.NodeVisitor):
        depth = 0

        def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
            self.depth += 1
            self.generic_visit(node)
            self.depth -= 1

        visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

        def visit_Import(self, node: ast.Import) -> None:
            for alias in node.names:
                if self.depth and alias.name.split(".")[0] == package:
                    found.append((node.lineno, alias.name))

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            module = node.module or ""
            if self.depth and (node.level > 0 or module.split(".")[0] == package):
                found.append((node.lineno, "." * node.level + module))

    Visitor().visit(ast.parse(source))
    return found


def test_the_finder_sees_relative_absolute_and_nested_imports() -> None:
    source = (
        "import os\n"
        "from . import model\n"
        "def f():\n"
        "    import json\n"
        "    from .render import env\n"
        "    def g():\n"
        "        import migspec.load\n"
        "class C:\n"
        "    async def h(self):\n"
        "        from migspec import fsm\n"
        "    from . import x  # class body, run at import time\n"
    )
    assert function_level_imports(source) == [
        (5, ".render"),
        (7, "migspec.load"),
        (10, "migspec"),
    ]


def test_no_function_level_import_of_the_package_outside_the_allowed_places() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() not in ALLOWED
        for line, module in function_level_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "import these at module level:\n" + "\n".join(offenders)


def test_the_allowed_places_exist() -> None:
    # A renamed module would make the allowance silently cover nothing.
    for name in ALLOWED | {"cli/__init__.py"}:
        assert (PACKAGE / Path(name)).is_file(), name
