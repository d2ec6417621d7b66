"""A student's session in JupyterLab, driven through a real headless Chromium, and the instructor's view.

On a copy of the course, in `make lab`'s student view of `jupyter lab`: nbgrader's
Assignment List and Validate button are there, its instructor tools (Formgrader, Create
Assignment, Course List) and JupyterLab's news pop-up are not; the stub of
`conv_output_size` fails its test with the check's message, and so does `check(...)` called
from a cell of the student's own; an answer typed in the browser passes both, and
nbgrader's Validate button then shows its progress while it runs (lab/offline/custom/custom.css)
and reports, in wrapped lines, every other unanswered test of the notebook, and not this one. `make lab-instructor`'s view has the instructor tools. Screenshots of each
step are kept in `test-artifacts/browser/` and `test-artifacts/browser-instructor/`.
"""

import dataclasses
import re
import time

import nbformat
import pytest
from playwright.sync_api import expect

from autograder.cells import autograded_cells
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.kernel.watch import passed_line
from autograder.settings import COURSE_ROOT
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
    requests_leaving_the_machine,
    run_cell,
    running_lab,
    scroll_to,
    stub_failure,
    wait_until_restored,
)

ASSIGNMENT = "02_layers_and_cnn"
# The notebook as the student's Assignment List fetches it, in the student view's own folder (lab/jupyter-lab).
NOTEBOOK = f"{ASSIGNMENT}/layers_and_cnn.ipynb"
STUDENT_FOLDER = "student"
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

INSTRUCTOR_ARTIFACTS = COURSE_ROOT / "test-artifacts" / "browser-instructor"
# The assignment whose written answer (graded by hand) the instructor's Formgrader test opens.
WRITTEN_ANSWER_ASSIGNMENT = "01_fix_simplenet"

# nbgrader's commands (its lab extension's ids) and the Nbgrader menu's items in each view.
STUDENT_COMMANDS = ("nbgrader:open-assignment-list",)
INSTRUCTOR_COMMANDS = ("nbgrader:open-formgrader", "nbgrader:open-formgrader-local", "nbgrader:open-create-assignment",
                       "nbgrader:open-course-list")
STUDENT_MENU = ["Assignment List"]
INSTRUCTOR_MENU = ["Assignment List", "Course List", "Formgrader", "Create assignment"]

# What JupyterLab's announcements plugin asks on every page until it is answered.
ANNOUNCEMENTS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
# JupyterLab's Extension Manager, which would offer extensions from the package index: off in both views.
EXTENSION_MANAGER = "@jupyterlab/extensionmanager-extension:plugin"
NEWS_QUESTION = "Would you like to get notified about official Jupyter news?"
# Seconds to wait for the question after the restore: a Lab with the plugin on asked it 0.7-0.9 s after here.
NEWS_QUESTION_DELAY = 3


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


def nbgrader_menu(page, shots, step):
    """Open the Nbgrader menu; return the labels of its items a person sees, and close it."""
    page.locator(".lm-MenuBar-item").filter(has_text="Nbgrader").click()
    items = page.locator(".lm-Menu .lm-Menu-item:visible .lm-Menu-itemLabel")
    expect(items.first).to_be_visible()
    shots.take(step)
    labels = items.all_inner_texts()
    page.keyboard.press("Escape")
    return labels


def commands_present(page, commands):
    """Which of `commands` JupyterLab knows (the menu, the palette and shortcuts offer only those)."""
    return [command for command in commands
            if page.evaluate("command => window.jupyterapp.commands.hasCommand(command)", command)]


def create_assignment_tab(page):
    """The tab of nbgrader's Create Assignment sidebar."""
    return page.locator('.jp-SideBar .lm-TabBar-tab[data-id="nbgrader-create_assignemnt"]')


def news_popup(page):
    """JupyterLab's question about Jupyter news, as a notification shows it."""
    return page.get_by_text(NEWS_QUESTION)


def check_no_news_popup(page):
    """JupyterLab's announcements plugin (news and update checks) is off, and once the page is
    restored no notification asks about Jupyter news."""
    wait_until_restored(page)
    assert not page.evaluate("id => window.jupyterapp.hasPlugin(id)", ANNOUNCEMENTS_PLUGIN)
    page.wait_for_timeout(NEWS_QUESTION_DELAY * 1000)  # the plugin asks once its settings have loaded
    expect(news_popup(page)).to_have_count(0)


def check_student_view(page, server, shots):
    """`make lab`'s student view: nbgrader's Assignment List, none of its instructor tools (in the menu,
    as commands, in the sidebar, on the server), no Extension Manager, no news pop-up."""
    check_no_news_popup(page)
    assert nbgrader_menu(page, shots, "nbgrader-menu") == STUDENT_MENU
    assert commands_present(page, STUDENT_COMMANDS + INSTRUCTOR_COMMANDS) == list(STUDENT_COMMANDS)
    expect(create_assignment_tab(page)).to_have_count(0)
    assert not page.evaluate("id => window.jupyterapp.hasPlugin(id)", EXTENSION_MANAGER)
    assert server.status_of("formgrader") == 404, "the student view's server serves the Formgrader"


def fetch_from_the_assignment_list(page, shots, course):
    """The Assignment List opens from the Nbgrader menu and lists what the instructor released; Fetch copies
    it into the student's own folder; closing the list shows the Lab again."""
    page.locator(".lm-MenuBar-item").filter(has_text="Nbgrader").click()
    page.locator('.lm-Menu-item[data-command="nbgrader:open-assignment-list"]').click()
    panel = page.locator("#nbgrader-assignment-list")
    expect(panel).to_contain_text("Released assignments")
    released = panel.locator("#released_assignments_list .list_item").filter(has_text=ASSIGNMENT)
    expect(released).to_have_count(1)
    shots.take("assignment-list")
    released.get_by_role("button", name="Fetch").click()
    expect(panel.locator("#fetched_assignments_list")).to_contain_text(ASSIGNMENT, timeout=UI_TIMEOUT * 1000)
    shots.take("assignment-fetched")
    assert (course / STUDENT_FOLDER / NOTEBOOK).is_file()
    page.locator(".lm-TabBar-tab").filter(has_text="Assignments").locator(".lm-TabBar-tabCloseIcon").click()
    expect(panel).to_have_count(0)


def check_file_browser_holds_only_the_students_files(page, server, shots):
    """The file browser (and the server behind it) shows the student's folder: what was fetched, not the course's
    `source/`, `solutions/` or gradebook."""
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:refresh')")
    listing = page.locator(".jp-DirListing-content .jp-DirListing-itemText")
    expect(listing.first).to_have_text(ASSIGNMENT)
    shots.take("file-browser")
    shown = listing.all_inner_texts()
    assert shown == [ASSIGNMENT], shown
    assert [item["name"] for item in server.get_json("api/contents")["content"]] == [ASSIGNMENT]
    for secret in ("source", "solutions", "gradebook.db", "../source", "../gradebook.db"):
        assert server.status_of(f"api/contents/{secret}") in (403, 404), secret


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
    expect(test.locator(".jp-OutputArea")).to_contain_text(f"CheckFailure: {stub_failure()}")


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
    expect(output).to_contain_text(f"CheckFailure: {stub_failure()}")


def check_in_notebook_check_passes(page, shots):
    """After the fix, the same `check(TEST_ID)` cell reports the test passed."""
    cell = check_cell(page)
    run_cell(cell)
    scroll_to(cell, "end")
    shots.take("check-passes")
    expect(cell.locator(".jp-OutputArea")).to_have_text(f"✔ {TEST_ID}: passed (2/2 points)")


def check_typed_answer_passes(page, shots, notebook):
    """An answer typed in the editor is kept as typed, prints what it should and passes its test,
    which says so in one line."""
    solution = code_cell(page, "def conv_output_size(")
    replace_source(solution, ANSWER)
    assert editor_source(solution) == ANSWER, "the editor changed the typed answer"
    scroll_to(solution)
    shots.take("answer-typed")
    solution, test = run_solution_and_test(page)
    scroll_to(solution)
    shots.take("answer-passes")
    expect(solution.locator(".jp-OutputArea-output")).to_have_text(ANSWER_PRINTS)
    expect(test.locator(".jp-OutputArea-output")).to_have_text(passed_line(cells_by_id(notebook)[TEST_ID].source))


def save(page, notebook):
    """Save with Ctrl+S and check that the file holds the answer as typed."""
    page.keyboard.press("Control+s")
    assert wait_for_saved_source(notebook, SOLUTION_ID, ANSWER) == ANSWER, "the answer was not saved as typed"


# What the page shows while Validate runs (lab/offline/custom/custom.css): the box's text, from its CSS.
VALIDATE_PROGRESS = "() => getComputedStyle(document.body, '::after').content"


def validate_progress(page):
    """The text of the progress box the page shows now ("none" when there is none)."""
    return page.evaluate(VALIDATE_PROGRESS)


def unwrapped_lines(dialog):
    """The blocks of the Validation Results dialog that run past their right edge (none when every one wraps)."""
    return dialog.locator("#validation-message pre").evaluate_all(
        "blocks => blocks.filter(block => block.scrollWidth > block.clientWidth + 1).map(block => block.innerText)")


def check_unwrapped_lines_are_seen(dialog):
    """The wrapping check is not blind: with nbgrader's own `white-space: pre` back, the long lines are found."""
    set_white_space = "(dialog, value) => dialog.querySelectorAll('#validation-message pre').forEach(block => { block.style.whiteSpace = value; })"
    dialog.evaluate(set_white_space, "pre")
    assert unwrapped_lines(dialog) != [], "the wrapping check saw no long line in unwrapped messages"
    dialog.evaluate(set_white_space, "")


def validation_failures(page, shots):
    """Press Validate; return the (source, error) of each failed cell listed in the "Validation Results" dialog.

    While it runs the page shows its progress box; once the results open, the box is gone and every
    message wraps inside the dialog."""
    assert validate_progress(page) == "none", "a progress box before Validate was pressed"
    page.locator(".validate-button").click()
    page.wait_for_function(f"() => ({VALIDATE_PROGRESS})().includes('Validating')")
    shots.take("validating")
    dialog = page.locator(".jp-Dialog").filter(has_text="Validation Results")
    expect(dialog).to_be_visible(timeout=VALIDATE_TIMEOUT * 1000)
    page.wait_for_function(f"() => ({VALIDATE_PROGRESS})() === 'none'")
    shots.take("validation-results")
    assert unwrapped_lines(dialog) == [], "messages of the Validation Results run past the dialog's edge"
    check_unwrapped_lines_are_seen(dialog)
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

    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    run_nbgrader(course, "release_assignment", ASSIGNMENT, "--force")
    notebook = course / STUDENT_FOLDER / NOTEBOOK

    with ProcessWatch() as processes:
        with running_lab(course, state_dir) as server, browser_page(chromium, state_dir / "home") as page:
            leaving = requests_leaving_the_machine(page)
            shots = Screenshots(page)
            page.goto(f"{server.url}/lab?token={server.token}")
            check_student_view(page, server, shots)
            fetch_from_the_assignment_list(page, shots, course)
            check_file_browser_holds_only_the_students_files(page, server, shots)
            open_notebook(page, server, shots)
            expect(page.locator(".validate-button")).to_be_visible()
            setup = code_cell(page, "keras.utils.set_random_seed(SEED)")
            run_cell(setup)
            expect(setup.locator(".jp-OutputArea-output")).to_have_count(0)  # no start-up notice of TensorFlow
            check_stub_fails(page, shots)
            check_in_notebook_check_fails(page, shots)
            check_typed_answer_passes(page, shots, notebook)
            check_in_notebook_check_passes(page, shots)
            save(page, notebook)
            check_validate_lists_the_other_tests(page, shots, notebook)
            assert leaving == [], f"the Lab requested addresses off this machine: {leaving}"

    kernels = [process for process in processes.started if "ipykernel_launcher" in process]
    assert len(kernels) >= 2, f"the notebook's kernel and Validate's should have been seen: {processes.started}"
    assert processes.survivors == [], "processes left running by the Lab server or the browser"


def check_formgrader_opens(page, shots, course):
    """The Formgrader opens from the Nbgrader menu, with the course's assignments to manage."""
    page.locator(".lm-MenuBar-item").filter(has_text="Nbgrader").click()
    page.locator('.lm-Menu-item[data-command="nbgrader:open-formgrader"]').click()
    formgrader = page.frame_locator("#formgrader iframe")
    for assignment in sorted(folder.name for folder in (course / "source").iterdir()):
        expect(formgrader.get_by_role("link", name=assignment, exact=True)).to_be_visible()
    shots.take("formgrader")


def graded_written_answer(course):
    """Assignment 1's untouched notebook, submitted by `ann` and autograded in `course`; the id of its gradebook entry."""
    from nbgrader.api import Gradebook

    from autograder.assignments import assignment as find_assignment
    from autograder.assignments.submission import untouched
    from autograder.demo import write_submissions

    owner = find_assignment(WRITTEN_ANSWER_ASSIGNMENT)
    submission = dataclasses.replace(untouched(owner), student_id="ann")
    run_nbgrader(course, "generate_assignment", owner.name, "--force")
    write_submissions(course, [submission])
    run_nbgrader(course, "autograde", owner.name, "--force", check=False)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission_notebook(owner.notebook, owner.name, "ann").id


def check_formgrader_shows_the_courses_answer_and_rubric(page, server, shots, submission_id):
    """The Formgrader's page of a submission shows, under the written answer, the course's answer and its rubric."""
    from autograder.assignments import assignment as find_assignment

    page.goto(f"{server.url}/formgrader/submissions/{submission_id}/?token={server.token}")
    reference = page.locator(".text_cell_render").filter(has_text="the course's answer to")
    expect(reference).to_contain_text("SimpleNet has no convolution")
    rubric = find_assignment(WRITTEN_ANSWER_ASSIGNMENT).test("tutorial_claims").rubric
    expect(reference).to_contain_text(rubric.split(".")[0])
    reference.scroll_into_view_if_needed()
    shots.take("formgrader-written-answer")


def check_news_check_sees_a_popup(page, shots):
    """The news pop-up check is not blind: the same question, shown as a notification, is found."""
    page.evaluate("""question => window.jupyterapp.commands.execute(
        "apputils:notify", {message: question, type: "default", options: {autoClose: false}})""", NEWS_QUESTION)
    expect(news_popup(page)).to_be_visible()
    shots.take("a-news-popup-is-seen")


@pytest.mark.slow
def test_instructor_view_has_the_formgrader_and_create_assignment(tmp_path):
    chromium = chromium_path()
    course = copy_course(tmp_path / "course")
    state_dir = tmp_path / "jupyter"
    state_dir.mkdir()
    print(f"\nscreenshots: {INSTRUCTOR_ARTIFACTS}")

    submission_id = graded_written_answer(course)

    with ProcessWatch() as processes:
        with running_lab(course, state_dir, view="instructor") as server, \
                browser_page(chromium, state_dir / "home") as page:
            leaving = requests_leaving_the_machine(page)
            shots = Screenshots(page, INSTRUCTOR_ARTIFACTS)
            page.goto(f"{server.url}/lab?token={server.token}")
            check_no_news_popup(page)
            assert not page.evaluate("id => window.jupyterapp.hasPlugin(id)", EXTENSION_MANAGER)
            assert nbgrader_menu(page, shots, "nbgrader-menu") == INSTRUCTOR_MENU
            assert commands_present(page, STUDENT_COMMANDS + INSTRUCTOR_COMMANDS) == list(
                STUDENT_COMMANDS + INSTRUCTOR_COMMANDS)
            expect(create_assignment_tab(page)).to_have_count(1)
            assert server.status_of("formgrader") == 200
            check_formgrader_opens(page, shots, course)
            check_formgrader_shows_the_courses_answer_and_rubric(page, server, shots, submission_id)
            page.goto(f"{server.url}/lab?token={server.token}")
            wait_until_restored(page)
            check_news_check_sees_a_popup(page, shots)
            assert leaving == [], f"the Lab or the Formgrader requested addresses off this machine: {leaving}"
            # The record of such requests is not blind: a fetch of an outside address is in it (and aborted).
            page.evaluate("() => fetch('http://192.0.2.1/pixel.png').catch(() => null)")
            assert leaving == ["http://192.0.2.1/pixel.png"]

    assert processes.survivors == [], "processes left running by the Lab server or the browser"
