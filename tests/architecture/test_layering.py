"""The one-way house: every import between our packages must follow the arrows in the README.

corpus/ -> ingest -> index_store -> rag -> service -> api, ui -> server -> cli
(tthc, the core, is imported by all and imports none of them.)
"""

from __future__ import annotations

import ast
from pathlib import Path

from tthc.settings import PROJECT_ROOT

# package -> the packages of ours it may import (itself always allowed)
ALLOWED: dict[str, set[str]] = {
    "tthc": set(),
    "index_store": {"tthc"},
    "ingest": {"tthc", "index_store"},
    "rag": {"tthc", "index_store"},
    "service": {"tthc", "index_store", "rag", "ingest"},
    "api": {"tthc", "service"},
    "ui": {"tthc", "service"},
    "server": {"tthc", "index_store", "service", "api", "ui"},
    "eval": {"tthc", "index_store", "ingest", "rag", "service", "tests"},
    "cli": {"tthc", "index_store", "ingest", "rag", "service", "server", "eval"},
}
# a writer's internals stay inside it: readers may use only what `ingest/__init__.py` exports
PUBLIC_ONLY = {"ingest": {"service"}}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def layering_violations(root: Path = PROJECT_ROOT) -> list[str]:
    problems = []
    for package, allowed in ALLOWED.items():
        for path in sorted((root / package).rglob("*.py")):
            for module, line in _imports(path):
                target = module.split(".")[0]
                if target not in ALLOWED and target != "tests" or target == package:
                    continue
                where = f"{path.relative_to(root)}:{line} imports {module}"
                if target not in allowed:
                    problems.append(f"{where}: {package} may not import {target}")
                elif package in PUBLIC_ONLY.get(target, set()) and module != target:
                    problems.append(f"{where}: {package} may use only what {target}/__init__.py exports")
    return problems


def test_imports_follow_the_layering():
    assert layering_violations() == []


def test_the_check_catches_a_reader_importing_the_writer(tmp_path):
    for package in ALLOWED:
        (tmp_path / package).mkdir()
    (tmp_path / "rag" / "bad.py").write_text("from ingest.pipeline import run_ingest\n", encoding="utf-8")
    (tmp_path / "service" / "bad.py").write_text("from ingest.pipeline import run_ingest\n", encoding="utf-8")
    (tmp_path / "tthc" / "bad.py").write_text("import cli.main\n", encoding="utf-8")
    problems = layering_violations(tmp_path)
    assert any("rag/bad.py" in p and "may not import ingest" in p for p in problems)
    assert any("service/bad.py" in p and "only what ingest/__init__.py exports" in p for p in problems)
    assert any("tthc/bad.py" in p and "may not import cli" in p for p in problems)
