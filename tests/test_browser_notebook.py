"""What a student reads in the notebook, in JupyterLab through a real headless Chromium.

One Lab server (the student's view, on a copy of the course) and one notebook (assignment 2's, as
released): the untouched `conv_output_size` fails its test cell with the check's message and hint
first, the student's own line below them and no traceback into the grader (`autograder/`); then
`check()`, in a cell of the student's own, grades the saved notebook and prints the summary: every
test, the points so far and what to fix first. Screenshots are kept in `test-artifacts/browser-notebook/`.
"""

import re
import shutil

import pytest
from playwright.sync_api import expect

from autograder.grading.nbgrader_commands import copy_course
from autograder.settings import COURSE_ROOT
from tests.browser import (
    ProcessWatch,
    Screenshots,
    browser_page,
    chromium_path,
    code_cell,
    run_cell,
    running_lab,
    scroll_to,
    stub_failure,
)

# The released notebook, as the student's Assignment List fetches it into the student view's own folder.
NOTEBOOK = "02_layers_and_cnn/layers_and_cnn.ipynb"
TEST_ID = "conv_output_size_cases"
ARTIFACTS = COURSE_ROOT / "test-artifacts" / "browser-notebook"
# Seconds for `check()`: nbgrader generates the instructor's notebook (the Lab's cache is empty) and autogrades it.
CHECK_TIMEOUT = 600


def open_notebook(page, server, shots):
    """Open `NOTEBOOK` in JupyterLab and wait for its kernel."""
    page.goto(f"{server.url}/lab/tree/{NOTEBOOK}?token={server.token}")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()
    shots.take("notebook-opened")


def check_a_failed_test_reads_as_its_message(page, shots):
    """The stub's test cell shows `CheckFailure: message`, the hint, the student's own line, and no grader frame."""
    run_cell(code_cell(page, "keras.utils.set_random_seed(SEED)"))
    run_cell(code_cell(page, "def conv_output_size("))
    test = code_cell(page, "check_conv_output_size(conv_output_size)")
    run_cell(test)
    scroll_to(test)
    shots.take("failed-test")
    output = test.locator(".jp-OutputArea")
    failure = stub_failure()
    message, hint = str(failure).split("\nHint: ")
    expect(output).to_contain_text(f"CheckFailure: {message}")
    expect(output).to_contain_text(f"Hint: {hint}")
    expect(output).to_contain_text("Where your code raised it:")
    expect(output).to_contain_text("raise NotImplementedError()")  # the stub's line, in the student's cell
    text = output.inner_text()
    assert text.index("CheckFailure:") < text.index("Hint:") < text.index("Where your code raised it:"), text
    for graders_own in ("autograder/", "site-packages", "check_conv_output_size(conv_output_size, "):
        assert graders_own not in text, text


def add_cell_below(page, cell, source):
    """Insert a cell below `cell` holding `source`; return it."""
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("b")  # command mode: insert a cell below, and select it
    page.keyboard.press("Enter")  # edit it
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")
    added = page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".cm-content", has_text=re.compile(rf"^{re.escape(source)}$"))
    )
    expect(added).to_have_count(1)
    return added


def check_check_sums_up_the_notebook(page, shots):
    """`check()` shows that it checks the saved notebook, then every test, the total and what to fix first."""
    cell = add_cell_below(page, code_cell(page, "check_conv_output_size(conv_output_size)"), "check()")
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Control+Enter")
    output = cell.locator(".jp-OutputArea")
    expect(output).to_contain_text("Checking layers_and_cnn.ipynb as last saved")
    shots.take("check-running")
    expect(output).to_contain_text("Fix first: ", timeout=CHECK_TIMEOUT * 1000)
    scroll_to(cell)
    shots.take("check-summary")
    scroll_to(cell, "end")
    shots.take("check-summary-end")
    text = output.inner_text()
    assert re.search(r"checked in \d+ s", text), text
    assert "02_layers_and_cnn (hidden tests included" in text, text
    assert re.search(rf"FAIL\s+{TEST_ID}\s+0/2", text) and re.search(r"Total: 0/\d+ autograded points", text), text
    assert text.rstrip().splitlines()[-1].startswith("Fix first: dense_layer_weights: "), text


@pytest.mark.slow
def test_failures_read_as_messages_and_check_sums_up_the_notebook_in_jupyterlab(tmp_path):
    chromium = chromium_path()
    course = copy_course(tmp_path / "course")
    fetched = course / "student" / NOTEBOOK
    fetched.parent.mkdir(parents=True)
    shutil.copy(course / "release" / NOTEBOOK, fetched)
    state_dir = tmp_path / "jupyter"
    state_dir.mkdir()
    print(f"\nscreenshots: {ARTIFACTS}")

    with ProcessWatch() as processes:
        with running_lab(course, state_dir) as server, browser_page(chromium, state_dir / "home") as page:
            shots = Screenshots(page, ARTIFACTS)
            open_notebook(page, server, shots)
            check_a_failed_test_reads_as_its_message(page, shots)
            check_check_sums_up_the_notebook(page, shots)

    assert processes.survivors == [], "processes left running by the Lab server, the browser or check()"
