"""Run the real nbgrader commands on a course folder, and read back what they graded.

The one runner (`run_nbgrader`) and the one result type (`TestResult`) of the course:
`keras-course check`, the demo and the test suite all grade through them.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade, is_solution

from autograder.assignments import hint

COURSE_ROOT = Path(__file__).resolve().parent.parent.parent
# The error name of a cell the sandbox stopped or did not run (a limit, a dead kernel): its reason says it all.
STOPPED = "NotebookStopped"


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error."""


def nbgrader_env():
    """The environment nbgrader needs: this interpreter's scripts on PATH (it runs `alembic`) and quiet TensorFlow."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    return env


def _ending_with_parent(command):
    """`command` run so that it ends when the process that started it dies (util-linux's `setpriv --pdeathsig`).

    A Dask worker killed in the middle of a student then leaves no nbgrader grading on behind it.
    The signal is SIGINT: Python turns it into KeyboardInterrupt, so nbgrader still closes the
    sandbox (its processes and cgroups) on the way out, which SIGTERM would not let it do.
    Where `setpriv` is missing, the command runs as it is.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "INT", "--", *command] if setpriv else command


def run_nbgrader(course_dir, *args, check=True, on_line=None, env=None):
    """Run `nbgrader ARGS` in `course_dir`; return its log lines (stdout and stderr, in order).

    Each line goes to `on_line` as it comes. With `check`, an exit code other than 0 raises
    `NbgraderFailed` (autograde exits 1 when a kernel died, and still grades the others).
    `env` adds variables to nbgrader's environment.
    """
    process = subprocess.Popen(
        _ending_with_parent([sys.executable, "-m", "nbgrader", *args]), cwd=course_dir,
        env={**nbgrader_env(), **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if on_line:
            on_line(lines[-1])
    process.wait()
    if check and process.returncode != 0:
        raise NbgraderFailed(f"`nbgrader {' '.join(args)}` exited {process.returncode}:\n" + "\n".join(lines)[-3000:])
    return lines


def grade_id_of(cell):
    """The nbgrader id of a cell, or None."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    """Is the cell an autograded test (a graded code cell that is not an answer)?"""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def autograded_cells(nb):
    """The autograded test cells of a notebook, in order."""
    return [cell for cell in nb.cells if is_test(cell)]


def failure_message(cell):
    """The text a failed test cell shows: its error (name and message), what it wrote to stderr, or else what it printed.

    A cell that scores partial credit fails without an error; what it printed says why.
    """
    printed = []
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip()
        if output.output_type == "stream" and output.name == "stderr":
            return f"wrote to stderr: {output.text.strip()[:300]}"
        if output.output_type == "stream":
            printed.append(output.text)
    return "".join(printed).strip()[-600:]


def course_hint(grade_id, message):
    """The declared hint of a failed test, unless its failure message carries one or the notebook was stopped."""
    return "" if "Hint:" in message or message.startswith(STOPPED) else hint(grade_id)


def split_hint(message):
    """`(message, hint)` of a failure message, which ends in "Hint: ..." when the check gave one."""
    text, _, own_hint = message.partition("\nHint:")
    return text.strip(), own_hint.strip()


# What to do about a test that failed because an earlier cell failed: that cell, not the test, needs the work.
CAUSE_HINT = "fix that cell first: this test needs what it defines, and will run once it does."


@dataclass
class TestResult:
    """One autograded test of one student: the points nbgrader gave, and why it failed, with a hint."""

    __test__ = False  # not a pytest test class

    grade_id: str
    points: float
    max_points: float
    message: str = ""  # why it failed, without the hint
    hint: str = ""  # what to look at: the check's own hint, else the test's declared one
    cause: str = ""  # the earlier cell whose failure made this test fail, in words, when there is one

    @property
    def passed(self):
        return self.points >= self.max_points

    def to_json(self):
        return {**asdict(self), "passed": self.passed}


def result_of(cell, points, max_points, cause=""):
    """The `TestResult` of an autograded test cell given its score: the message and hint only when it failed.

    With a `cause` (the earlier cell that failed, in words) the hint says to fix that cell first.
    """
    grade_id = grade_id_of(cell)
    points = points or 0.0
    if points >= max_points:
        return TestResult(grade_id, points, max_points)
    message, own_hint = split_hint(failure_message(cell))
    if cause:
        return TestResult(grade_id, points, max_points, message, CAUSE_HINT, cause)
    return TestResult(grade_id, points, max_points, message, own_hint or course_hint(grade_id, message))


def autograded_path(course_dir, assignment, notebook, student):
    return Path(course_dir) / "autograded" / student / assignment / f"{notebook}.ipynb"


def read_results(course_dir, assignment, notebook, student):
    """The autograded test results of one student, in notebook order, or None if they were not graded.

    A test that failed because an earlier cell failed says which (`TestResult.cause`).
    """
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.assignments import assignment as find_assignment
    from autograder.report.outcomes import failures_of

    path = autograded_path(course_dir, assignment, notebook, student)
    if not path.is_file():
        return None
    nb = nbformat.read(path, as_version=4)
    cells = autograded_cells(nb)
    scores = {}
    with Gradebook(f"sqlite:///{Path(course_dir) / 'gradebook.db'}") as gradebook:
        for cell in cells:
            try:
                grade = gradebook.find_grade(grade_id_of(cell), notebook, assignment, student)
            except MissingEntry:
                return None
            scores[grade_id_of(cell)] = (grade.score or 0.0, grade.max_score)
    owner = find_assignment(assignment)
    failures = failures_of(nb, owner, scores) if owner else {}
    results = []
    for cell in cells:
        failure = failures.get(grade_id_of(cell))
        cause = failure.cause.describe() if failure and failure.cause else ""
        results.append(result_of(cell, *scores[grade_id_of(cell)], cause=cause))
    return results


def copy_course(destination):
    """Copy the course (config, source and release) to `destination`, for grading runs that must not touch this one."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(COURSE_ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    for folder in ("source", "release"):
        shutil.copytree(COURSE_ROOT / folder, destination / folder, dirs_exist_ok=True)
    return destination
