"""Grades out to Canvas and Moodle (autograder/report/lms_export.py), written by the real `nbgrader export`.

A gradebook made through nbgrader's API holds one student of each kind: graded (with a late
penalty), missing, waiting for a grade by hand, excused, and one whose name a spreadsheet would
take for a formula. Each file is written by `nbgrader export --exporter=...`, read back with a
CSV reader, and held against the layout each LMS documents for its import and against
nbgrader's own `nbgrader export` on every score.
"""

import csv
import warnings
from datetime import datetime

import pytest
from nbgrader.api import Gradebook

from autograder.grading.nbgrader_commands import run_nbgrader
from autograder.report.lms_export import CanvasExport, MoodleExport

ASSIGNMENTS = {"01_first": 5.0, "02_second": 3.0}
STUDENTS = {
    "alice": ("Alice", "Liddell", "alice@example.org"),
    "bob": ("Bob", "Builder", ""),
    "carol": ("Carol", "Danvers", "carol@example.org"),
    "dave": ("Dave", "Bowman", "dave@example.org"),
    "eve": ('=HYPERLINK("http://example.org")', "Mallory", "eve@example.org"),
}
EXCUSED = "dave/01_first"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder whose gradebook holds each kind of cell; its config excuses dave from the first assignment."""
    folder = tmp_path_factory.mktemp("lms")
    db_url = f"sqlite:///{folder / 'gradebook.db'}"
    (folder / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(folder)!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        f"c.LmsExport.excused = [{EXCUSED!r}]\n"
    )
    # nbgrader's API warns, through SQLAlchemy, about the objects it creates with a submission.
    with Gradebook(db_url) as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, points in ASSIGNMENTS.items():
            gradebook.add_assignment(name, duedate=datetime(2026, 12, 1))
            gradebook.add_notebook("nb", name)
            gradebook.add_grade_cell("auto", "nb", name, max_score=points - 2, cell_type="code")
            gradebook.add_grade_cell("written", "nb", name, max_score=2, cell_type="markdown")
        for student, (first, last, email) in STUDENTS.items():
            gradebook.add_student(student, first_name=first, last_name=last, email=email)
        for student, assignment, auto, written, penalty in [
            ("alice", "01_first", 3.0, 1.5, 0.5), ("alice", "02_second", 1.0, 2.0, 0.0),
            ("carol", "01_first", 2.0, None, 0.0), ("carol", "02_second", 0.0, 0.0, 0.0),
            ("dave", "01_first", 1.0, 1.0, 0.0), ("dave", "02_second", 0.5, 0.5, 0.0),
            ("eve", "01_first", 3.0, 2.0, 0.0),
        ]:  # bob hands in nothing, eve not the second
            gradebook.add_submission(assignment, student)
            grades = {cell: gradebook.find_grade(cell, "nb", assignment, student) for cell in ("auto", "written")}
            grades["auto"].auto_score, grades["auto"].needs_manual_grade = auto, False
            if written is not None:
                grades["written"].manual_score, grades["written"].needs_manual_grade = written, False
            else:
                grades["written"].needs_manual_grade = True
            gradebook.find_submission_notebook("nb", assignment, student).late_submission_penalty = penalty
        gradebook.db.commit()
    return folder


def exported(course, exporter, filename):
    """The rows of the file `nbgrader export --exporter=EXPORTER` writes, read back with a CSV reader."""
    exporter_name = f"{exporter.__module__}.{exporter.__name__}" if exporter else None
    run_nbgrader(course, "export", *([f"--exporter={exporter_name}"] if exporter_name else []), f"--to={filename}")
    with open(course / filename, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


@pytest.fixture(scope="module")
def nbgrader_scores(course):
    """{(student, assignment): score} as nbgrader's own `nbgrader export` writes it."""
    header, *rows = exported(course, None, "nbgrader.csv")
    return {(row[header.index("student_id")], row[header.index("assignment")]): float(row[header.index("score")])
            for row in rows}


def test_canvas_file_has_canvas_layout_and_nbgraders_scores(course, nbgrader_scores):
    header, points, *rows = exported(course, CanvasExport, "canvas.csv")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ASSIGNMENTS]
    assert points == ["Points Possible", "", "", "", "", "5", "3"]
    by_login = {row[3]: dict(zip(ASSIGNMENTS, row[5:])) for row in rows}
    assert set(by_login) == set(STUDENTS), "one row per student, found by the SIS Login ID"
    assert by_login["alice"] == {"01_first": "4", "02_second": "3"}, "the score less the late penalty"
    assert by_login["bob"] == {"01_first": "0", "02_second": "0"}, "missing: 0, as nbgrader's export"
    assert by_login["carol"]["01_first"] == "", "a written answer not graded yet: no score goes out"
    assert by_login["dave"]["01_first"] == "EX" and by_login["dave"]["02_second"] == "1"
    for student, cells in by_login.items():
        for assignment, value in cells.items():
            if value not in ("", "EX"):
                assert float(value) == nbgrader_scores[(student, assignment)], (student, assignment)
    names = {row[3]: row[0] for row in rows}
    assert names["alice"] == "Liddell, Alice"
    assert names["eve"].startswith("Mallory, =HYPERLINK"), "the name starts with the last name: no formula"


def test_moodle_file_has_moodle_layout_and_nbgraders_scores(course, nbgrader_scores):
    header, *rows = exported(course, MoodleExport, "moodle.csv")
    assert header == ["Username", "Email address", "First name", "Last name",
                      "01_first", "01_first feedback", "02_second", "02_second feedback"]
    by_user = {row[0]: row for row in rows}
    assert by_user["alice"][1:4] == ["alice@example.org", "Alice", "Liddell"]
    assert by_user["alice"][4:] == ["4", "", "3", ""]
    assert by_user["bob"][4:] == ["0", "Not handed in.", "0", "Not handed in."]
    assert by_user["carol"][4:6] == ["-", "Not graded yet: a written answer waits for its grade by hand."]
    assert by_user["dave"][4:6] == ["-", "Excused."], "excused: Moodle's no grade, and says why"
    assert by_user["eve"][2].startswith("'="), "a first name a spreadsheet would take for a formula is text"
    assert by_user["eve"][1] == "eve@example.org", "ids and addresses as they are, for Moodle to match them"
    for student, row in by_user.items():
        for index, assignment in enumerate(ASSIGNMENTS):
            value = row[4 + 2 * index]
            if value != "-":
                assert float(value) == nbgrader_scores[(student, assignment)], (student, assignment)


def test_an_exporter_exports_only_the_students_and_assignments_asked_for(course):
    run_nbgrader(course, "export", f"--exporter={CanvasExport.__module__}.CanvasExport", "--to=one.csv",
                 "--assignment=02_second", "--student=alice")
    with open(course / "one.csv", newline="", encoding="utf-8") as file:
        header, points, *rows = list(csv.reader(file))
    assert header[5:] == ["02_second"] and [row[3] for row in rows] == ["alice"]
