"""A notebook whose test cells were deleted, edited or re-marked, or that is not JSON, is said in one sentence, never a
traceback: to the instructor (`keras-course grade`'s lines and `--json`, the class report) and to the student (the
feedback, `keras-course check`).

First on notebooks built in memory from the release (what each change is called, and that the release and every demo
submission get no sentence); then the real nbgrader: a class of broken notebooks and an intact one graded by
`keras-course grade` once for the module, what nbgrader did with each (graded the course's version, or nothing), and
what every reader of the result says.
"""

import json
import uuid

import nbformat
import pytest

from autograder.assignments import all_assignments
from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import build_notebook, unanswered
from autograder.cells import grade_id_of
from autograder.grading.batch import grade_class, summary_json
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.grading.results import read_results
from autograder.report import gather_class, write_report
from autograder.report.classreport import GRADED, NOT_GRADED
from autograder.selfcheck.command import run_check
from autograder.selfcheck.report import format_report
from autograder.settings import COURSE_ROOT
from autograder.submission_problems import nbgrader_failure, problem_sentence
from tests.grading_runs import timed

A1 = find_assignment("01_fix_simplenet")
RELEASE = COURSE_ROOT / "release" / A1.name / A1.filename
COURSE_NOTEBOOK = nbformat.read(A1.notebook_path(), as_version=4)
TEST = "data_prepared"  # the first test of assignment 1, right after the answer it tests
TRACEBACK_WORDS = ("Traceback", "KeyError", "RuntimeError", "File \"", "nbgrader/")


def released():
    return nbformat.read(RELEASE, as_version=4)


def cell_of(nb, grade_id):
    return next(cell for cell in nb.cells if grade_id_of(cell) == grade_id)


def deleted(nb):
    nb.cells.remove(cell_of(nb, TEST))


def edited(nb):
    cell_of(nb, TEST).source = "pass"


def re_marked(nb):
    """As nbgrader's Create Assignment menu marks a cell "Autograded answer"."""
    cell_of(nb, TEST).metadata.nbgrader.update(solution=True, grade=False, locked=False)


def grade_id_removed(nb):
    del cell_of(nb, TEST).metadata.nbgrader["grade_id"]


def metadata_removed(nb):
    del cell_of(nb, TEST).metadata["nbgrader"]


def grade_id_changed(nb):
    cell_of(nb, TEST).metadata.nbgrader["grade_id"] = "my_test"


def points_changed(nb):
    cell_of(nb, TEST).metadata.nbgrader["points"] = 5


def to_markdown(nb):
    cell = cell_of(nb, TEST)
    cell.cell_type = "markdown"
    del cell["outputs"], cell["execution_count"]


def to_markdown_with_cell_ids(nb):
    """As JupyterLab saves it: nbformat 4.5, every cell with an id."""
    nb.nbformat_minor = 5
    for cell in nb.cells:
        cell["id"] = uuid.uuid4().hex[:8]
    to_markdown(nb)


def setup_edited(nb):
    cell_of(nb, "setup").source += "\nextra = 1"


def bytes_of(change):
    nb = released()
    change(nb)
    return nbformat.writes(nb).encode()


def sentence(change, graded):
    return problem_sentence(A1.filename, bytes_of(change), COURSE_NOTEBOOK, graded)


NOT_JSON = b'{"cells": ['
FRESH_COPY = "fetch the assignment again (rename your folder first) and copy your answers into the fresh copy"
GRADED_INSTEAD = "nbgrader graded the course's version of it instead; to have it back in your notebook, " + FRESH_COPY
NOT_GRADED_TAIL = (", so nbgrader could not grade this notebook: " + FRESH_COPY
                   + ", leaving its test cells as they are, and submit it again.")
# What each change is called: (graded: nbgrader put the cell back; not graded: nbgrader stops on it).
SAID = {
    deleted: f"Test cell `{TEST}` was deleted: {GRADED_INSTEAD}.",
    edited: f"Test cell `{TEST}` was edited: {GRADED_INSTEAD}.",
    metadata_removed: f"Test cell `{TEST}` lost its nbgrader metadata: {GRADED_INSTEAD}.",
    points_changed: f"Test cell `{TEST}` had its points changed from 1 to 5: {GRADED_INSTEAD}.",
    to_markdown_with_cell_ids: f"Test cell `{TEST}` was turned into a markdown cell: {GRADED_INSTEAD}.",
    setup_edited: f"Read-only cell `setup` was edited: {GRADED_INSTEAD}.",
    re_marked: f"Test cell `{TEST}` was re-marked as an autograded answer{NOT_GRADED_TAIL}",
    grade_id_removed: f"Test cell `{TEST}` lost its grade id from its nbgrader metadata{NOT_GRADED_TAIL}",
    grade_id_changed: f"Test cell `{TEST}` had its grade id changed to `my_test`{NOT_GRADED_TAIL}",
    to_markdown: f"Test cell `{TEST}` was turned into a markdown cell{NOT_GRADED_TAIL}",
}
NOT_JSON_SAID = (f"{A1.filename} is not a valid notebook (not JSON: Expecting value at line 1, column 12): Jupyter "
                 "cannot open it and nbgrader could not grade it; restore it (JupyterLab: File > Revert Notebook to "
                 f"Checkpoint) or {FRESH_COPY}, then submit it again.")
# What nbgrader 0.9.6 cannot grade (KeyError: 'grade_id', "Inconsistent checksums", a markdown cell without an id).
NOT_GRADED_BY_NBGRADER = {re_marked, grade_id_removed, grade_id_changed, to_markdown}


# In memory -------------------------------------------------------------------------------------


@pytest.mark.parametrize("change", list(SAID), ids=lambda change: change.__name__)
def test_each_change_to_a_test_cell_is_one_sentence_naming_the_cell_what_was_done_and_what_to_do(change):
    """Is each change named by its cell's grade id, graded (put back) or not as nbgrader does with it?"""
    assert sentence(change, graded=change not in NOT_GRADED_BY_NBGRADER) == SAID[change]


def test_a_change_nbgrader_puts_back_is_not_blamed_when_the_notebook_was_not_graded_for_another_reason():
    """Is a deleted test cell (which nbgrader adds back) never given as the reason a notebook was not graded?"""
    assert sentence(deleted, graded=False) == ""
    assert sentence(re_marked, graded=True).startswith(f"Test cell `{TEST}` was re-marked as an autograded answer: ")


def test_several_changes_are_one_sentence():
    def both(nb):
        re_marked(nb)
        cell_of(nb, "simplenet_builds").source = "pass"
        nb.cells.remove(cell_of(nb, "weight_plot"))

    said = sentence(both, graded=False)
    assert said == f"Test cell `{TEST}` was re-marked as an autograded answer{NOT_GRADED_TAIL}"
    said = sentence(both, graded=True)
    assert said.startswith(f"Test cell `{TEST}` was re-marked as an autograded answer, test cell `simplenet_builds` was "
                           "edited and test cell `weight_plot` was deleted: nbgrader graded the course's version of "
                           "them instead; ")


def test_a_file_that_is_not_json_says_where_its_json_breaks():
    assert problem_sentence(A1.filename, NOT_JSON, COURSE_NOTEBOOK, graded=False) == NOT_JSON_SAID
    not_a_notebook = problem_sentence(A1.filename, json.dumps({"answers": [1]}).encode(), COURSE_NOTEBOOK, False)
    assert not_a_notebook.startswith(f"{A1.filename} is not a valid notebook (")


def test_the_release_and_every_demo_submission_get_no_sentence():
    """Do the notebooks as released and as the demo students answer them (hidden tests and all) say nothing?"""
    for assignment in all_assignments():
        course = nbformat.read(assignment.notebook_path(), as_version=4)
        release = COURSE_ROOT / "release" / assignment.name / assignment.filename
        assert problem_sentence(assignment.filename, release.read_bytes(), course, graded=True) == ""
        for submission in (*assignment.submissions, *unanswered(assignment, COURSE_ROOT / "source")):
            nb = build_notebook(submission, release, COURSE_ROOT / "source" / assignment.name / assignment.filename)
            said = problem_sentence(assignment.filename, nbformat.writes(nb).encode(), course, graded=True)
            assert said == "", (submission.student_id, said)


def test_the_exception_nbgrader_logs_is_read_without_its_traceback():
    log = ["[AutogradeApp | ERROR] There was an error processing assignment: /course/submitted/x/a1",
           "[AutogradeApp | ERROR] Traceback (most recent call last):",
           '      File "/venv/nbgrader/preprocessors/overwritecells.py", line 243, in preprocess_cell',
           '        raise RuntimeError("Inconsistent checksums for cell {}".format(source_cell.name))',
           "    RuntimeError: Inconsistent checksums for cell data_prepared",
           "[AutogradeApp | ERROR] Please see the the above traceback for details on the specific errors"]
    assert nbgrader_failure(log) == "RuntimeError: Inconsistent checksums for cell data_prepared"
    assert nbgrader_failure(["    nbformat.validator.NotebookValidationError: 'id' is a required property"]) == (
        "NotebookValidationError: 'id' is a required property")
    assert nbgrader_failure(["[AutogradeApp | INFO] all went well"]) == ""


# The real nbgrader, through `keras-course grade` -----------------------------------------------

# Each broken student hands in the release with one change; `intact` hands in the release as it is.
BROKEN = {"deleted": deleted, "edited": edited, "re_marked": re_marked, "grade_id_removed": grade_id_removed}
NOT_GRADED_STUDENTS = ("grade_id_removed", "not_json", "re_marked")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A1 generated in a copy of the course, the broken students and `intact` graded by one batch, then feedback."""
    course = copy_course(tmp_path_factory.mktemp("broken") / "course")
    run_nbgrader(course, "generate_assignment", A1.name, "--force")
    for student, change in {**BROKEN, "intact": lambda nb: None}.items():
        folder = course / "submitted" / student / A1.name
        folder.mkdir(parents=True)
        (folder / A1.filename).write_bytes(bytes_of(change))
    folder = course / "submitted" / "not_json" / A1.name
    folder.mkdir(parents=True)
    (folder / A1.filename).write_bytes(NOT_JSON)
    said = []
    with timed(f"broken: keras-course grade {A1.name}, {len(BROKEN) + 2} students"):
        summary = grade_class(course, A1.name, workers=2, progress=lambda state: said.extend(state.take_said()))
    with timed(f"broken: generate_feedback {A1.name}"):
        run_nbgrader(course, "generate_feedback", A1.name, "--force")
    return course, summary, said


def expected(student):
    return NOT_JSON_SAID if student == "not_json" else SAID[BROKEN[student]]


def no_traceback(text):
    return not any(word in text for word in TRACEBACK_WORDS)


@pytest.mark.slow
def test_nbgrader_grades_the_courses_version_of_a_deleted_or_edited_test_and_nothing_of_a_broken_notebook(graded):
    """Does nbgrader put a deleted or edited test cell back and grade it, and grade nothing where it cannot?"""
    course, summary, _ = graded
    assert sorted(entry["student"] for entry in summary.graded) == ["deleted", "edited", "intact"]
    assert sorted(failure["student"] for failure in summary.failed) == list(NOT_GRADED_STUDENTS)
    for student in ("deleted", "edited"):
        results = {result.grade_id: result for result in read_results(course, A1.name, A1.notebook, student)}
        # The course's test, not the student's `pass`: it fails as the intact release's does.
        assert results[TEST].points == 0 and "train_images" in results[TEST].message, student
    intact = [(result.grade_id, result.points) for result in read_results(course, A1.name, A1.notebook, "intact")]
    assert [(result.grade_id, result.points) for result in read_results(course, A1.name, A1.notebook, "edited")] == intact


@pytest.mark.slow
def test_the_instructor_reads_one_sentence_per_broken_student_in_the_lines_and_the_json(graded):
    """Do `keras-course grade`'s lines (as each student ends, and the summary) and `--json` give each broken student
    its sentence, no traceback, and the intact student none?"""
    _, summary, said = graded
    reasons = {failure["student"]: failure["reason"] for failure in summary.failed}
    notes = {entry["student"]: entry.get("note", "") for entry in summary.graded}
    assert reasons == {student: expected(student) for student in NOT_GRADED_STUDENTS}
    assert notes == {"deleted": expected("deleted"), "edited": expected("edited"), "intact": ""}
    as_each_ends = {line.split(":", 1)[0]: line for line in said}
    for student in ("deleted", "edited"):
        assert as_each_ends[student].endswith(f" s); {expected(student)}")
        assert f"  note: {student}: {expected(student)}" in summary.lines()
    for student in NOT_GRADED_STUDENTS:
        assert as_each_ends[student] == f"{student}: not graded ({expected(student)})"
        assert f"  not graded: {student}: {expected(student)}" in summary.lines()
    assert as_each_ends["intact"].endswith(" s)")
    printed = summary_json(summary)
    assert json.loads(printed)["failed"] == summary.failed
    assert no_traceback("\n".join([*said, *summary.lines(), printed]))


@pytest.mark.slow
def test_the_class_report_gives_each_broken_student_the_sentence(graded, tmp_path):
    """Does the report's row of each broken student hold its sentence (the reason it was not graded, or a note), the
    intact student's none, and the page show them with no traceback?"""
    from html import unescape

    course, _, _ = graded
    (report,) = gather_class(course, [A1.name])
    rows = {row.student_id: row for row in report.students}
    for student in NOT_GRADED_STUDENTS:
        assert (rows[student].status, rows[student].reason) == (NOT_GRADED, expected(student))
    for student in ("deleted", "edited"):
        assert (rows[student].status, rows[student].note) == (GRADED, expected(student))
    assert (rows["intact"].status, rows["intact"].note, rows["intact"].reason) == (GRADED, "", "")
    page = unescape(write_report(course, [A1.name], out=tmp_path / "report").read_text())
    assert [student for student in (*NOT_GRADED_STUDENTS, "deleted", "edited") if expected(student) not in page] == []
    assert no_traceback(page)


@pytest.mark.slow
def test_the_feedback_of_a_student_whose_test_cell_was_put_back_says_so_and_the_intact_ones_does_not(graded):
    from html import unescape

    course, _, _ = graded
    pages = {student: unescape((course / "feedback" / student / A1.name / f"{A1.notebook}.html").read_text())
             for student in ("deleted", "edited", "intact")}
    for student in ("deleted", "edited"):
        assert f'<p class="handed-in">{expected(student)}</p>' in pages[student], student
    assert 'class="handed-in"' not in pages["intact"]


@pytest.mark.slow
def test_keras_course_check_says_the_sentence_graded_or_not(tmp_path):
    """Does `keras-course check` end with the sentence for a re-marked test (nothing graded) and a deleted one (the
    course's version graded), and no traceback?"""
    for name, change in (("re_marked", re_marked), ("deleted", deleted)):
        path = tmp_path / name / A1.filename
        path.parent.mkdir()
        path.write_bytes(bytes_of(change))
        with timed(f"broken: keras-course check ({name})"):
            report = run_check(path, course=COURSE_ROOT)
        printed = format_report(report)
        assert report.graded == (change is deleted)
        assert f"Note: {SAID[change]}" in printed.splitlines(), printed
        assert no_traceback(printed), printed


def test_keras_course_check_refuses_a_file_that_is_not_json_with_the_sentence(tmp_path):
    from autograder.selfcheck.course import CheckError, read_notebook

    path = tmp_path / A1.filename
    path.write_bytes(NOT_JSON)
    with pytest.raises(CheckError) as refused:
        read_notebook(path)
    assert str(refused.value) == NOT_JSON_SAID.replace(A1.filename, str(path), 1)
