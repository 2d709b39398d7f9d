"""The dependency order, checked on the source: `policy_engine` is pure Python (no Django, no app
of ours), and an app never imports one above it (README, Layout)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("common", "policy", "accounts", "payments", "counseling", "collections_app", "reports")
# The apps below collections; each may use common, policy and policy_engine and those below it.
BELOW_COLLECTIONS = ("accounts", "payments", "counseling")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Top-level package of every absolute import in a module (relative ones stay in the package)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def _modules(package: str, *, tests: bool = True) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    return [f for f in files if tests or "tests" not in f.relative_to(ROOT).parts]


def test_the_walk_finds_the_engine():
    assert len(_modules("policy_engine", tests=False)) > 10


def test_policy_engine_imports_neither_django_nor_any_app():
    forbidden = {"django", "rest_framework", *APPS}
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {top}"
        for path in _modules("policy_engine")
        for line, top in _imports(path)
        if top in forbidden
    ]
    assert offenders == []


@pytest.mark.parametrize("app", BELOW_COLLECTIONS)
def test_apps_below_collections_do_not_import_it(app):
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _modules(app)
        for line, top in _imports(path)
        if top in ("collections_app", "reports")
    ]
    assert offenders == []


def test_policy_storage_sits_below_accounts():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {top}"
        for path in _modules("policy")
        for line, top in _imports(path)
        if top in ("accounts", "payments", "counseling", "collections_app", "reports")
    ]
    assert offenders == []


def test_the_walk_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import django.db\nfrom collections_app.models import Notice\nfrom .x import y\n")
    assert [top for _, top in _imports(module)] == ["django", "collections_app"]
