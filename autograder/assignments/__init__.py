"""The course's assignments, each declared once in a subpackage of its own.

A subpackage (`fix_simplenet/`, `layers_and_cnn/`, ...) holds everything about one
assignment that is code: `ASSIGNMENT`, its tests declared once (`GradedTest`: grade id, points,
question, hint, the checks its cell calls, what it is graded from), its checks, and its
demo submissions. The notebook in `source/` is where students see each test;
`tests/test_declarations.py` holds the two to each other.

Adding an assignment is one folder here plus its notebook in `source/` (CONTRIBUTING.md).
"""

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

from autograder.assignments.hooks import GradingHooks


@dataclass(frozen=True)
class GradedTest:
    """One graded cell, declared once: an autograded test, or a written answer graded by hand (`manual`).

    `question` is the cell's docstring, one line phrased as a question. `checks` are the
    functions the cell calls (visible and hidden region alike). `uses` names the solution
    cells whose answers the test needs: leaving any of them unanswered loses this test.
    A test with a `grader` is scored outside the student's kernel, by `grader(folder, limits)` in
    nbgrader's own process, from the files `artifacts` the notebook wrote; `limits` are the sandbox's
    (`autograder.isolation.sandbox.Limits`, or None), for any process it starts on those files.
    """

    grade_id: str
    points: float
    question: str
    hint: str
    checks: tuple[Callable, ...]
    uses: tuple[str, ...]
    grader: Callable | None = None
    artifacts: tuple[str, ...] = ()
    manual: bool = False

    @property
    def graded_outside_kernel(self):
        return self.grader is not None


@dataclass(frozen=True)
class TrainingSummary:
    """How the class report plots a training assignment: each student's accuracy against parameters and samples.

    `read(folder, notebook)` takes a student's autograded folder and notebook (plain JSON) and
    returns `(accuracy, params, samples)`, or None when the student's model was not measured.
    """

    read: Callable
    tiers: tuple  # ((minimum accuracy, points), ...)
    max_params: int


@dataclass(frozen=True)
class Assignment:
    """One assignment: its folder under `source/`, its notebook and its graded cells in notebook order.

    `package` is the subpackage that declares it; its `submissions` module lists the demo submissions.
    """

    name: str
    notebook: str
    title: str
    tests: tuple[GradedTest, ...]
    package: str
    # Whether the student's kernel may read MNIST's test split (assignment 3's may not: it would train on it).
    kernel_reads_test_split: bool = True
    # For an assignment graded on a trained model's accuracy: what the class report plots.
    training: TrainingSummary | None = None
    # The assignment's own steps in grading (a `GradingHooks` subclass, autograder/assignments/hooks.py), if any:
    # assignment 3's grader trains the model its kernel planned.
    hooks: type[GradingHooks] | None = None

    @property
    def submissions(self):
        """The demo submissions of this assignment (`Submission`s), from its `submissions` module."""
        return importlib.import_module(f"{self.package}.submissions").SUBMISSIONS

    @property
    def filename(self):
        return f"{self.notebook}.ipynb"

    @property
    def autograded(self):
        """The tests the autograder scores (every graded cell but the written answers graded by hand)."""
        return tuple(test for test in self.tests if not test.manual)

    def test(self, grade_id):
        """The test `grade_id` of this assignment, or None."""
        return next((test for test in self.tests if test.grade_id == grade_id), None)

    def tests_using(self, cell_id):
        """The grade ids of the tests that need the answer of solution cell `cell_id`."""
        return frozenset(test.grade_id for test in self.tests if cell_id in test.uses)

    @property
    def grading_files(self):
        """What grading writes in the notebook's folder, never taken from a submission: tests' artifacts, hooks' files."""
        artifacts = (name for test in self.tests for name in test.artifacts)
        return tuple(dict.fromkeys([*artifacts, *(self.hooks.files if self.hooks else ())]))

    @property
    def grade_ids(self):
        """The grade ids of the autograded tests."""
        return frozenset(test.grade_id for test in self.autograded)


def _discover():
    assignments = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        if module.ispkg:
            assignments.append(importlib.import_module(f"{__name__}.{module.name}").ASSIGNMENT)
    return tuple(assignments)


_ASSIGNMENTS = None


def all_assignments():
    """Every assignment of the course, in the order of their folders in `source/`."""
    global _ASSIGNMENTS
    if _ASSIGNMENTS is None:
        _ASSIGNMENTS = tuple(sorted(_discover(), key=lambda assignment: assignment.name))
    return _ASSIGNMENTS


def assignment(name):
    """The assignment whose folder is `name` (`01_fix_simplenet`), or None."""
    return next((found for found in all_assignments() if found.name == name), None)


def find_test(grade_id):
    """`(assignment, test)` for the test `grade_id` of any assignment, or `(None, None)`."""
    for owner in all_assignments():
        test = owner.test(grade_id)
        if test is not None:
            return owner, test
    return None, None


def graded_outside_kernel():
    """{grade_id: GradedTest} of every test scored outside the student's kernel."""
    return {test.grade_id: test for owner in all_assignments() for test in owner.tests if test.graded_outside_kernel}


def grading_files():
    """What grading writes in a notebook's folder, for every assignment (nbgrader never copies these)."""
    return tuple(dict.fromkeys(name for owner in all_assignments() for name in owner.grading_files))


def hint(grade_id):
    """The declared hint of the test `grade_id`, or "" for a grade id the course does not have."""
    _, test = find_test(grade_id)
    return test.hint if test else ""
