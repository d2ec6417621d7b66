"""Fixtures shared by the whole suite: the demo class, graded once per session by the real nbgrader pipeline."""

import functools
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.environment import quiet_tensorflow

# Kernels started by the tests inherit this (autograder/environment.py).
quiet_tensorflow()
# nbgrader runs `alembic` (this interpreter's script) when it creates a gradebook in this process.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

from autograder.assignments import all_assignments  # noqa: E402
from autograder.assignments.submission import unanswered  # noqa: E402
from autograder.demo import run_the_class  # noqa: E402
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
        results = run_the_class(
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


# Running on both cores (`make test`: pytest-xdist), a scope runs whole on one worker: the tests that read the graded
# class (every test file that names `graded_class`), so it is graded once, and otherwise each test file, so its module
# fixtures (a batch of hostile notebooks) are made once. The scopes with slow tests go first, the class first of all.
CLASS_GROUP = "the graded class"
TESTS_FOLDER = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=None)
def _reads_the_class(path):
    file = TESTS_FOLDER.parent / path
    return file.is_file() and "graded_class" in file.read_text()


def scope_of(nodeid):
    """The scope a test runs in: the graded class's, or its test file's."""
    path = nodeid.split("::")[0]
    return CLASS_GROUP if _reads_the_class(path) else path


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ByScope(LoadScopeScheduling):
        """pytest-xdist's scheduling by scope, with the course's scopes, in the order collected."""

        def __init__(self, config, log=None):
            super().__init__(config, log)
            config.option.loadscopereorder = False

        def _split_scope(self, nodeid):
            return scope_of(nodeid)

    return ByScope(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    slow = {scope_of(item.nodeid) for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (scope_of(item.nodeid) != CLASS_GROUP, scope_of(item.nodeid) not in slow))


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
