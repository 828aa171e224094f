"""The dependency between commerce and payments is one-way (issue 10): cart, orders, coupons and
library (and the sellable kinds they sell) import nothing from payments, nor from the flows
that sit above both; and no module dodges a cycle with an import inside a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from authorhub.config import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "authorhub"
COMMERCE = ("cart", "orders", "coupons", "library", "commerce")
ABOVE_COMMERCE = ("authorhub.payments", "authorhub.flows")


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(module, line, inside a function) for every import of an authorhub module in a file."""
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, child.lineno, in_function))
            elif isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            visit(child, nested)

    visit(tree, False)
    return [entry for entry in found if entry[0].startswith("authorhub")]


def _commerce_files() -> list[Path]:
    return [
        path
        for package in COMMERCE
        if (SOURCE / package).is_dir()
        for path in sorted((SOURCE / package).rglob("*.py"))
    ]


def test_commerce_imports_nothing_from_payments_or_the_flows_above_it() -> None:
    files = _commerce_files()
    assert {path.parent.name for path in files} >= {"cart", "orders", "coupons", "library"}
    offending = [
        f"{path.relative_to(SOURCE)}:{line} imports {module}"
        for path in files
        for module, line, _ in _imports(path)
        if module.startswith(ABOVE_COMMERCE)
    ]
    assert offending == []


def test_commerce_payments_and_the_flows_import_nothing_inside_a_function() -> None:
    """A function-level import of our own code is how the orders <-> payments cycle was hidden
    (orders/refunds.py), and payments' services reached their task module; none is left."""
    files = [
        *_commerce_files(),
        *sorted((SOURCE / "flows").rglob("*.py")),
        *sorted((SOURCE / "payments").rglob("*.py")),
    ]
    offending = [
        f"{path.relative_to(SOURCE)}:{line} imports {module} inside a function"
        for path in files
        for module, line, inside in _imports(path)
        if inside
    ]
    assert offending == []


def test_loading_commerce_does_not_load_payments() -> None:
    """The same at run time: importing every commerce module leaves payments unloaded."""
    modules = [
        "authorhub." + ".".join(path.relative_to(SOURCE).with_suffix("").parts)
        for path in _commerce_files()
        if path.name != "__init__.py"
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('authorhub.payments', "
        "'authorhub.flows'))))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_task_references_name_declared_tasks() -> None:
    """A service defers by TaskRef (no import of its task module): each names a task the
    worker knows, on the same queue."""
    from authorhub.jobs import job_app
    from authorhub.payments import refunds, service

    job_app.perform_import_paths()
    for ref in (service.PROCESS_EVENT, refunds.SUBMIT_REFUND):
        assert job_app.tasks[ref.name].queue == ref.queue
