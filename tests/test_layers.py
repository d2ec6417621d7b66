"""The package's layering, as written in pyproject.toml's import-linter contracts, holds (`lint-imports`).

The contracts say: entry points on top, then the readers of results (the class report, the
self-check), grading, the assignments, isolation, and the bottom that the student's kernel
imports; the kernel's side imports nothing of the grader's; no grading stage imports another;
no import cycle anywhere.
"""

import subprocess
import sys
from pathlib import Path

from autograder.settings import COURSE_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*arguments, cwd=COURSE_ROOT):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", *arguments], cwd=cwd, capture_output=True, text=True)


def test_every_import_contract_is_kept():
    """Does `lint-imports` find every contract of pyproject.toml kept?"""
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_grading_import_in_the_kernels_side_breaks_a_contract(tmp_path):
    """Would a checks module that imports the grading layer be caught (the contracts can fail)?"""
    import shutil

    copy = tmp_path / "course"
    shutil.copytree(COURSE_ROOT / "autograder", copy / "autograder", ignore=shutil.ignore_patterns("__pycache__", "*.npz"))
    shutil.copy(COURSE_ROOT / "pyproject.toml", copy / "pyproject.toml")
    checks = copy / "autograder" / "shared_checks.py"
    checks.write_text(checks.read_text() + "\nfrom autograder.grading import judge  # noqa\n")
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=copy, capture_output=True, text=True,
                            env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "The student's kernel imports nothing of the grader's side BROKEN" in " ".join(result.stdout.split())
    assert "autograder.shared_checks -> autograder.grading.judge" in result.stdout


def test_the_sandbox_hides_what_the_kernel_side_may_not_import():
    """Is what the sandbox hides from a student's kernel exactly what the kernel-side import contract forbids?"""
    import tomllib

    from tests.both_ways import GRADER_SIDE_MODULES

    contracts = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (kernel,) = [contract for contract in contracts if contract["name"].startswith("The student's kernel")]
    hidden = set(GRADER_SIDE_MODULES)
    assert hidden == set(kernel["forbidden_modules"])
