"""The layers hold: lint-imports passes on the project and fails on an import that points the wrong way."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    """The project's packages and pyproject.toml (nothing else lint-imports reads), under tmp_path."""
    root = tmp_path / "project"
    for package in PACKAGES:
        shutil.copytree(PROJECT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_project_keeps_its_import_contracts():
    result = _lint(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # core is the floor: it imports nothing of ours.
        ("core/errors.py", "from inventory import ledger", "Layers"),
        # The ledger does not know the documents that post to it.
        ("inventory/ledger.py", "from documents import lifecycle", "Layers"),
        # The kernel does not import the document apps (the old approvals-page circle).
        ("documents/views.py", "from sales import views", "Layers"),
        # Nothing below the top imports config (settings come through django.conf.settings).
        ("accounts/roles.py", "from config import middleware", "Layers"),
        # Document apps do not lean on each other.
        ("sales/models.py", "from purchasing.models import Supplier", "independent"),
    ],
)
def test_an_import_pointing_the_wrong_way_fails_the_lint(tmp_path, module, line, broken):
    root = _copy(tmp_path)
    target = root / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = _lint(root)
    assert result.returncode != 0, result.stdout
    report = result.stdout[result.stdout.index("Broken contracts") :]
    assert broken in report and module.removesuffix(".py").replace("/", ".") in report, report
