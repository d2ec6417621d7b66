"""`check()` and what importing `autograder` does in a real Jupyter kernel (driven by nbclient).

One kernel runs a notebook of `check("id")` scenarios in an empty folder, and each test reads
the output of one of its cells; another runs cells that fail in each way a student's cell fails
(a check, the student's own code, a name an earlier cell failed to define) and reads how each
error shows. Others run with the notebook's path given as Jupyter gives it, and with
NBGRADER_EXECUTION set, as under nbgrader.
"""

import json
import os
import re
import shutil

import nbformat
import pytest
from click.testing import CliRunner
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from autograder.assignments import graded_outside_kernel
from autograder.causes import ANSWER_FIRST, CAUSE_ATTRIBUTE, CellRun, defined_names, failure_of, missing_name_cause
from autograder.cells import autograded_cells, grade_id_of, split_at_hidden_tests
from autograder.cli import main
from autograder.errors import strip_ansi
from autograder.grading.results import TestResult
from autograder.kernel.watch import passed_line
from autograder.selfcheck.command import CheckReport
from autograder.selfcheck.notebook import NO_NOTEBOOK_PATH, fix_first
from autograder.settings import COURSE_ROOT
from tests.conftest import the_class

QUESTION = "conv_output_size_cases"
RELEASE = COURSE_ROOT / "release" / "02_layers_and_cnn" / "layers_and_cnn.ipynb"
FIX_SIMPLENET = COURSE_ROOT / "release" / "01_fix_simplenet" / "fix_simplenet.ipynb"
KERNEL_TIMEOUT = 300

# Off by one for valid padding: Keras's Conv2D gives 26 for (28, 3), this gives 25.
WRONG_ANSWER = '''def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    return size - kernel_size
'''
RIGHT_ANSWER = '''def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return (size - kernel_size) // stride + 1
    return (size + stride - 1) // stride
'''
# Right on every visible case; 'same' padding rounds down, which only the hidden (7, 3, stride 2) case shows.
# 'same' padding taken as kernel_size // 2 on each side: right for the odd kernels of the visible cases, at every length
# (their lengths drawn from the seed too), wrong for the even kernels of the hidden ones.
WRONG_ON_HIDDEN_CASES = '''def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return (size - kernel_size) // stride + 1
    return (size + 2 * (kernel_size // 2) - kernel_size) // stride + 1
'''
SCENARIOS = {
    "wrong": WRONG_ANSWER + f"check({QUESTION!r})",
    "right": RIGHT_ANSWER + f"check({QUESTION!r})",
    "wrong_on_hidden": WRONG_ON_HIDDEN_CASES + f"check({QUESTION!r})",
    "unknown": "check('nope')",
    "no_model": "check('tuned_accuracy')",
    "no_notebook_path": "check()",
}
# Raises in the student's own function, which the check calls.
CRASHING_ANSWER = '''def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    return size // 0
'''
# The tutorial's constructor, missing the closing parenthesis of its signature: a SyntaxError on line 2.
BROKEN_SIMPLENET = '''class SimpleNet(keras.models.Model):
    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,):
        super().__init__()
'''
# A helper whose `def` line misses its colon, and an answer that calls it: the check meets a NameError.
BROKEN_HELPER = "def valid_length(size, kernel_size)\n    return size - kernel_size + 1"
ANSWER_WITH_HELPER = '''def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    return valid_length(size, kernel_size) // stride
'''
# Assignment 1's data cell as released: nbgrader's stub between the given first line and the given print.
UNANSWERED_DATA = '''(x_train, y_train), (x_test, y_test) = load_raw_mnist()
# YOUR CODE HERE
raise NotImplementedError()
print(f"train_images: {train_images.shape} {train_images.dtype}, test_images: {test_images.shape}")'''


def run_cells(folder, sources, allow_errors=False, **kernel_options):
    """Run `sources` as the cells of a notebook in a fresh python3 kernel whose cwd is `folder`; return the cells.

    A cell that raises stops the run unless `allow_errors`, as in nbgrader.
    """
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    client = NotebookClient(nb, timeout=KERNEL_TIMEOUT, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(**kernel_options)
    return nb.cells


def printed(cell):
    """What a cell printed on stdout; a cell that wrote to stderr or raised fails the test."""
    assert all(output.output_type == "stream" and output.name == "stdout" for output in cell.outputs), cell.outputs
    return "".join(output.text for output in cell.outputs)


@pytest.fixture(scope="module")
def scenario_output(tmp_path_factory):
    """What each cell of `SCENARIOS` printed, run in order in one kernel in an empty folder."""
    folder = tmp_path_factory.mktemp("notebook")
    cells = run_cells(folder, ["import autograder\nfrom autograder import check", *SCENARIOS.values()])
    assert printed(cells[0]) == ""
    return {name: printed(cell) for name, cell in zip(SCENARIOS, cells[1:])}


def test_a_wrong_answer_fails_with_message_and_hint(scenario_output):
    """Does an off-by-one answer print the failure with the points, the checker's expected/got and a hint?"""
    lines = scenario_output["wrong"].splitlines()
    assert lines[0] == f"✘ {QUESTION}: failed (0/2 points)"
    assert lines[1].startswith("CheckFailure: `conv_output_size(28, 3, stride=1, padding='valid')` is wrong")
    assert "expected 26, got 25" in lines[1]
    assert lines[-1].startswith("Hint: ")


def test_a_right_answer_passes_with_hidden_tests(scenario_output):
    """Does a correct answer pass the instructor's version (hidden cases included, so no visible-only remark)?"""
    assert scenario_output["right"] == f"✔ {QUESTION}: passed (2/2 points)\n"


def test_the_hidden_cases_are_run(scenario_output):
    """Does an answer wrong only on a hidden case fail, as in the instructor's grading (source/ is present)?"""
    lines = scenario_output["wrong_on_hidden"].splitlines()
    assert lines[0] == f"✘ {QUESTION}: failed (0/2 points)"
    assert "conv_output_size(28, 4, stride=1, padding='same')" in lines[1] and "expected 28, got 29" in lines[1]


def test_an_unknown_test_lists_the_tests(scenario_output):
    """Does an unknown grade id print that there is no such test and list the course's tests?"""
    text = scenario_output["unknown"]
    assert text.startswith("check('nope'): there is no test 'nope'; the tests are:")
    assert QUESTION in text and "tuned_accuracy" in text and "simplenet_accuracy" in text


def test_a_saved_model_test_without_training_fails_on_the_missing_record(scenario_output):
    """Is `tuned_accuracy` scored from the (missing) files in the kernel's folder, as nbgrader scores it?"""
    text = scenario_output["no_model"]
    assert text.startswith("✘ tuned_accuracy: failed (0/3 points)")
    assert "did not run to its end (no training record)" in text
    assert "Hint: " in text


def test_check_does_nothing_while_nbgrader_runs_the_notebook(tmp_path):
    """With NBGRADER_EXECUTION set for the kernel, does check() only print that it does nothing (no test runs)?"""
    env = {**os.environ, "NBGRADER_EXECUTION": "autograde"}
    cells = run_cells(tmp_path, ["from autograder import check", WRONG_ANSWER + f"check({QUESTION!r})", "check()"],
                      env=env)
    assert printed(cells[1]) == (
        f"check({QUESTION!r}) does nothing while nbgrader runs the notebook: the test cells are graded.\n"
    )
    assert printed(cells[2]) == "check() does nothing while nbgrader runs the notebook: the test cells are graded.\n"


def test_check_without_the_notebooks_path_says_what_to_do(scenario_output):
    """Does check() in a kernel Jupyter gave no notebook path say so, and how to check from a terminal?"""
    assert scenario_output["no_notebook_path"] == NO_NOTEBOOK_PATH + "\n"
    assert "keras-course check" in NO_NOTEBOOK_PATH


# How a failing cell shows: one kernel, cells that fail in each way ------------------------------------------


def release_source(path, grade_id):
    """The source of the cell `grade_id` of the release notebook at `path`."""
    return next(cell.source for cell in nbformat.read(path, as_version=4).cells if grade_id_of(cell) == grade_id)


# Run in this order; a cell's execution count (its "In [n]") is its position, from 1.
FAILING_CELLS = {
    "setup": "import autograder\nimport keras\nfrom autograder.data import load_raw_mnist",
    "plain_name_error": "print(never_defined)",
    "wrong_answer": WRONG_ANSWER,
    "wrong_test": release_source(RELEASE, QUESTION),
    "crashing_answer": CRASHING_ANSWER,
    "crashing_test": release_source(RELEASE, QUESTION),
    "own_error": "ratio = 1 / 0",
    "right_answer": RIGHT_ANSWER,
    "passing_test": release_source(RELEASE, QUESTION),
    "broken_simplenet": BROKEN_SIMPLENET,
    "simplenet_test": release_source(FIX_SIMPLENET, "simplenet_builds"),
    "unanswered_data": UNANSWERED_DATA,
    "data_test": release_source(FIX_SIMPLENET, "data_prepared"),
    "unrelated_name_error": "print(also_never_defined)",
    "broken_helper": BROKEN_HELPER,
    "answer_with_helper": ANSWER_WITH_HELPER,
    "helper_test": release_source(RELEASE, QUESTION),
}


def execution_count(name):
    return list(FAILING_CELLS).index(name) + 1


@pytest.fixture(scope="module")
def failing_cells(tmp_path_factory):
    """{name: the cell after running} of `FAILING_CELLS`, in order in one kernel in an empty folder."""
    cells = run_cells(tmp_path_factory.mktemp("failing"), list(FAILING_CELLS.values()), allow_errors=True)
    return dict(zip(FAILING_CELLS, cells))


def error_of(cell):
    """The one error output of a cell, after nothing but stdout (a test cell writing to stderr scores 0)."""
    *before, error = cell.outputs
    assert error.output_type == "error", cell.outputs
    assert all(output.output_type == "stream" and output.name == "stdout" for output in before), cell.outputs
    return error


def shown(error):
    """The text a notebook shows for an error output: its traceback lines, without terminal colours."""
    return strip_ansi("\n".join(error.traceback))


def test_a_failed_check_shows_its_message_and_hint_without_the_graders_traceback(failing_cells):
    """Does a failing test cell show `CheckFailure: message` and the hint first, and no frame of the grader?"""
    error = error_of(failing_cells["wrong_test"])
    assert error.ename == "CheckFailure" and "expected 26, got 25" in error.evalue and "\nHint: " in error.evalue
    text = shown(error)
    assert text == f"CheckFailure: {error.evalue}", text
    for graders_own in ("Traceback", "autograder/", "site-packages", "check_conv_output_size("):
        assert graders_own not in text


def test_an_error_in_the_students_code_under_a_check_keeps_the_students_frame(failing_cells):
    """Does a check wrapping the student's own ZeroDivisionError show the message, then the student's line, and no grader frame?"""
    error = error_of(failing_cells["crashing_test"])
    assert error.ename == "CheckFailure" and "raised ZeroDivisionError" in error.evalue
    text = shown(error)
    assert text.startswith(f"CheckFailure: {error.evalue}\n\nWhere your code raised it:\n"), text
    assert f"Cell In[{execution_count('crashing_answer')}], line 2, in conv_output_size" in text
    assert "return size // 0" in text
    assert text.rstrip().endswith("ZeroDivisionError: integer division or modulo by zero")
    assert "autograder/" not in text and "site-packages" not in text


def test_a_missing_name_in_the_students_code_under_a_check_names_the_cell_that_failed(failing_cells):
    """Does a check's failure over a NameError in the student's function end with the cell that failed to define it?"""
    error = error_of(failing_cells["helper_test"])
    assert error.ename == "CheckFailure" and "raised NameError: name 'valid_length' is not defined" in error.evalue
    assert shown(error).rstrip().endswith(
        f"NameError: name 'valid_length' is not defined: the cell that defines it (In [{execution_count('broken_helper')}]) "
        "failed with SyntaxError on line 1 (expected ':')"
    ), shown(error)


def test_a_students_own_error_keeps_ipythons_traceback(failing_cells):
    """Is an error of the student's code outside any check shown as IPython shows it, traceback and all?"""
    error = error_of(failing_cells["own_error"])
    assert (error.ename, error.evalue) == ("ZeroDivisionError", "division by zero")
    text = shown(error)
    assert "Traceback (most recent call last)" in text and "ratio = 1 / 0" in text


def test_a_passing_test_cell_says_so_in_one_line_and_a_failing_one_does_not(failing_cells):
    """Does a passing test cell print one line on stdout (its points; the hidden cases left to the autograder)?"""
    assert printed(failing_cells["passing_test"]) == (
        f'✔ Test "{QUESTION}" passed (2 points; the autograder also runs hidden cases)\n'
    )
    assert [output.output_type for output in failing_cells["wrong_test"].outputs] == ["error"]


def test_a_missing_name_names_the_cell_that_failed_to_define_it(failing_cells):
    """Does a NameError for a class whose cell has a syntax error name that cell, its error and its line?"""
    error = error_of(failing_cells["simplenet_test"])
    assert error.ename == "NameError"
    assert error.evalue.startswith(
        f"name 'SimpleNet' is not defined: the cell that defines it (In [{execution_count('broken_simplenet')}]) "
        "failed with SyntaxError on line 2 (invalid syntax)"
    ), error.evalue
    assert shown(error).endswith(f"NameError: {error.evalue}")


def test_a_missing_name_names_the_unanswered_cell(failing_cells):
    """Does a test whose data an unanswered cell should have made say that cell still raises NotImplementedError?"""
    error = error_of(failing_cells["data_test"])
    assert (error.ename, error.evalue) == ("NameError", (
        f"name 'train_images' is not defined: the cell that should define it (In [{execution_count('unanswered_data')}]) "
        "still raises NotImplementedError: answer it first"
    ))


def test_a_missing_name_that_no_cell_explains_stays_plain(failing_cells):
    """Does a NameError stay IPython's own, before any cell failed and after, when no earlier cell explains it?"""
    for name, missing in (("plain_name_error", "never_defined"), ("unrelated_name_error", "also_never_defined")):
        error = error_of(failing_cells[name])
        assert (error.ename, error.evalue) == ("NameError", f"name '{missing}' is not defined")


# check() of the notebook, and check("id") of another notebook: Jupyter gives the kernel its notebook's path ------


def kernel_of_notebook(path):
    """Kernel options that tell the kernel it runs the notebook at `path`, as jupyter_server tells it."""
    return {"env": {**os.environ, "JPY_SESSION_NAME": str(path)}}


def test_check_of_another_assignments_test_names_its_notebook(tmp_path):
    """From assignment 2's notebook (under another name), does check("data_prepared") name assignment 1's notebook, run nothing?"""
    notebook = shutil.copyfile(RELEASE, tmp_path / "my_copy.ipynb")
    cells = run_cells(tmp_path, [
        "from autograder import check", "check('data_prepared')", WRONG_ANSWER + f"check({QUESTION!r})",
    ], **kernel_of_notebook(notebook))
    assert printed(cells[1]).startswith(
        "check('data_prepared'): 'data_prepared' is a test of 01_fix_simplenet/fix_simplenet.ipynb, "
        "not of this notebook (02_layers_and_cnn/layers_and_cnn.ipynb): run check('data_prepared') in that notebook."
    )
    assert printed(cells[2]).startswith(f"✘ {QUESTION}: failed (0/2 points)")  # its own tests still run


@pytest.mark.slow
def test_check_without_an_id_grades_the_saved_notebook_and_says_what_to_fix_first(tmp_path):
    """Does check() grade the saved notebook (every test, the points so far) and end with the first root cause?"""
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        if grade_id_of(cell) == "conv_output_size":
            cell.source = RIGHT_ANSWER
    folder = tmp_path / "02_layers_and_cnn"
    folder.mkdir()
    nbformat.write(nb, folder / RELEASE.name)
    [cell] = run_cells(folder, ["from autograder import check\ncheck()"], **kernel_of_notebook(folder / RELEASE.name))
    kinds = [(output.output_type, output.get("name")) for output in cell.outputs]
    assert kinds == [("stream", "stdout"), ("display_data", None), ("stream", "stdout")], cell.outputs
    started, progress, report = cell.outputs
    assert re.fullmatch(r"Checking layers_and_cnn\.ipynb as last saved \(\d\d:\d\d:\d\d\): .*\n", started.text)
    assert re.fullmatch(r"checked in \d+ s", progress.data["text/plain"])
    lines = report.text.splitlines()
    assert "hidden tests included" in lines[0]
    assert re.search(rf"PASS  {QUESTION} +2/2", report.text) and re.search(r"FAIL  dense_layer_weights +0/1", report.text)
    assert any(line.startswith("Total: 2/") for line in lines)
    # The stub of DenseLayer runs, and its first test's check says it still raises NotImplementedError.
    assert lines[-1].startswith("Fix first: dense_layer_weights: ") and "NotImplementedError" in lines[-1]


# Under nbgrader autograde: the class graded once per session -----------------------------------------------


@pytest.mark.slow
def test_autograded_notebooks_name_the_cell_behind_each_missing_name(graded_class):
    """In every graded notebook of the class, does each test's NameError name the earlier cell that failed?"""
    unexplained = []
    for submission in the_class():
        path = graded_class.path("autograded", submission)
        if not path.is_file():  # not graded (a dead kernel): no notebook to read
            continue
        for cell in autograded_cells(nbformat.read(path, as_version=4)):
            for output in cell.outputs:
                if output.output_type == "error" and output.ename == "NameError" and "(In [" not in output.evalue:
                    unexplained.append((submission.student_id, grade_id_of(cell), output.evalue))
    assert unexplained == []
    unanswered = nbformat.read(graded_class.path("autograded", next(
        submission for submission in the_class() if submission.key == ("no_prepare_data", "01_fix_simplenet")
    )), as_version=4)
    [data_test] = [cell for cell in unanswered.cells if grade_id_of(cell) == "data_prepared"]
    assert "still raises NotImplementedError: answer it first" in error_of(data_test).evalue


@pytest.mark.slow
def test_autograded_test_cells_that_pass_say_so(graded_class):
    """Does every test cell of the reference submissions, graded in the kernel with its hidden tests, print its pass line?"""
    outside = graded_outside_kernel()
    for submission in the_class():
        if submission.student_id != "reference":
            continue
        for cell in autograded_cells(nbformat.read(graded_class.path("autograded", submission), as_version=4)):
            if grade_id_of(cell) in outside:
                continue
            points = float(cell.metadata["nbgrader"]["points"])
            expected = f'✔ Test "{grade_id_of(cell)}" passed ({points:g} point{"" if points == 1 else "s"})\n'
            assert "".join(output.text for output in cell.outputs if output.output_type == "stream").endswith(expected)


@pytest.mark.slow
def test_in_notebook_message_equals_the_command_line_message(tmp_path, scenario_output):
    """Does check() in the kernel give the same message as `keras-course check --question` for the same wrong answer?"""
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        if grade_id_of(cell) == "conv_output_size":
            cell.source = WRONG_ANSWER
    folder = tmp_path / "02_layers_and_cnn"
    folder.mkdir()
    nbformat.write(nb, folder / RELEASE.name)
    result = CliRunner().invoke(main, ["check", str(folder / RELEASE.name), "--question", QUESTION, "--json"])
    assert result.exit_code == 1, result.stdout + result.stderr
    [test] = json.loads(result.stdout)["tests"]
    shown_hint = f"\nHint: {test['hint']}" if test["hint"] else ""
    assert scenario_output["wrong"] == f"✘ {QUESTION}: failed (0/2 points)\n{test['message']}{shown_hint}\n"
    assert "expected 26, got 25" in test["message"]


# The words, without a kernel ---------------------------------------------------------------------------------


def report_of(*tests, hidden_tests=True, graded=True):
    return CheckReport("layers_and_cnn.ipynb", "02_layers_and_cnn", hidden_tests, None, list(tests), graded=graded)


def test_fix_first_is_the_first_failing_tests_root_cause_with_what_it_costs():
    """Does check() end with the first failing test's earlier cell, and the tests and points that one cell costs?"""
    cause = "the answer cell `dense_layer` (In [5]) is not answered yet (it still raises NotImplementedError)"
    report = report_of(
        TestResult("dense_layer_weights", 0.0, 1.0, "NameError: name 'DenseLayer' is not defined", "", cause),
        TestResult("conv_output_size_cases", 0.0, 2.0, "CheckFailure: wrong", "look."),
        TestResult("dense_layer_forward", 0.0, 2.0, "NameError: name 'DenseLayer' is not defined", "", cause),
    )
    assert fix_first(report) == (
        f"Fix first: {cause}. It costs 2 tests (3 points): dense_layer_weights, dense_layer_forward."
    )


def test_fix_first_without_a_cause_is_the_first_failing_tests_message():
    report = report_of(TestResult("a", 1.0, 1.0), TestResult("b", 0.0, 2.0, "CheckFailure: wrong size\nmore", "look."))
    assert fix_first(report) == "Fix first: b: CheckFailure: wrong size"


def test_nothing_to_fix_says_whether_hidden_tests_were_run():
    assert fix_first(report_of(TestResult("a", 1.0, 1.0))) == "Nothing to fix: every test passes."
    assert fix_first(report_of(TestResult("a", 1.0, 1.0), hidden_tests=False)) == (
        "Nothing to fix: every test passes (visible tests only: the autograder also runs hidden ones)."
    )
    assert fix_first(report_of(graded=False)).startswith("Fix first: the notebook could not be graded")


@pytest.mark.parametrize("source,names", [
    ("x = 1\n(a, b), [c, *d] = f()\nn += 1\ny: int = 2", {"x", "a", "b", "c", "d", "n", "y"}),
    ("import numpy as np, os.path\nfrom keras import layers as L, ops", {"np", "os", "L", "ops"}),
    ("def f():\n    inner = 1\nclass C:\n    attribute = 2\nfor i in range(3):\n    total = i", {"f", "C", "i", "total"}),
    ("obj.attribute = 1\nitems[0] = 2\nf(a=1)\nprint(x == 1)", set()),
    ("%matplotlib inline\nmodel = build()", {"model"}),  # not Python: read line by line
    ("class SimpleNet(keras.Model)\n    def __init__(self):\n        self.x = 1\nhistory = fit(", {"SimpleNet", "history"}),
    ("weights = (1,\nfrom m import (a, b)\nimport k", {"weights", "a", "b", "k"}),
])
def test_the_names_a_cell_defines(source, names):
    """Are the names a cell binds at its top level found, in valid Python and, line by line, in broken cells?"""
    assert defined_names(source) == names


def test_what_a_failed_cell_did():
    """Is the placeholder told apart from other errors, with the cell's line when there is one?"""
    assert failure_of(NotImplementedError()) == (ANSWER_FIRST, True)
    assert failure_of(NotImplementedError("not supported")) == ("failed with NotImplementedError: not supported", False)
    syntax = SyntaxError("invalid syntax", ("<cell>", 2, 5, "def f(:", 2, 6))
    assert failure_of(syntax) == ("failed with SyntaxError on line 2 (invalid syntax)", False)
    try:
        exec(compile("x = 1\ny = 1 / 0", "<cell>", "exec"), {})
    except ZeroDivisionError as error:
        assert failure_of(error) == ("failed with ZeroDivisionError on line 2: division by zero", False)
    assert failure_of(KeyboardInterrupt()) == ("was interrupted before it finished", False)
    explained = NameError("name 'model' is not defined: the cell ...", name="model")
    setattr(explained, CAUSE_ATTRIBUTE, f"the cell that should define it (In [5]) {ANSWER_FIRST}")
    assert failure_of(explained) == (
        f"failed for want of `model`: the cell that should define it (In [5]) {ANSWER_FIRST}", False
    )


def test_the_cell_behind_a_missing_name():
    """Is a missing name put down to the last cell binding it (if that failed), else the placeholder using it?"""
    cells = [
        CellRun(1, "import keras"),
        CellRun(2, "model = make()\nraise NotImplementedError()\nhistory.plot()", ANSWER_FIRST, True),
        CellRun(3, "x = 1"),
        CellRun(4, "x = compute(", "failed with SyntaxError on line 1 (...)"),
        CellRun(5, "y = 2"),
    ]
    assert missing_name_cause("x", cells, in_test=False) == (
        "the cell that defines it (In [4]) failed with SyntaxError on line 1 (...)"
    )
    assert missing_name_cause("y", cells, in_test=False) is None  # its cell ran through: something else removed it
    assert missing_name_cause("model", cells, in_test=False) == (
        "the cell that defines it (In [2]) still raises NotImplementedError: answer it first"
    )
    assert missing_name_cause("history", cells, in_test=False) == (
        "the cell that should define it (In [2]) still raises NotImplementedError: answer it first"
    )
    assert missing_name_cause("cnn", cells, in_test=False) is None
    assert missing_name_cause("cnn", cells, in_test=True) == (
        "an answer cell above (In [2]) still raises NotImplementedError: answer it first"
    )
    assert missing_name_cause("cnn", cells[:1], in_test=True) is None


def test_the_pass_line_of_a_test_cell():
    """Is a test cell's pass line its name and points, noting hidden cases only where the student's cell leaves some out?"""
    visible = '# Test "conv_output_size_cases" (2 points)\n"""Does it? (more cases are hidden)"""\ncheck(f)'
    assert passed_line(visible) == '✔ Test "conv_output_size_cases" passed (2 points; the autograder also runs hidden cases)'
    graded = visible + "\n### BEGIN HIDDEN TESTS\ncheck(f, HIDDEN)\n### END HIDDEN TESTS"
    assert passed_line(graded) == '✔ Test "conv_output_size_cases" passed (2 points)'
    # Autograde runs the hidden tests after the rest of the cell: that part says nothing, its hidden tests may fail.
    before_hidden, hidden = split_at_hidden_tests(graded)
    assert (before_hidden, hidden) == (visible + "\n### BEGIN HIDDEN TESTS\n", "check(f, HIDDEN)\n### END HIDDEN TESTS")
    assert passed_line(before_hidden) is None
    assert passed_line('# Test "data_prepared" (1 point)\ncheck(x)') == '✔ Test "data_prepared" passed (1 point)'
    assert passed_line("check('data_prepared')") is None
