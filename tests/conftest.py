"""Fixtures shared by the whole suite: the demo class, graded once per session by the real nbgrader pipeline."""

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from autograder.environment import quiet_tensorflow

# Kernels started by the tests inherit this (autograder/environment.py).
quiet_tensorflow()
# nbgrader runs `alembic` (this interpreter's script) when it creates a gradebook in this process.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

from autograder.assignments import all_assignments  # noqa: E402
from autograder.assignments.submission import unanswered  # noqa: E402
from autograder.demo import grade_class  # noqa: E402
from autograder.grading.nbgrader_commands import copy_course  # noqa: E402
from autograder.settings import COURSE_ROOT  # noqa: E402
from tests import grading_runs  # noqa: E402
from tests.postgres import postgres  # noqa: E402, F401 (one PostgreSQL server per session, for the tests that use it)


def the_class():
    """Every assignment's submissions, then one submission per solution cell left unanswered."""
    submissions = [submission for assignment in all_assignments() for submission in assignment.submissions]
    submissions += [submission for assignment in all_assignments()
                    for submission in unanswered(assignment, COURSE_ROOT / "source")]
    return tuple(submissions)


@dataclass(frozen=True)
class GradedClass:
    """A class released, submitted, collected, autograded, given feedback and exported, each assignment in a course copy.

    Each assignment is graded in a course folder of its own (`courses[assignment]`), so the
    assignments can be graded at the same time: nbgrader's SQLite gradebook takes one writer.
    """

    courses: dict  # assignment -> the course folder it was graded in
    submissions: tuple
    results: dict  # (student, assignment) -> [TestResult], or None when not graded

    def submission(self, student_id, assignment):
        return next(s for s in self.submissions if s.key == (student_id, assignment))

    def course(self, assignment):
        return self.courses[assignment]

    def path(self, stage, submission, suffix=".ipynb"):
        """The file of `submission` in `stage` (submitted, autograded, feedback) of its course."""
        return (self.courses[submission.assignment] / stage / submission.student_id / submission.assignment
                / f"{submission.notebook}{suffix}")


def grade_once(tmp_path_factory, name, submissions, **options):
    """Grade `submissions`, each assignment in a fresh copy of the course, all assignments at once.

    Each nbgrader step is recorded as a grading run.
    """
    assignments = sorted({submission.assignment for submission in submissions})
    # The threads below each make a temporary folder: pytest makes its base folder on first use, which two
    # threads at once can both do (each removing the other's), so it is made here first.
    tmp_path_factory.getbasetemp()

    def grade(assignment):
        course = copy_course(tmp_path_factory.mktemp(f"{name}-{assignment}"))
        results = grade_class(
            course, [submission for submission in submissions if submission.assignment == assignment],
            echo=lambda line: None,
            on_step=lambda title, seconds: grading_runs.record(f"{name}: {title}", seconds), **options,
        )
        return course, results

    with grading_runs.timed(f"{name}: {len(assignments)} assignments at once, {len(submissions)} submissions"):
        with ThreadPoolExecutor(max_workers=len(assignments)) as pool:
            graded = dict(zip(assignments, pool.map(grade, assignments)))
    results = {key: value for _, assignment_results in graded.values() for key, value in assignment_results.items()}
    return GradedClass({assignment: course for assignment, (course, _) in graded.items()}, tuple(submissions), results)


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The whole class (`the_class()`), graded once for every test that reads its grades, notebooks or feedback."""
    return grade_once(tmp_path_factory, "class", the_class())


# Running on both cores (`make test`: pytest-xdist, `--dist loadgroup`), a group runs whole on one worker: every
# test that reads the graded class (so it is graded once), and otherwise each test file (its module fixtures, such
# as a batch of hostile notebooks, are made once).
CLASS_GROUP = "the graded class"


def pytest_collection_modifyitems(config, items):
    for item in items:
        group = CLASS_GROUP if "graded_class" in getattr(item, "fixturenames", ()) else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session):
    """A worker hands its grading runs to the controller, which prints them (`pytest_testnodedown`)."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["grading_runs"] = list(grading_runs.RUNS)


def pytest_testnodedown(node, error):
    grading_runs.RUNS.extend(tuple(run) for run in getattr(node, "workeroutput", {}).get("grading_runs", []))


def pytest_terminal_summary(terminalreporter):
    if grading_runs.RUNS:
        terminalreporter.section("grading runs of this session")
        for line in grading_runs.summary_lines():
            terminalreporter.write_line(line)
