"""Due dates and extensions per student (autograder/deadlines.py and the steps that use it).

The steps each on small inputs (an extensions file, a notebook in memory, a gradebook of a few
rows); then the graded class, whose term has a due date, a student who hands in late with an
extension and one without (`late_hours`, `extension_hours` in the assignments' submissions):
nbgrader's late penalty, the student's own feedback and the class report say which is which.
"""

import csv
import re
from datetime import datetime, timedelta

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook
from nbgrader.api import Gradebook
from traitlets.config import Config

from autograder.assignments import all_assignments
from autograder.deadlines import (
    EXTENSIONS_FILE,
    METADATA_KEY,
    Extension,
    ExtensionsError,
    late_rule,
    read_extensions,
)
from autograder.grading.stages.apply_extensions import ApplyExtensions
from autograder.grading.stages.due_date import DueDate, due_paragraph
from autograder.grading.student_feedback.deadline import EXCUSED, LATE, ON_TIME, deadline_lines, lateness
from autograder.report import gather_class
from autograder.selfcheck.command import CheckReport, due_of
from autograder.selfcheck.report import format_report
from tests.test_pipeline import feedback_html

DUE = datetime(2027, 1, 15, 23, 59)
HEADER = "student_id,assignment,due,extra,reason\n"
ZERO = Config({"LateSubmissionPlugin": {"penalty_method": "zero"}})


def extensions_file(folder, *lines):
    (folder / EXTENSIONS_FILE).write_text(HEADER + "".join(f"{line}\n" for line in lines))
    return folder


def test_an_extension_is_a_new_due_date_or_extra_time(tmp_path):
    extensions_file(tmp_path, "alice,01_fix_simplenet,2027-01-22 23:59 UTC,,illness",
                    "bob,02_layers_and_cnn,,36 hours,", ",,,,")
    found = read_extensions(tmp_path)
    assert set(found) == {("alice", "01_fix_simplenet"), ("bob", "02_layers_and_cnn")}
    alice, bob = found[("alice", "01_fix_simplenet")], found[("bob", "02_layers_and_cnn")]
    assert (alice.beyond(DUE), DUE + alice.beyond(DUE), alice.reason) == (
        timedelta(days=7), datetime(2027, 1, 22, 23, 59), "illness")
    assert bob.beyond(DUE) == timedelta(hours=36)
    # A new due date before the assignment's extends nothing.
    assert Extension("carol", "a", datetime(2027, 1, 1), None).beyond(DUE) == timedelta(0)
    assert read_extensions(tmp_path / "no-such-course") == {}


@pytest.mark.parametrize(("line", "said"), [
    ("alice,01_fix_simplenet,2027-01-22,3 days,", "not both"),
    ("alice,01_fix_simplenet,,,illness", "not neither"),
    ("alice,01_fix_simplenet,,a while,", "is not a number of days, hours or minutes"),
    ("alice,01_fix_simplenet,next friday-ish,,", "is not a date and a time in UTC"),
    ("alice,01_fix_simplenet,2027-01-22 23:59 +0100,,", "is not a date and a time in UTC"),
    ("alice,01_fix_simplenet,2027-01-22,,", "is not a date and a time in UTC"),
    (",01_fix_simplenet,,3 days,", "a student id and an assignment are needed"),
])
def test_a_line_that_is_not_one_extension_is_refused_with_its_line_number(tmp_path, line, said):
    extensions_file(tmp_path, "bob,01_fix_simplenet,,1 day,", line)
    with pytest.raises(ExtensionsError, match=f"line 3: .*{re.escape(said)}"):
        read_extensions(tmp_path)


def test_two_extensions_of_one_submission_and_a_file_without_its_columns_are_refused(tmp_path):
    extensions_file(tmp_path, "bob,a,,1 day,", "bob,a,,2 days,")
    with pytest.raises(ExtensionsError, match="line 3: a second extension for bob in a"):
        read_extensions(tmp_path)
    (tmp_path / EXTENSIONS_FILE).write_text("student,assignment\nbob,a\n")
    with pytest.raises(ExtensionsError, match="missing: student_id, due, extra, reason"):
        read_extensions(tmp_path)


def test_an_empty_file_grants_nothing_and_a_file_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / EXTENSIONS_FILE).write_text("")
    assert read_extensions(tmp_path) == {}
    (tmp_path / EXTENSIONS_FILE).write_bytes((HEADER + "bob,a,,1 day,ärztliches Attest\n").encode("latin-1"))
    with pytest.raises(ExtensionsError, match="is not UTF-8 text"):
        read_extensions(tmp_path)
    (tmp_path / EXTENSIONS_FILE).write_text("student_id, assignment, due, extra, reason\nbob,a,,1 day,\n")
    assert set(read_extensions(tmp_path)) == {("bob", "a")}


def test_the_report_says_which_extensions_grading_has_not_counted_and_whom_the_file_names_in_vain():
    from autograder.report.classreport import GRADED, StudentRow
    from autograder.report.html_page import _lateness

    granted = Extension("alice", "a1", None, timedelta(days=2), "illness")
    counted = StudentRow("alice", GRADED, seconds_after_due=3600, extension=granted, applied_extension=granted.extra)
    assert _lateness(counted) == "excused, 60 min after the due date, within an extension: illness"
    pending = StudentRow("alice", GRADED, seconds_late=3600, seconds_after_due=3600, extension=granted)
    assert not counted.extension_pending and pending.extension_pending
    assert _lateness(pending) == ("60 min; extensions.csv grants an extension grading has not counted: "
                                  "grade this student again")
    dropped = StudentRow("bob", GRADED, seconds_after_due=3600, applied_extension=timedelta(days=1))
    assert "grading counted an extension extensions.csv no longer grants" in _lateness(dropped)


def test_the_late_penalty_is_said_as_the_course_configures_it():
    assert "scores 0" in late_rule(ZERO)
    assert "without a penalty" in late_rule(Config())
    custom = Config({"AssignLatePenalties": {"plugin_class": "course.plugins.HalfPoints"}})
    assert "the course's late penalty" in late_rule(custom)


@pytest.mark.parametrize(("handed_in", "extension", "state", "said"), [
    (DUE - timedelta(hours=1), None, ON_TIME, "on time"),
    (DUE + timedelta(hours=5), None, LATE, "5 h late. Work handed in after its due date"),
    (DUE + timedelta(hours=26), timedelta(hours=48), EXCUSED, "26 h after the due date and within your extension"),
    (DUE + timedelta(hours=50), timedelta(hours=48), LATE, "2 h late."),
])
def test_a_submission_is_on_time_excused_or_late(handed_in, extension, state, said):
    assert lateness(handed_in, DUE, extension)[0] == state
    lines = " ".join(deadline_lines(handed_in, DUE, extension, "illness", late_rule(ZERO)))
    assert said in lines
    assert ("Your extension: until" in lines and "(illness)" in lines) == bool(extension)
    assert lines.startswith("Due 2027-01-15 23:59 UTC.")


def test_without_a_due_date_nothing_is_said():
    assert lateness(DUE, None, None) == (None, 0.0)
    assert deadline_lines(DUE, None, None, "", late_rule(ZERO)) == ()


def gradebook_with(tmp_path, duedate):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment("a1", duedate=duedate)
        gradebook.add_student("alice")
        gradebook.add_submission("a1", "alice", timestamp=DUE + timedelta(hours=30))
    return url


def release_notebook():
    return new_notebook(cells=[new_markdown_cell("# Title\n\n**Description:** what it is.\n\n## Introduction")])


def test_the_release_says_the_due_date_under_the_description_and_in_its_metadata(tmp_path):
    resources = {"nbgrader": {"db_url": gradebook_with(tmp_path, DUE), "assignment": "a1"}}
    nb, _ = DueDate(config=ZERO).preprocess(release_notebook(), resources)
    paragraphs = nb.cells[0].source.split("\n\n")
    assert paragraphs[2] == due_paragraph(DUE, late_rule(ZERO))
    assert paragraphs[2].startswith("**Due:** 2027-01-15 23:59 UTC. Work handed in after its due date")
    assert nb.metadata[METADATA_KEY] == {"due": "2027-01-15 23:59 UTC", "late_rule": late_rule(ZERO)}
    assert due_of(nb) == f"Due 2027-01-15 23:59 UTC. {late_rule(ZERO)}"


def test_a_release_without_a_due_date_says_none(tmp_path):
    resources = {"nbgrader": {"db_url": gradebook_with(tmp_path, None), "assignment": "a1"}}
    nb = release_notebook()
    nb.metadata[METADATA_KEY] = {"due": "stale"}
    nb, _ = DueDate(config=ZERO).preprocess(nb, resources)
    assert "Due" not in nb.cells[0].source and METADATA_KEY not in nb.metadata and due_of(nb) == ""


def test_check_shows_the_due_date_its_notebook_carries():
    report = CheckReport("fix_simplenet.ipynb", "01_fix_simplenet", True, None, due="Due 2027-01-15 23:59 UTC.")
    assert format_report(report).splitlines()[1] == "Due 2027-01-15 23:59 UTC."
    assert report.to_json()["due"] == "Due 2027-01-15 23:59 UTC."
    assert "Due" not in format_report(CheckReport("fix_simplenet.ipynb", "01_fix_simplenet", True, None))


def test_apply_extensions_sets_the_gradebooks_extension_from_the_file_and_clears_one_it_no_longer_names(tmp_path):
    url = gradebook_with(tmp_path, DUE)
    config = Config({"CourseDirectory": {"root": str(tmp_path)}})
    resources = {"nbgrader": {"db_url": url, "assignment": "a1", "student": "alice"}}

    def extension():
        with Gradebook(url) as gradebook:
            submission = gradebook.find_submission("a1", "alice")
            return submission.extension, submission.total_seconds_late

    extensions_file(tmp_path, "alice,a1,,2 days,illness", "bob,a1,,5 days,")
    ApplyExtensions(config=config).preprocess(new_notebook(), resources)
    assert extension() == (timedelta(days=2), 0)
    extensions_file(tmp_path, "bob,a1,,5 days,")
    ApplyExtensions(config=config).preprocess(new_notebook(), resources)
    assert extension() == (None, 30 * 3600)


# The graded class: its term (autograder/demo.py `run_the_class`) makes these late.
def late_submissions():
    return [submission for assignment in all_assignments() for submission in assignment.submissions
            if submission.late_hours]


def grades_of(graded_class, assignment):
    with open(graded_class.course(assignment) / "grades.csv", newline="") as file:
        return {row["student_id"]: row for row in csv.DictReader(file) if row["assignment"] == assignment}


def test_the_class_has_a_late_student_with_an_extension_and_one_without():
    late = late_submissions()
    assert any(s.extension_hours > s.late_hours for s in late) and any(not s.extension_hours for s in late)


def test_the_released_notebooks_say_when_they_are_due(graded_class):
    for assignment in {submission.assignment for submission in graded_class.submissions}:
        course = graded_class.course(assignment)
        for path in (course / "release" / assignment).glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            assert nb.cells[0].source.split("\n\n")[2].startswith("**Due:** "), path
            assert due_of(nb).startswith("Due ") and "scores 0" in due_of(nb)


def test_late_work_gets_nbgraders_penalty_unless_an_extension_excuses_it(graded_class):
    for submission in late_submissions():
        row = grades_of(graded_class, submission.assignment)[submission.student_id]
        raw, penalty, score = float(row["raw_score"]), float(row["late_submission_penalty"]), float(row["score"])
        assert raw > 0, submission.student_id  # a penalty that is there to see
        excused = submission.extension_hours > submission.late_hours
        assert (penalty, score) == ((0.0, raw) if excused else (raw, 0.0)), submission.student_id
        on_time = [row for student, row in grades_of(graded_class, submission.assignment).items()
                   if student not in {s.student_id for s in late_submissions()}]
        assert on_time and all(float(row["late_submission_penalty"]) == 0 for row in on_time)


def test_each_late_students_feedback_says_which_and_only_their_own_reason(graded_class):
    for submission in late_submissions():
        page = " ".join(feedback_html(graded_class, submission.student_id, submission.assignment).split())
        if submission.extension_hours:
            assert "within your extension: no late penalty" in page
            assert f"({submission.extension_reason})" in page
        else:
            assert f"{submission.late_hours:g} h late. Work handed in after its due date" in page
            assert "Late submission penalty" in page
        others = " ".join(feedback_html(graded_class, "reference", submission.assignment).split())
        assert "on time." in others and "Your extension" not in others
        if submission.extension_reason:
            assert submission.extension_reason not in others


def test_the_report_tells_late_from_excused(graded_class):
    for submission in late_submissions():
        course = graded_class.course(submission.assignment)
        (report,) = gather_class(course, [submission.assignment])
        row = next(row for row in report.students if row.student_id == submission.student_id)
        excused = submission.extension_hours > submission.late_hours
        assert (row.excused, row.late) == (excused, not excused)
        assert round(row.seconds_after_due / 3600) == submission.late_hours
        assert row.late_penalty == (0.0 if excused else row.score) and row.score > 0
        assert {r.student_id for r in report.excused + report.late} == {submission.student_id}
        if excused:
            assert row.extension.reason == submission.extension_reason
        assert report.unmatched_extensions == [] and not any(row.extension_pending for row in report.students)


def test_the_report_names_a_student_the_extensions_file_names_who_handed_nothing_in(graded_class, monkeypatch,
                                                                                     tmp_path):
    import autograder.report
    from autograder.report import write_report

    submission = next(submission for submission in late_submissions() if submission.extension_hours)
    course = graded_class.course(submission.assignment)
    granted = read_extensions(course)
    typo = Extension("no_flaten", submission.assignment, None, timedelta(days=1))
    monkeypatch.setattr(autograder.report, "read_extensions",
                        lambda folder: {**granted, (typo.student_id, typo.assignment): typo})
    (report,) = gather_class(course, [submission.assignment])
    assert report.unmatched_extensions == ["no_flaten"]
    page = write_report(course, [submission.assignment], out=tmp_path / "report").read_text()
    assert "to no_flaten, who handed nothing in: a typo in the id?" in page
