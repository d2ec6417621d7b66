"""`check("grade_id")` in a real Jupyter kernel: the instructor's test on the kernel's state, as the autograder runs it.

One kernel (driven by nbclient) runs a notebook of scenarios in an empty folder, and each test reads
the output of one of its cells; another kernel runs with NBGRADER_EXECUTION set, as under nbgrader.
"""

import json
import os

import nbformat
import pytest
from click.testing import CliRunner
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from autograder.cli import main
from autograder.grading.nbgrader import COURSE_ROOT, grade_id_of

QUESTION = "conv_output_size_cases"
RELEASE = COURSE_ROOT / "release" / "02_layers_and_cnn" / "layers_and_cnn.ipynb"
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
WRONG_ON_HIDDEN_CASES = '''def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return (size - kernel_size) // stride + 1
    return size // stride
'''
SCENARIOS = {
    "wrong": WRONG_ANSWER + f"check({QUESTION!r})",
    "right": RIGHT_ANSWER + f"check({QUESTION!r})",
    "wrong_on_hidden": WRONG_ON_HIDDEN_CASES + f"check({QUESTION!r})",
    "unknown": "check('nope')",
    "no_model": "check('tuned_accuracy')",
}


def run_cells(folder, sources, **kernel_options):
    """Run `sources` as the cells of a notebook in a fresh python3 kernel whose cwd is `folder`; return the cells."""
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    client = NotebookClient(nb, timeout=KERNEL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
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
    assert "conv_output_size(7, 3, stride=2, padding='same')" in lines[1] and "expected 4, got 3" in lines[1]


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
    cells = run_cells(tmp_path, ["from autograder import check", WRONG_ANSWER + f"check({QUESTION!r})"], env=env)
    assert printed(cells[1]) == (
        f"check({QUESTION!r}) does nothing while nbgrader runs the notebook: the test cells are graded.\n"
    )


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
