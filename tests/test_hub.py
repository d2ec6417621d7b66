"""A class on a real JupyterHub (`keras-course hub`, `make hub`): real Unix accounts, PAM log-in, each person's
server as their own account, the Formgrader as the course's grader account, driven in Debian's Chromium.

One hub serves every test here, in order: the whole term, then what a student cannot reach, then a
restart. Screenshots of each step go to test-artifacts/hub/.
"""

import shutil
import time

import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import expect, sync_playwright

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import build_notebook, reference
from autograder.course import course_settings
from autograder.settings import COURSE_ROOT
from tests.browser import Screenshots, chromium_path, code_cell, replace_source, run_cell, wait_until_restored
from tests.hub import (
    ARTIFACTS,
    INSTRUCTOR,
    SPAWN_TIMEOUT,
    STUDENTS,
    ClassHub,
    home_of,
    kept_umask,
    log_in,
    new_hub_folder,
    remove_accounts,
)

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_fix_simplenet"
NOTEBOOK = "fix_simplenet.ipynb"
COURSE = "keras-course"
ALICE, BOB = STUDENTS  # Alice hands in the reference solution, Bob the tutorial's missing Flatten
ANSWERS = {ALICE: "reference", BOB: "no_flatten"}
ANSWER_CELLS = {"prepare_data": "load_raw_mnist()", "simplenet": "class SimpleNet(",
                "train_simplenet": "model.evaluate(test_images", "plot_weights": "def plot_first_layer_weights("}
CHECKED = "simplenet_output_shape"
WRITTEN_ANSWER = "The tutorial says Dense layers accept images as they are; they need Flatten first."
GRADE_TIMEOUT = 600
TERMINAL_START_TIMEOUT = 30
# What Bob's notebook also tries: writing where the grader's account could, outside its own folder.
OUTSIDE = "outside-its-folder.txt"
ACCOUNTS = (INSTRUCTOR, *STUDENTS)


@pytest.fixture(scope="module")
def class_hub():
    remove_accounts(ACCOUNTS)
    folder = new_hub_folder()
    hub = ClassHub(folder)
    try:
        hub.start()
        yield hub
    finally:
        hub.stop()
        remove_accounts(ACCOUNTS)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True)
        expect.set_options(timeout=60_000)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def shots_folder():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


class Shots(Screenshots):
    """Numbered screenshots of every page of one test in one folder, named after the person and the step."""

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.page = None

    def of(self, page, step):
        self.page = page
        self.take(step)


# The instructor's Formgrader ------------------------------------------------------------------


def formgrader(browser, hub, shots):
    """The instructor logged in, on the course's Formgrader (a tab of its own, behind the hub)."""
    page = log_in(browser, hub, INSTRUCTOR)
    page.goto(f"{hub.url}/services/{COURSE}/formgrader")
    expect(page.locator("tr").filter(has_text=ASSIGNMENT)).to_be_visible()
    shots.of(page, "instructor-formgrader")
    return page


def formgrader_action(page, row, action, shots, step):
    """Click the Formgrader's `action` (the class of its column: assign, release, collect, …) in `row`, and wait for
    its success dialog (failing with the dialog's log on an error)."""
    row.locator(f".{action} a").click()
    done = page.locator("#success-modal, #error-modal")
    expect(done).to_be_visible(timeout=GRADE_TIMEOUT * 1000)
    shots.of(page, step)
    assert page.locator("#error-modal").count() == 0, page.locator("#error-modal").inner_text()
    said = page.locator("#success-modal").inner_text()
    page.locator("#success-modal .modal-footer button").click()
    expect(done).to_have_count(0)
    return said


def assignment_row(page):
    return page.locator("tr").filter(has_text=ASSIGNMENT)


# A student's JupyterLab -----------------------------------------------------------------------


def assignment_list(page):
    """Open nbgrader's Assignment List from the Nbgrader menu; return its panel."""
    page.locator(".lm-MenuBar-item").filter(has_text="Nbgrader").click()
    page.locator('.lm-Menu-item[data-command="nbgrader:open-assignment-list"]').click()
    panel = page.locator("#nbgrader-assignment-list")
    expect(panel).to_contain_text("Released assignments")
    return panel


def close_assignment_list(page):
    page.locator(".lm-TabBar-tab").filter(has_text="Assignments").locator(".lm-TabBar-tabCloseIcon").click()


def notebook_path(user):
    return home_of(user) / COURSE / ASSIGNMENT / NOTEBOOK


def answers_of(user):
    """The sources the student types in each answer cell, by grade id."""
    owner = find_assignment(ASSIGNMENT)
    submission = reference(owner) if ANSWERS[user] == "reference" else next(
        found for found in owner.submissions if found.student_id == ANSWERS[user])
    built = build_notebook(submission, COURSE_ROOT / "release" / ASSIGNMENT / NOTEBOOK,
                           COURSE_ROOT / "source" / ASSIGNMENT / NOTEBOOK)
    by_id = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in built.cells}
    return {grade_id: by_id[grade_id] for grade_id in ANSWER_CELLS}


def student_works(browser, hub, user, shots, extra=""):
    """`user` logs in, fetches the assignment, types their answers (`extra` after the data's), runs `check()`,
    validates and submits."""
    page = log_in(browser, hub, user, shots)
    shots.of(page, f"{user}-lab")
    panel = assignment_list(page)
    released = panel.locator("#released_assignments_list .list_item").filter(has_text=ASSIGNMENT)
    expect(released).to_have_count(1)
    shots.of(page, f"{user}-assignment-list")
    released.get_by_role("button", name="Fetch").click()
    expect(panel.locator("#fetched_assignments_list")).to_contain_text(ASSIGNMENT)
    close_assignment_list(page)
    assert notebook_path(user).owner() == user, "the fetched notebook is not the student's own"

    page.goto(f"{hub.url}/user/{user}/lab/tree/{COURSE}/{ASSIGNMENT}/{NOTEBOOK}")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=SPAWN_TIMEOUT * 1000)
    answers = answers_of(user)
    answers["prepare_data"] += extra
    for grade_id, marker in ANSWER_CELLS.items():
        replace_source(code_cell(page, marker), answers[grade_id])
    written = page.locator(".jp-MarkdownCell").filter(has_text="YOUR ANSWER HERE")
    written.dblclick()
    written.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(WRITTEN_ANSWER)
    page.keyboard.press("Shift+Enter")
    # check() needs the cells it tests run first: the set-up, the data and the model.
    for marker in ("from autograder import check", ANSWER_CELLS["prepare_data"], ANSWER_CELLS["simplenet"]):
        run_cell(code_cell(page, marker))
    model = code_cell(page, ANSWER_CELLS["simplenet"])
    model.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(f'check("{CHECKED}")')
    page.keyboard.press("Escape")
    checked = code_cell(page, f'check("{CHECKED}")')
    run_cell(checked)
    checked.scroll_into_view_if_needed()
    shots.of(page, f"{user}-check")
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1000)

    page.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog").filter(has_text="Validation Results")
    expect(dialog).to_be_visible(timeout=GRADE_TIMEOUT * 1000)
    shots.of(page, f"{user}-validated")
    validation = dialog.inner_text()
    page.locator(".jp-Dialog .jp-mod-accept").click()

    panel = assignment_list(page)
    fetched = panel.locator("#fetched_assignments_list .list_item").filter(has_text=ASSIGNMENT)
    fetched.get_by_role("button", name="Submit").click()
    expect(panel.locator("#submitted_assignments_list")).to_contain_text(ASSIGNMENT, timeout=120_000)
    shots.of(page, f"{user}-submitted")
    close_assignment_list(page)
    return page, checked.locator(".jp-OutputArea").inner_text(), validation


def type_in_a_new_terminal(page, hub, user, line, started):
    """Open a terminal in `user`'s JupyterLab and type `line` (a shell command) in it, until the file `started`, which
    the command makes first, exists: keys typed before the terminal is connected are lost, so it types once more."""
    page.goto(f"{hub.url}/user/{user}/lab")
    wait_until_restored(page)
    page.evaluate("() => window.jupyterapp.commands.execute('terminal:create-new')")
    terminal = page.locator(".jp-Terminal")
    expect(terminal).to_be_visible()
    for attempt in range(2):
        terminal.click()
        if attempt:
            page.keyboard.press("Control+c")  # whatever part of the line arrived
        page.keyboard.type(line + "\n")
        deadline = time.monotonic() + TERMINAL_START_TIMEOUT
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        if started.exists():
            return
    pytest.fail(f"the command typed in {user}'s terminal did not start: {line}")


def grade_in_the_instructors_terminal(page, hub, shots):
    """The instructor grades the pending submissions with `keras-course grade`, typed in their own JupyterLab's
    terminal (their own account); return what it printed and its exit code."""
    course = hub.layout.course
    out, code = course / "grade.log", course / "grade.exit"
    command = (f"cd {course} && keras-course grade {ASSIGNMENT} 2>&1 | tee grade.log; "
               "echo ${PIPESTATUS[0]} > grade.exit")
    type_in_a_new_terminal(page, hub, INSTRUCTOR, command, started=out)
    deadline = time.monotonic() + GRADE_TIMEOUT
    while not (code.exists() and code.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(1)
    shots.of(page, "instructor-terminal-graded")
    return out.read_text(), code.read_text().strip()


def nbgrader_menu(page, shots, step):
    """The labels of the Nbgrader menu's items in `page`'s JupyterLab (the menu is closed again)."""
    page.locator(".lm-MenuBar-item").filter(has_text="Nbgrader").click()
    labels = page.locator(".lm-Menu .lm-Menu-item:visible .lm-Menu-itemLabel")
    expect(labels.first).to_be_visible()
    shots.of(page, step)
    shown = labels.all_inner_texts()
    page.keyboard.press("Escape")
    return shown


def scores(hub):
    """{student: (score, max score)} of the assignment in the hub's course gradebook."""
    with kept_umask():
        db_url, _ = course_settings(hub.layout.course)
    with Gradebook(db_url) as gradebook:
        return {submission.student_id: (submission.score, submission.max_score)
                for submission in gradebook.assignment_submissions(ASSIGNMENT)}


def fetch_feedback(page, hub, user, shots):
    """`user` fetches their feedback from the Assignment List and opens it; return the page's text."""
    page.goto(f"{hub.url}/user/{user}/lab")
    panel = assignment_list(page)
    submitted = panel.locator("#submitted_assignments_list .list_item").filter(has_text=ASSIGNMENT)
    submitted.get_by_role("button", name="Fetch Feedback").click()
    feedback = home_of(user) / COURSE / ASSIGNMENT / "feedback"
    deadline = time.monotonic() + 120
    while not list(feedback.glob("*/*.html")) and time.monotonic() < deadline:
        time.sleep(0.5)
    shots.of(page, f"{user}-feedback-fetched")
    [html] = feedback.glob("*/*.html")
    assert html.owner() == user
    page.goto(f"{hub.url}/user/{user}/files/{html.relative_to(home_of(user))}")
    shots.of(page, f"{user}-feedback")
    return page.locator("body").inner_text()


def outside_writes(targets):
    """Lines for a cell of Bob's that tries to write each of `targets` (outside its folder) and prints what happened."""
    return (f"\nfor target in {[str(target) for target in targets]!r}:\n"
            "    try:\n"
            "        with open(target, 'w') as file:\n"
            "            file.write('written by a notebook')\n"
            "    except OSError as error:\n"
            "        print(target, type(error).__name__)\n")


def test_the_whole_term_in_the_browser(class_hub, browser, shots_folder):
    hub = class_hub
    shots = Shots(shots_folder / "term")
    instructor = formgrader(browser, hub, shots)
    formgrader_action(instructor, assignment_row(instructor), "assign", shots, "instructor-generated")
    formgrader_action(instructor, assignment_row(instructor), "release", shots, "instructor-released")
    expect(assignment_row(instructor)).to_contain_text("released")

    alice, alice_check, alice_validation = student_works(browser, hub, ALICE, shots)
    assert f"✔ {CHECKED}: passed" in alice_check, alice_check
    assert "Success! Your notebook passes all the tests." in alice_validation, alice_validation
    # Bob's notebook also tries to write outside its folder, into the course's and his instructor's.
    # The grader's account and the instructor's may write both places; Bob's may not, nor may anything graded.
    outside = [hub.layout.course / OUTSIDE, home_of(INSTRUCTOR) / OUTSIDE]
    bob, bob_check, bob_validation = student_works(browser, hub, BOB, shots, outside_writes(outside))
    assert f"✘ {CHECKED}: failed" in bob_check and "flatten them first" in bob_check, bob_check
    assert CHECKED in bob_validation, bob_validation

    instructor.goto(f"{hub.url}/services/{COURSE}/formgrader")
    formgrader_action(instructor, assignment_row(instructor), "collect", shots, "instructor-collected")
    instructor.goto(f"{hub.url}/services/{COURSE}/formgrader/manage_submissions/{ASSIGNMENT}")
    alice_row = instructor.locator("tr").filter(has_text=ALICE)
    said = formgrader_action(instructor, alice_row, "autograde", shots, "instructor-autograded-alice")
    assert f"sandbox: the sandbox as the ordinary user {hub.layout.grader}" in said, said

    printed, exit_code = grade_in_the_instructors_terminal(instructor, hub, shots)
    # The instructor's own JupyterLab: the Assignment List and the Course List (to the Formgrader), no Formgrader.
    assert nbgrader_menu(instructor, shots, "instructor-menu") == ["Assignment List", "Course List"]
    assert exit_code == "0", printed
    assert f"kernels: the sandbox as the ordinary user {INSTRUCTOR}" in printed, printed
    assert "1 graded, 1 already graded" in printed, printed
    assert not any(path.exists() for path in outside), "a graded notebook wrote outside its folder"
    graded = scores(hub)
    owner = find_assignment(ASSIGNMENT)
    autograded_points = sum(test.points for test in owner.autograded(hub.layout.course))
    assert graded[ALICE][0] == autograded_points, graded
    assert graded[BOB][0] < autograded_points, graded

    instructor.goto(f"{hub.url}/services/{COURSE}/formgrader")
    formgrader_action(instructor, assignment_row(instructor), "generate-feedback", shots, "instructor-feedback")
    formgrader_action(instructor, assignment_row(instructor), "release-feedback", shots, "instructor-returned")
    feedback = {user: fetch_feedback(page, hub, user, shots) for page, user in ((alice, ALICE), (bob, BOB))}
    for user, text in feedback.items():
        score, max_score = graded[user]
        assert f"{score:g} / {max_score:g} points" in text, text[:2000]
    assert "flatten them first" in feedback[BOB]


def unreachable_paths(hub):
    """What a student must not read on the hub: another student's files, the course's (hidden tests, gradebook), the
    exchange's inbound folder (everyone's submissions), and the checkout's hidden tests and history."""
    course, bob = hub.layout.course, home_of(BOB)
    return [bob, bob / COURSE / ASSIGNMENT / NOTEBOOK, course / "source", course / "source" / ASSIGNMENT / NOTEBOOK,
            course / "gradebook.db", course / "submitted", hub.layout.exchange / COURSE / "inbound",
            COURSE_ROOT / "source" / ASSIGNMENT / NOTEBOOK, COURSE_ROOT / ".git"]


READ_EACH = '''import os
for path in {paths!r}:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(1)
        print("READ", path)
    except PermissionError:
        print("DENIED", path)'''


def run_in_a_new_notebook(page, hub, user, code, shots, step):
    """Type `code` in a cell of a new notebook of `user`'s and run it; return its output."""
    page.goto(f"{hub.url}/user/{user}/lab")
    wait_until_restored(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:create-new', {kernelName: 'python3'})")
    notebook = page.locator(".jp-NotebookPanel:visible")
    expect(notebook).to_have_count(1)
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=SPAWN_TIMEOUT * 1000)
    cell = notebook.locator(".jp-CodeCell").first
    cell.locator(".cm-content").click()
    page.keyboard.insert_text(code)
    run_cell(cell)
    shots.of(page, step)
    return cell.locator(".jp-OutputArea").inner_text()


def run_in_a_terminal(page, hub, user, command, shots, step):
    """Type `command` in a new terminal of `user`'s JupyterLab; return what it wrote to ~/terminal.txt."""
    output = home_of(user) / "terminal.txt"
    type_in_a_new_terminal(page, hub, user, f"({command}) > ~/terminal.txt 2>&1; echo finished >> ~/terminal.txt",
                           started=output)
    deadline = time.monotonic() + 60
    while "finished" not in output.read_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    shots.of(page, step)
    return output.read_text()


def test_a_student_reaches_neither_another_student_nor_the_course(class_hub, browser, shots_folder):
    hub = class_hub
    shots = Shots(shots_folder / "isolation")
    paths = [str(path) for path in unreachable_paths(hub)]
    alice = log_in(browser, hub, ALICE)

    printed = run_in_a_new_notebook(alice, hub, ALICE, READ_EACH.format(paths=paths), shots, "notebook")
    assert printed.splitlines() == [f"DENIED {path}" for path in paths], printed

    each = " ".join(f"'{path}'" for path in paths)
    written = run_in_a_terminal(alice, hub, ALICE, f'for p in {each}; do (cat "$p" || ls "$p") 2>&1 >/dev/null '
                                f'| grep -q "Permission denied" && echo "DENIED $p" || echo "READ $p"; done',
                                shots, "terminal")
    assert written.splitlines() == [*(f"DENIED {path}" for path in paths), "finished"], written

    # Neither the hub's Formgrader nor one of her own server's.
    response = alice.goto(f"{hub.url}/services/{COURSE}/formgrader")
    shots.of(alice, "formgrader-refused")
    assert response.status == 403, response.status
    assert alice.goto(f"{hub.url}/user/{ALICE}/formgrader").status == 404
    alice.goto(f"{hub.url}/user/{ALICE}/lab")
    assert nbgrader_menu(alice, shots, "student-menu") == ["Assignment List"]


def test_the_hub_comes_back_after_a_restart_with_every_submission_and_grade(class_hub, browser, shots_folder):
    hub = class_hub
    shots = Shots(shots_folder / "restart")
    before = scores(hub)
    inbound = sorted(path.name for path in (hub.layout.exchange / COURSE / "inbound").iterdir())
    assert set(before) == set(STUDENTS) and len(inbound) == len(STUDENTS), (before, inbound)

    hub.restart()

    assert scores(hub) == before
    assert sorted(path.name for path in (hub.layout.exchange / COURSE / "inbound").iterdir()) == inbound
    for user in STUDENTS:
        assert notebook_path(user).is_file() and list((notebook_path(user).parent / "feedback").glob("*/*.html"))
    # Bob logs in again and finds his submission where it was (Alice's is in the exchange and the gradebook above).
    page = log_in(browser, hub, BOB)
    # A fresh layout: JupyterLab would restore the notebooks left open, each asking for a kernel.
    page.goto(f"{hub.url}/user/{BOB}/lab?reset")
    panel = assignment_list(page)
    submitted = panel.locator("#submitted_assignments_list .list_item").filter(has_text=ASSIGNMENT)
    expect(submitted.first).to_be_visible()
    shots.of(page, f"{BOB}-after-restart")
    instructor = log_in(browser, hub, INSTRUCTOR)
    instructor.goto(f"{hub.url}/services/{COURSE}/formgrader/manage_submissions/{ASSIGNMENT}")
    for user in STUDENTS:
        score, max_score = before[user]
        expect(instructor.locator("tr").filter(has_text=user)).to_contain_text(f"{score:g} / {max_score:g}")
    shots.of(instructor, "instructor-after-restart")
