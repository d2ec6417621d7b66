"""The course's assignments, each declared once in a subpackage of its own.

Each fact of a test is written once. The notebook in `source/` holds what nbgrader reads: each
graded cell's grade id and points (its nbgrader metadata) and its question (a test cell's
docstring; for a written answer, the question of the text cell above it). A subpackage
(`fix_simplenet/`, `layers_and_cnn/`, ...) holds what a notebook cannot: `ASSIGNMENT`, each
test's hint, the checks its cell calls, the answers it uses and how the grader decides it
(`GradedTest`, by keyword), its checks, and its demo submissions. `NotebookTest` joins the two
for whoever shows a test (the feedback, the class report, the demo); `tests/test_declarations.py`
checks that every graded cell has a declaration and every declaration a cell.

Adding an assignment is one folder here plus its notebook in `source/` (docs/contributors.md).
"""

import functools
import importlib
import pkgutil
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Callable

from autograder.assignments.hooks import GradingHooks
from autograder.cells import grade_id_of, is_graded, is_graded_by_hand, points_of, question_of
from autograder.settings import COURSE_ROOT


@dataclass(frozen=True)
class GradedTest:
    """What the assignment's Python says of one graded cell (the notebook says the rest: points, question).

    `hint` is what to look at when the test fails (for a written answer, what to check it against).
    `rubric`, for a written answer graded by hand, is how its points are given: the Formgrader shows
    it to the grader beside the instructor's own answer (autograder/grading/formgrader/), never to a
    student. `checks` are the functions the cell calls (visible and hidden region alike). `uses` names the
    answer cells the test needs: leaving any of them unanswered loses this test. A test with a
    `grader` is scored outside the student's kernel, by `grader(folder, limits)` in nbgrader's own
    process, from the files `artifacts` the notebook wrote; `limits` are the sandbox's
    (`autograder.isolation.sandbox.Limits`, or None), for any process it starts on those files.
    """

    grade_id: str
    _: KW_ONLY
    hint: str
    checks: tuple[Callable, ...] = ()
    uses: tuple[str, ...] = ()
    grader: Callable | None = None
    artifacts: tuple[str, ...] = ()
    rubric: str = ""

    @property
    def graded_outside_kernel(self):
        return self.grader is not None


@dataclass(frozen=True)
class NotebookTest:
    """One graded cell as its notebook holds it (grade id, points, question, graded by hand or not), with its
    declaration (`declared`: None for a graded cell the assignment does not declare)."""

    grade_id: str
    points: float
    question: str
    manual: bool
    declared: GradedTest | None

    @property
    def hint(self):
        return self.declared.hint if self.declared else ""

    @property
    def uses(self):
        return self.declared.uses if self.declared else ()

    @property
    def checks(self):
        return self.declared.checks if self.declared else ()

    @property
    def grader(self):
        return self.declared.grader if self.declared else None

    @property
    def artifacts(self):
        return self.declared.artifacts if self.declared else ()


@functools.lru_cache(maxsize=32)
def _read_graded_cells(path, modified):
    import nbformat  # only where a notebook is read: the kernel imports this package too

    nb = nbformat.read(path, as_version=4)
    return tuple((grade_id_of(cell), points_of(cell), question_of(nb.cells, index), is_graded_by_hand(cell))
                 for index, cell in enumerate(nb.cells) if is_graded(cell))


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
    """One assignment: its folder under `source/`, its notebook and the declarations of its graded cells.

    `package` is the subpackage that declares it; its `submissions` module lists the demo submissions.
    """

    name: str
    notebook: str
    title: str
    declared: tuple[GradedTest, ...]
    package: str
    # Whether the student's kernel may read MNIST's test split (assignment 3's may not: it would train on it).
    kernel_reads_test_split: bool = True
    # The answer cells that train a model: the tests that use them rest on the trained model (its predictions and
    # weights), which no seed draws.
    training_cells: tuple[str, ...] = ()
    # For an assignment graded on a trained model's accuracy: what the class report plots.
    training: TrainingSummary | None = None
    # The assignment's own steps in grading, if any: a `GradingHooks` subclass (autograder/assignments/hooks.py) on
    # the assignment's grader side, named "module:Class" and imported by the grader only (assignment 3's grader trains
    # the model its kernel planned).
    hooks: str | None = None

    def seeded_tests(self):
        """The autograded tests whose verdicts rest on inputs the checks draw from the grading's seed: every test the
        judge decides from the kernel's records but those of a trained model (which use one of `training_cells`)."""
        return tuple(test for test in self.declared if test.checks and not test.graded_outside_kernel
                     and not set(self.training_cells) & set(test.uses))

    @property
    def submissions(self):
        """The demo submissions of this assignment (`Submission`s), from its `submissions` module."""
        return importlib.import_module(f"{self.package}.submissions").SUBMISSIONS

    @property
    def filename(self):
        return f"{self.notebook}.ipynb"

    def notebook_path(self, course_root=COURSE_ROOT):
        """The instructor's notebook in `course_root` (`source/`), else its student version (`release/`)."""
        for folder in ("source", "release"):
            path = Path(course_root) / folder / self.name / self.filename
            if path.is_file():
                return path
        raise FileNotFoundError(f"{self.name}/{self.filename} is in neither source/ nor release/ of {course_root}")

    def tests(self, course_root=COURSE_ROOT):
        """Every graded cell of the assignment's notebook in `course_root`, in notebook order (`NotebookTest`s)."""
        path = self.notebook_path(course_root)
        return tuple(NotebookTest(*cell, self.test(cell[0]))
                     for cell in _read_graded_cells(str(path), path.stat().st_mtime_ns))

    def autograded(self, course_root=COURSE_ROOT):
        """The tests the autograder scores (every graded cell but the written answers graded by hand)."""
        return tuple(test for test in self.tests(course_root) if not test.manual)

    @property
    def grade_ids(self):
        """The grade ids of the autograded tests, as the course's own notebook holds them."""
        return frozenset(test.grade_id for test in self.autograded())

    def test(self, grade_id):
        """The declaration of the test `grade_id` of this assignment, or None."""
        return next((test for test in self.declared if test.grade_id == grade_id), None)

    def tests_using(self, cell_id):
        """The grade ids of the tests that need the answer of solution cell `cell_id`."""
        return frozenset(test.grade_id for test in self.declared if cell_id in test.uses)

    def grading_hooks(self):
        """The class of the assignment's grading hooks (`hooks`, imported now), or None."""
        if not self.hooks:
            return None
        module, _, name = self.hooks.partition(":")
        hooks = getattr(importlib.import_module(module), name)
        if not (isinstance(hooks, type) and issubclass(hooks, GradingHooks)):
            raise TypeError(f"{self.name}: hooks {self.hooks!r} is not a GradingHooks subclass")
        return hooks

    @property
    def grading_files(self):
        """What grading writes in the notebook's folder, never taken from a submission: tests' artifacts, hooks' files."""
        artifacts = (name for test in self.declared for name in test.artifacts)
        hooks = self.grading_hooks()
        return tuple(dict.fromkeys([*artifacts, *(hooks.files if hooks else ())]))


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
    return {test.grade_id: test for owner in all_assignments() for test in owner.declared if test.graded_outside_kernel}


def grading_files():
    """What grading writes in a notebook's folder, for every assignment (nbgrader never copies these)."""
    return tuple(dict.fromkeys(name for owner in all_assignments() for name in owner.grading_files))


def hint(grade_id):
    """The declared hint of the test `grade_id`, or "" for a grade id the course does not have."""
    _, test = find_test(grade_id)
    return test.hint if test else ""
