"""`keras-course check NOTEBOOK`: the score `nbgrader autograde` gives one notebook, on the student's own machine.

The check grades the notebook as `keras-course grade` grades a student
(`autograder/grading/one_student.py`): the real `nbgrader autograde`, with the course's own
`nbgrader_config.py`, in a private temporary course made for that one notebook: the test
cells are restored to the instructor's version and the hidden tests put back (when the
course's `source/` is in the checkout; otherwise the `release/` version, visible tests
only, and the report says so). Nothing of an nbgrader set-up is needed or touched: no
course folder, gradebook or exchange of the user's. The gradebook made from each
instructor notebook is cached, so a check costs one `nbgrader autograde` run.
"""

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.cells import cell_name, grade_id_of, is_test
from autograder.deadlines import METADATA_KEY
from autograder.errors import error_summary
from autograder.grading.nbgrader_commands import NbgraderFailed
from autograder.grading.one_student import CourseFiles, StudentFiles, grade_student, prepared_course
from autograder.grading.results import TestResult
from autograder.grading.stages.sandboxed_execute import PROGRESS_PREFIX
from autograder.isolation.sandbox import missing
from autograder.selfcheck.course import (
    CONFIG,
    CheckError,
    check_kernel,
    course_notebooks,
    find_course_root,
    identify,
    is_course_root,
    read_notebook,
)

STUDENT = "you"


@dataclass
class CheckReport:
    """The result of checking one notebook."""

    notebook: str
    assignment: str
    hidden_tests: bool
    question: str | None
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    graded: bool = True
    seconds: float = 0.0
    manual_points: float = 0.0  # the notebook's points a person grades, which no check decides
    due: str = ""  # when the assignment is due and the late penalty, as its released notebook says (or "")

    @property
    def points(self):
        return sum(test.points for test in self.tests)

    @property
    def max_points(self):
        return sum(test.max_points for test in self.tests)

    @property
    def passed(self):
        return self.graded and bool(self.tests) and all(test.passed for test in self.tests)

    def to_json(self):
        return {
            "notebook": self.notebook,
            "assignment": self.assignment,
            "hidden_tests": self.hidden_tests,
            "question": self.question,
            "graded": self.graded,
            "tests": [test.to_json() for test in self.tests],
            "points": self.points,
            "max_points": self.max_points,
            "manual_points": self.manual_points,
            "passed": self.passed,
            "notes": self.notes,
            "due": self.due,
            "seconds": round(self.seconds, 1),
        }


def progress_reader(on_progress):
    """A log-line reader that calls `on_progress(position, total, name)` for each cell nbgrader starts to run.

    (`run_check` also reports its own steps as `on_progress(0, 0, what)`.)
    """
    pattern = re.compile(rf"{PROGRESS_PREFIX} (\d+)/(\d+) (\S+)")

    def read(line):
        match = pattern.search(line)
        if match and on_progress:
            on_progress(int(match[1]), int(match[2]), match[3])

    return read


TIMEOUT_MESSAGE = "did not finish within {timeout} s, the time limit for one cell, and was stopped"


def errors_of(cell):
    """The error outputs of a code cell."""
    return [output for output in cell.get("outputs", []) if output.output_type == "error"]


def timed_out(cell):
    """Was the cell stopped at the time limit?

    Such a cell holds nbgrader's CellTimeoutError, often after the KeyboardInterrupt that the
    interrupt raised in the kernel.
    """
    return any(error.ename == "CellTimeoutError" for error in errors_of(cell))


def with_timeouts(results, autograded, timeout):
    """The results, with the timeout message in place of nbgrader's terse one for a test stopped at the time limit."""
    late = {grade_id_of(cell) for cell in autograded.cells if timed_out(cell)}
    for result in results:
        if result.grade_id in late and not result.passed:
            result.message = "this test " + TIMEOUT_MESSAGE.format(timeout=timeout)
    return results


def course_timeout(root):
    """The time limit per cell (seconds) that the course's nbgrader_config.py sets; nbgrader's default otherwise."""
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG, path=str(root)).load_config()
    return config.Execute.get("timeout", Execute.timeout.default_value)


# A check run outside the sandbox because this machine cannot run it says so, and why.
NOT_SANDBOXED = (
    "not sandboxed: your notebook ran with your own permissions, files and network, which is fine for your own "
    "notebook only (this machine cannot run the sandbox: {reasons})"
)


def run_check(path, course=None, assignment=None, question=None, timeout=None, on_progress=None, sandbox=None):
    """Check the notebook at `path` as `nbgrader autograde` grades it; return a CheckReport.

    `question` runs one test only (with the cells before it); `timeout` (seconds per cell) defaults
    to the course's. `sandbox`: True runs the notebook in the sandbox or refuses, False outside it,
    None (the default) in it where this machine can run it, else outside it with a note saying so.
    Raises CheckError when the notebook cannot be checked.
    """
    started = time.monotonic()
    path = Path(path)
    nb = read_notebook(path)
    root = Path(course).resolve() if course else find_course_root(path.parent)
    if not is_course_root(root):
        raise CheckError(f"{root} is not a course folder: it needs {CONFIG} and source/ or release/")
    reference, notes = identify(nb, path, course_notebooks(root), assignment)
    if question is not None and question not in reference.tests:
        raise CheckError(
            f"{question!r} is not a test of {reference.filename}; its tests are {', '.join(reference.tests)}"
        )
    check_kernel(reference)
    problems = missing()
    if sandbox and problems:
        raise CheckError(
            "cannot run the notebook in the sandbox here: " + "; ".join(problems)
            + ". On your own machine, with your own notebook, pass --no-sandbox."
        )
    if sandbox is None:
        sandbox = not problems
        if problems:
            notes.append(NOT_SANDBOXED.format(reasons="; ".join(problems)))
    timeout = timeout or course_timeout(root)
    say = on_progress or (lambda position, total, name: None)
    say(0, 0, f"{reference.assignment}/{reference.filename}: preparing the instructor's tests")
    course = CourseFiles(reference.assignment, (root / CONFIG).read_bytes(),
                         {reference.filename: reference.path.read_bytes()})
    try:
        prepared_course(course)
    except NbgraderFailed as error:
        raise CheckError(str(error)) from None
    say(0, 0, "starting nbgrader autograde")
    report = CheckReport(str(path), reference.assignment, reference.hidden_tests, question, notes=notes,
                         manual_points=reference.manual_points if question is None else 0.0, due=due_of(nb))
    options = ["--SandboxedExecute.progress=True", f"--Execute.timeout={int(timeout)}"]
    if question:
        options.append(f"--SandboxedExecute.only_grade_id={question}")
    if not sandbox:
        options.append("--SandboxSettings.enabled=False")
    graded = grade_student(course, StudentFiles(STUDENT, reference.assignment, {reference.filename: path.read_bytes()}),
                           options=options, on_line=progress_reader(on_progress))
    results = graded.results.get(reference.name)
    if results is None or reference.filename not in graded.files:
        report.graded = False
        report.notes.append(not_graded_reason(graded))
        report.tests = [
            TestResult(grade_id, 0.0, points, "not graded: see the note below")
            for grade_id, points in zip(reference.tests, reference.points) if question in (None, grade_id)
        ]
    else:
        autograded = nbformat.reads(graded.files[reference.filename].decode(), as_version=4)
        if question:
            results = [result for result in results if result.grade_id == question]
        report.tests = with_timeouts(results, autograded, timeout)
        causes = {result.cause for result in results if result.cause}
        report.notes.extend(answer_notes(autograded, timeout, said=causes))
        if graded.problem:
            report.notes.append(graded.problem)
    report.seconds = time.monotonic() - started
    return report


def due_of(nb):
    """When the notebook is due and the late penalty, as its release wrote them in its metadata; "" when it has none."""
    found = nb.metadata.get(METADATA_KEY, {})
    due = found.get("due") if isinstance(found, dict) else None
    return f"Due {due}. {found.get('late_rule', '')}".strip() if isinstance(due, str) else ""


def answer_notes(nb, timeout, said=()):
    """A note for each cell other than a test that stopped with an error or ran out of time.

    A test that fails with a NameError usually fails because the answer cell above it
    stopped: the note names that cell and its error, which is where to look. A cell already
    named as the cause of a failed test (in `said`, the causes in words) gets no note.
    """
    notes = []
    for cell in nb.cells:
        errors = errors_of(cell)
        if cell.cell_type != "code" or is_test(cell) or not errors:
            continue
        name = cell_name(grade_id_of(cell), cell.get("execution_count"))
        if any(name in cause for cause in said):
            continue
        if timed_out(cell):
            notes.append(f"{name} {TIMEOUT_MESSAGE.format(timeout=timeout)}; the cells after it ran without its results")
        else:
            error = errors[0]
            summary = error_summary(error.ename, error.get("evalue", ""), error.ename == "NotImplementedError")
            notes.append(f"{name} stopped with {summary[:250]}; the tests that use what it defines fail")
    return notes


def not_graded_reason(graded):
    """Why nbgrader gave no grades at all (`graded`, a `GradedStudent`), in one sentence and never its traceback.

    What the notebook did to its test cells, or that it is no notebook, when that is why; else a dead kernel; else
    the exception nbgrader logged (`GradedStudent.error`).
    """
    text = "\n".join(graded.log)
    if not graded.problem and ("DeadKernelError" in text or "Kernel died" in text or "kernel died" in text):
        return ("the notebook's kernel died while it ran (it ran out of memory, crashed, or exited), "
                "so nbgrader records no grade for it: every test scores 0")
    return graded.error or "nbgrader could not grade the notebook, so every test scores 0"
