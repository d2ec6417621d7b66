"""`check()` and `check("grade_id")` in the notebook: the student's score, from the notebook itself.

`check("grade_id")` runs one test in the student's kernel, on what the kernel holds now: the
instructor's version of the test cell (hidden tests included when the course's `source/` is
present). It prints whether the test passed, the message the autograder would give, and a hint.
Tests that the autograder scores outside the kernel (assignment 3's saved model) are scored the
same way here. The graded test cells of the notebook are not changed. A test of another
assignment's notebook is not run: the message names that notebook.

`check()` grades the whole notebook as last saved, with `keras-course check` (the real
`nbgrader autograde`, autograder/selfcheck/command.py), and prints its report: every test, the
points so far, and what to fix first.

Both do nothing while nbgrader runs the notebook.
"""

import ast
import contextlib
import io
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_output

from autograder.assignments import graded_outside_kernel
from autograder.cells import grade_id_of
from autograder.grading.judge import grader_outputs
from autograder.grading.results import result_of
from autograder.kernel.watch import explain_missing_name
from autograder.selfcheck.command import run_check
from autograder.selfcheck.course import CheckError, course_notebooks, find_course_root
from autograder.selfcheck.report import failure_lines, format_report
from autograder.selfcheck.session import notebook_path, this_notebook

NO_NOTEBOOK_PATH = (
    "check() cannot tell which notebook this is: Jupyter did not give this kernel the notebook's path, or the "
    "notebook was renamed or moved since the kernel started (restart the kernel to fix that). Save the notebook "
    "and run `keras-course check PATH/TO/NOTEBOOK.ipynb` in a terminal; here, `check(\"TEST_NAME\")` checks one test."
)


def check(grade_id=None):
    """Run the test `grade_id` on the notebook's current state, or with no id grade the saved notebook; print the result."""
    if grade_id is None:
        check_notebook()
        return
    try:
        cell, hidden = find_test(grade_id, Path.cwd())
    except CheckError as error:
        print(f"check({grade_id!r}): {error}")
        return
    outside = graded_outside_kernel()
    if grade_id in outside:
        cell.outputs = grader_outputs(outside[grade_id].grader, Path.cwd())
    else:
        cell.outputs = run_in_kernel(cell.source, grade_id)
    print(format_result(grade_id, cell, hidden))


def find_test(grade_id, folder):
    """The instructor's test cell `grade_id` (a fresh copy) and whether it includes the hidden tests.

    A CheckError when the course has no such test, or when it is a test of another notebook than this one.
    """
    notebooks = course_notebooks(find_course_root(folder))
    this = this_notebook(notebooks, folder)
    owners = [notebook for notebook in notebooks if grade_id in notebook.tests]
    if not owners:
        known = ", ".join(test for notebook in ([this] if this else notebooks) for test in notebook.tests)
        raise CheckError(f"there is no test {grade_id!r}; the tests are: {known}")
    if this is not None and this not in owners:
        owner = owners[0]
        raise CheckError(
            f"{grade_id!r} is a test of {owner.assignment}/{owner.filename}, not of this notebook "
            f"({this.assignment}/{this.filename}): run check({grade_id!r}) in that notebook. "
            f"This notebook's tests are: {', '.join(this.tests)}"
        )
    nb = nbformat.read(owners[0].path, as_version=4)
    cell = next(cell for cell in nb.cells if grade_id_of(cell) == grade_id)
    return new_code_cell(cell.source, metadata=cell.metadata), owners[0].hidden_tests


def run_in_kernel(source, grade_id):
    """Run a test cell's code in the notebook's namespace; return the outputs nbgrader would record for it."""
    import __main__

    try:
        from IPython import get_ipython

        namespace = get_ipython().user_ns
    except (ImportError, AttributeError):
        namespace = __main__.__dict__
    printed, errors = io.StringIO(), io.StringIO()
    outputs = []
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors), warnings.catch_warnings():
        warnings.simplefilter("default")
        try:
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, f"<test {grade_id}>", "exec"), namespace)
            value = eval(compile(ast.Expression(last.value), f"<test {grade_id}>", "eval"), namespace) if last else None
            if value is not None:
                outputs.append(new_output("execute_result", data={"text/plain": repr(value)}, execution_count=None))
        except Exception as error:  # recorded as the kernel records it: the exception's name and text
            explain_missing_name(error, in_test=True)
            outputs.append(new_output("error", ename=type(error).__name__, evalue=str(error), traceback=[]))
    streams = [new_output("stream", name=name, text=text.getvalue())
               for name, text in (("stdout", printed), ("stderr", errors)) if text.getvalue()]
    # nbgrader reads a cell's outputs in order: anything written to stderr scores 0 like an error.
    return [*streams, *outputs]


def format_result(grade_id, cell, hidden):
    """`grade_id: passed (1/1 point)`, or failed with the autograder's message and a hint."""
    from nbgrader.utils import determine_grade

    score, max_score = determine_grade(cell)
    result = result_of(cell, score, max_score)
    points = f"{result.points:g}/{max_score:g} point{'s' if max_score != 1 else ''}"
    scope = "" if hidden else " (visible tests only: the instructor's grading runs hidden tests too)"
    if result.passed:
        return f"✔ {grade_id}: passed ({points}){scope}"
    return "\n".join([f"✘ {grade_id}: failed ({points}){scope}", *failure_lines(result)])


def check_notebook():
    """Grade the notebook as last saved, as `nbgrader autograde` would, and print the report and what to fix first."""
    path = notebook_path()
    if path is None:
        print(NO_NOTEBOOK_PATH)
        return
    saved = datetime.fromtimestamp(path.stat().st_mtime).strftime("%H:%M:%S")
    print(f"Checking {path.name} as last saved ({saved}): save it first (Ctrl+S) to check your latest changes.")
    progress = CellProgress()
    try:
        report = run_check(path, on_progress=progress.show)
    except CheckError as error:
        progress.finish("not checked")
        print(f"check(): {error}")
        return
    progress.finish(f"checked in {report.seconds:.0f} s")
    print(format_report(report))
    print(fix_first(report))


def fix_first(report):
    """The last line of `check()`: the first failing test's root cause (and what it costs), or its message."""
    if not report.graded:
        return "Fix first: the notebook could not be graded (see the note above)."
    failed = [test for test in report.tests if not test.passed]
    if not failed:
        scope = "" if report.hidden_tests else " (visible tests only: the autograder also runs hidden ones)"
        return f"Nothing to fix: every test passes{scope}."
    first = failed[0]
    if first.cause:
        costs = [test for test in failed if test.cause == first.cause]
        points = sum(test.max_points - test.points for test in costs)
        return (f"Fix first: {first.cause}. It costs {len(costs)} test{'s' if len(costs) > 1 else ''} "
                f"({points:g} point{'s' if points != 1 else ''}): {', '.join(test.grade_id for test in costs)}.")
    return f"Fix first: {first.grade_id}: {failure_lines(first)[0]}"


class CellProgress:
    """One line under the `check()` cell, rewritten as nbgrader runs each cell (printed lines outside IPython)."""

    def __init__(self):
        from IPython.display import display

        self.started = time.monotonic()
        sys.stdout.flush()  # the lines printed before stay above it
        self.handle = display({"text/plain": "starting the check"}, raw=True, display_id=True)

    def show(self, position, total, name):
        """Cell `position` of `total` (called `name`) starts to run; position 0 names a step before the cells."""
        what = f"running cell {position} of {total}: {name}" if position else name
        self.finish(f"{what} ({time.monotonic() - self.started:.0f} s)")

    def finish(self, text):
        if self.handle is None:
            print(text)
        else:
            self.handle.update({"text/plain": text}, raw=True)
