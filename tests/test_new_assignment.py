"""Adding an assignment touches only its notebook and its folder: the template, added so to a copy, is graded.

A copy of the course gets the template's notebook in `source/04_new_assignment/` and its package
in `autograder/assignments/new_assignment/`, and nothing else. In that copy (its `autograder`
first on PYTHONPATH) the notebook agrees with its declaration, the layers hold, and a class of
the template's demo submissions is released, submitted, collected, autograded in the sandbox,
given feedback and exported by the real nbgrader, each student losing exactly the tests it must.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grading.nbgrader_commands import copy_course
from autograder.settings import COURSE_ROOT

pytestmark = pytest.mark.slow

TEMPLATE = COURSE_ROOT / "templates" / "new_assignment"
NAME = "04_new_assignment"

GRADE_THE_CLASS = """
import json, sys
from pathlib import Path
from autograder.assignments import all_assignments, assignment
from autograder.demo import run_the_class
from tests.consistency import course_problems

course = Path(sys.argv[1])
new = assignment("04_new_assignment")
students = [s for s in new.submissions if s.student_id in ("reference", "untouched", "not_scaled", "alternative")]
results = run_the_class(course, students, echo=lambda line: None)
print(json.dumps({
    "package": __import__("importlib").import_module(new.package).__file__,
    "problems": course_problems(course / "source", all_assignments()),
    "expected": {s.student_id: sorted(s.expected_lost) for s in students},
    "lost": {student: sorted(r.grade_id for r in found if not r.passed) if found is not None else None
             for (student, _), found in results.items()},
    "feedback": sorted(str(p.relative_to(course)) for p in (course / "feedback").rglob("*.html")),
}))
"""


@pytest.fixture(scope="module")
def course_with_the_template(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("course") / "course")
    shutil.copytree(COURSE_ROOT / "autograder", course / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(COURSE_ROOT / "pyproject.toml", course / "pyproject.toml")
    # The two places an assignment lives, and nothing else.
    (course / "source" / NAME).mkdir()
    shutil.copy(TEMPLATE / "notebook.ipynb", course / "source" / NAME / "new_assignment.ipynb")
    shutil.copytree(TEMPLATE / "package", course / "autograder" / "assignments" / "new_assignment")
    return course


def in_the_copy(course):
    """The environment of a process that imports the copy's `autograder` (and the suite's `tests`)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(course), str(COURSE_ROOT)])}


def test_an_assignment_added_from_the_template_is_graded_through_the_whole_class(course_with_the_template):
    """Does a class of the template's submissions go through the real nbgrader pipeline, each losing what it must?"""
    course = course_with_the_template
    run = subprocess.run([sys.executable, "-c", GRADE_THE_CLASS, str(course)], cwd=course, env=in_the_copy(course),
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["package"].startswith(str(course)), "the copy's package was graded"
    assert found["problems"] == []
    assert found["lost"] == found["expected"], found
    assert found["expected"]["untouched"] == ["my_function_values"] and found["expected"]["alternative"] == []
    assert f"feedback/reference/{NAME}/new_assignment.html" in found["feedback"]


def test_the_layers_hold_with_the_new_assignment(course_with_the_template):
    """Do the import contracts hold in the copy, the new assignment's checks counted on the kernel's side?"""
    checks = course_with_the_template / "autograder" / "assignments" / "new_assignment" / "checks.py"
    lint = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    kept = subprocess.run(lint, cwd=course_with_the_template, env=in_the_copy(course_with_the_template),
                          capture_output=True, text=True)
    assert kept.returncode == 0, kept.stdout[-2000:]
    original = checks.read_text()
    try:
        checks.write_text(original + "\nfrom autograder.grading import judge  # noqa\n")
        broken = subprocess.run(lint, cwd=course_with_the_template, env=in_the_copy(course_with_the_template),
                                capture_output=True, text=True)
    finally:
        checks.write_text(original)
    assert broken.returncode != 0
    assert "autograder.assignments.new_assignment.checks -> autograder.grading.judge" in broken.stdout
