"""`check("grade_id")`: run one test from the notebook itself, as the autograder runs it, in the student's kernel.

The test is the instructor's version of the test cell (hidden tests included when the
course's `source/` is present), run on what the kernel holds now. It prints whether the
test passed, the message the autograder would give, and a hint. Tests that the
autograder scores outside the kernel (assignment 3's saved model) are scored the same
way here. The graded test cells of the notebook are not changed.
"""

import ast
import contextlib
import io
import os
import warnings
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_output

from autograder.assignments import graded_outside_kernel
from autograder.check.course import CheckError, course_notebooks, find_course_root
from autograder.check.report import failure_lines
from autograder.grading.nbgrader import grade_id_of, result_of
from autograder.grading.plugins import clean_process_outputs


def check(grade_id):
    """Run the test `grade_id` on the notebook's current state and print its result, message and hint."""
    if os.environ.get("NBGRADER_EXECUTION"):
        print(f"check({grade_id!r}) does nothing while nbgrader runs the notebook: the test cells are graded.")
        return
    try:
        cell, hidden = find_test(grade_id, Path.cwd())
    except CheckError as error:
        print(f"check({grade_id!r}): {error}")
        return
    outside = graded_outside_kernel()
    if grade_id in outside:
        cell.outputs = clean_process_outputs(outside[grade_id].grader, Path.cwd())
    else:
        cell.outputs = run_in_kernel(cell.source, grade_id)
    print(format_result(grade_id, cell, hidden))


def find_test(grade_id, folder):
    """The instructor's test cell `grade_id` (a fresh copy) and whether it includes the hidden tests."""
    notebooks = course_notebooks(find_course_root(folder))
    here = [notebook for notebook in notebooks if (Path(folder) / notebook.filename).is_file()]
    owners = [notebook for notebook in notebooks if grade_id in notebook.tests]
    if not owners:
        known = ", ".join(test for notebook in here or notebooks for test in notebook.tests)
        raise CheckError(f"there is no test {grade_id!r}; the tests are: {known}")
    owners.sort(key=lambda notebook: notebook not in here)
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
