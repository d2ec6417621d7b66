"""A student's session in JupyterLab, driven through a real headless Chromium.

On a copy of the course, in `jupyter lab` with nbgrader's extensions: the stub of
`conv_output_size` fails its test with the check's message, and so does `check(...)` called
from a cell of the student's own; an answer typed in the browser passes both, and
nbgrader's Validate button then reports every other unanswered test of the notebook, and
not this one. Screenshots of each step are kept in `test-artifacts/browser/`.
"""

import re
import time

import nbformat
import pytest
from playwright.sync_api import expect

from autograder.assignments.layers_and_cnn.checks import check_conv_output_size
from autograder.errors import CheckFailure
from autograder.grading.nbgrader import copy_course, autograded_cells
from tests.browser import (
    ARTIFACTS,
    UI_TIMEOUT,
    VALIDATE_TIMEOUT,
    ProcessWatch,
    Screenshots,
    browser_page,
    chromium_path,
    code_cell,
    editor_source,
    replace_source,
    run_cell,
    running_lab,
    scroll_to,
)

NOTEBOOK = "release/02_layers_and_cnn/layers_and_cnn.ipynb"
SOLUTION_ID = "conv_output_size"
TEST_ID = "conv_output_size_cases"

ANSWER = '''\
def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    """The output length along one axis of a convolution or pooling window."""
    if padding == "same":
        return -(-size // stride)
    return (size - kernel_size) // stride + 1


print("28 pixels, 3x3 convolution:", conv_output_size(28, 3), "(valid),", conv_output_size(28, 3, padding="same"), "(same)")'''
ANSWER_PRINTS = "28 pixels, 3x3 convolution: 26 (valid), 28 (same)"
CHECK_CALL = f'check("{TEST_ID}")'


def stub_failure_message():
    """The message `check_conv_output_size` gives for the untouched `raise NotImplementedError()` stub."""
    def conv_output_size(size, kernel_size, stride=1, padding="valid"):
        raise NotImplementedError()

    with pytest.raises(CheckFailure) as failure:
        check_conv_output_size(conv_output_size)
    return str(failure.value)


def cells_by_id(path):
    """The cells of the notebook at `path`, by nbgrader grade_id."""
    cells = nbformat.read(path, as_version=4).cells
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in cells if "nbgrader" in cell.metadata}


def wait_for_saved_source(path, grade_id, source):
    """Wait until the notebook file at `path` holds `source` in cell `grade_id`; return what it holds."""
    deadline = time.monotonic() + UI_TIMEOUT
    saved = None
    while time.monotonic() < deadline:
        saved = cells_by_id(path)[grade_id].source
        if saved == source:
            break
        time.sleep(0.5)
    return saved


def open_notebook(page, server, shots):
    """Open `NOTEBOOK` in JupyterLab and wait for its kernel."""
    page.goto(f"{server.url}/lab/tree/{NOTEBOOK}?token={server.token}")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()
    shots.take("notebook-opened")


def check_nbgrader_extension(page, shots):
    """nbgrader's lab extension, as `make lab` serves it from the course root: its menu and Validate button."""
    page.locator(".lm-MenuBar-item").filter(has_text="Nbgrader").click()
    menu = page.locator(".lm-Menu")
    for item in ("Assignment List", "Formgrader"):
        expect(menu).to_contain_text(item)
    shots.take("nbgrader-menu")
    page.keyboard.press("Escape")
    expect(page.locator(".validate-button")).to_be_visible()


def run_solution_and_test(page):
    """Run the `conv_output_size` cell and its test cell; return both cells."""
    solution = code_cell(page, "def conv_output_size(")
    test = code_cell(page, "check_conv_output_size(conv_output_size)")
    run_cell(solution)
    run_cell(test)
    return solution, test


def check_stub_fails(page, shots):
    """The untouched stub fails its test with the check's own message."""
    _, test = run_solution_and_test(page)
    scroll_to(test, "end")
    shots.take("stub-fails")
    expect(test.locator(".jp-OutputArea")).to_contain_text(f"CheckFailure: {stub_failure_message()}")


def check_cell(page):
    """The student's own cell that calls `check(TEST_ID)` (the test cell's first line mentions the call too)."""
    return page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".cm-content", has_text=re.compile(rf"^{re.escape(CHECK_CALL)}$"))
    )


def add_check_cell(page):
    """Insert a cell below the test cell, type `check(TEST_ID)` in it; return it."""
    test = code_cell(page, "check_conv_output_size(conv_output_size)")
    test.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("b")  # command mode: insert a cell below, and select it
    page.keyboard.press("Enter")  # edit it
    page.keyboard.insert_text(CHECK_CALL)
    page.keyboard.press("Escape")
    cell = check_cell(page)
    expect(cell).to_have_count(1)
    return cell


def check_in_notebook_check_fails(page, shots):
    """`check(TEST_ID)` in a cell of the student's own prints the failure with the autograder's message."""
    cell = add_check_cell(page)
    run_cell(cell)
    scroll_to(cell, "end")
    shots.take("check-fails")
    output = cell.locator(".jp-OutputArea")
    expect(output).to_contain_text(f"✘ {TEST_ID}: failed (0/2 points)")
    expect(output).to_contain_text(f"CheckFailure: {stub_failure_message()}")


def check_in_notebook_check_passes(page, shots):
    """After the fix, the same `check(TEST_ID)` cell reports the test passed."""
    cell = check_cell(page)
    run_cell(cell)
    scroll_to(cell, "end")
    shots.take("check-passes")
    expect(cell.locator(".jp-OutputArea")).to_have_text(f"✔ {TEST_ID}: passed (2/2 points)")


def check_typed_answer_passes(page, shots):
    """An answer typed in the editor is kept as typed, prints what it should and passes its test silently."""
    solution = code_cell(page, "def conv_output_size(")
    replace_source(solution, ANSWER)
    assert editor_source(solution) == ANSWER, "the editor changed the typed answer"
    scroll_to(solution)
    shots.take("answer-typed")
    solution, test = run_solution_and_test(page)
    scroll_to(solution)
    shots.take("answer-passes")
    expect(solution.locator(".jp-OutputArea-output")).to_have_text(ANSWER_PRINTS)
    expect(test.locator(".jp-OutputArea-output")).to_have_count(0)  # passed, silently


def save(page, notebook):
    """Save with Ctrl+S and check that the file holds the answer as typed."""
    page.keyboard.press("Control+s")
    assert wait_for_saved_source(notebook, SOLUTION_ID, ANSWER) == ANSWER, "the answer was not saved as typed"


def validation_failures(page, shots):
    """Press Validate; return the (source, error) of each failed cell listed in the "Validation Results" dialog."""
    page.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog").filter(has_text="Validation Results")
    expect(dialog).to_be_visible(timeout=VALIDATE_TIMEOUT * 1000)
    shots.take("validation-results")
    message = dialog.locator("#validation-message")  # the dialog's scrolling body
    message.evaluate("body => { body.scrollTop = body.scrollHeight; }")
    shots.take("validation-results-end")
    texts = message.locator(".jp-RenderedText pre").all_inner_texts()
    return list(zip(texts[0::2], texts[1::2]))


def check_validate_lists_the_other_tests(page, shots, notebook):
    """Validate fails every test of the notebook but the answered one, each with its traceback."""
    failures = validation_failures(page, shots)
    expected = [cell.source.strip() for cell in autograded_cells(nbformat.read(notebook, as_version=4))
                if cell.metadata["nbgrader"]["grade_id"] != TEST_ID]
    assert [source.strip() for source, _ in failures] == expected
    assert all("Traceback (most recent call last)" in error for _, error in failures), failures
    page.locator(".jp-Dialog .jp-mod-accept").click()
    expect(page.locator(".jp-Dialog")).to_have_count(0)


@pytest.mark.slow
def test_student_answers_conv_output_size_in_jupyterlab_and_validates(tmp_path):
    chromium = chromium_path()
    course = copy_course(tmp_path / "course")
    state_dir = tmp_path / "jupyter"
    state_dir.mkdir()
    print(f"\nscreenshots: {ARTIFACTS}")

    with ProcessWatch() as processes:
        with running_lab(course, state_dir) as server, browser_page(chromium, state_dir / "home") as page:
            shots = Screenshots(page)
            open_notebook(page, server, shots)
            check_nbgrader_extension(page, shots)
            run_cell(code_cell(page, "keras.utils.set_random_seed(SEED)"))
            check_stub_fails(page, shots)
            check_in_notebook_check_fails(page, shots)
            check_typed_answer_passes(page, shots)
            check_in_notebook_check_passes(page, shots)
            save(page, course / NOTEBOOK)
            check_validate_lists_the_other_tests(page, shots, course / NOTEBOOK)

    kernels = [process for process in processes.started if "ipykernel_launcher" in process]
    assert len(kernels) >= 2, f"the notebook's kernel and Validate's should have been seen: {processes.started}"
    assert processes.survivors == [], "processes left running by the Lab server or the browser"
