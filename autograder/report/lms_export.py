"""Grades out to a learning management system: `nbgrader export` plugins that write the files Canvas and Moodle import.

    nbgrader export --exporter=autograder.report.lms_export.CanvasExport --to canvas-grades.csv
    nbgrader export --exporter=autograder.report.lms_export.MoodleExport --to moodle-grades.csv

One row per student of the gradebook, one column per assignment (nbgrader's `--assignment` and
`--student` choose some). Each cell says one of four things (`Outcome`):

- graded: the score nbgrader's own export gives (the score less the late penalty, never below 0),
  once every part graded by hand is graded;
- not graded yet: a written answer still waits for its grade by hand, so no score goes out (a
  partial score would read as the final one);
- missing: nothing handed in: 0, as in nbgrader's own export;
- excused: `c.LmsExport.excused` names the student and assignment ("student/assignment"): no
  score is owed.

How each LMS writes them is each exporter's own (`CanvasExport`, `MoodleExport`); docs/instructors.md
says how to upload each file, step by step. A name a spreadsheet would take for a formula is written
as text (`as_spreadsheet_text`); ids and addresses are written as they are, for the LMS to match
them, and the export warns about any that look like formulas; grades are numbers or the LMS's marks.
"""

import csv
from dataclasses import dataclass

from nbgrader.api import MissingEntry
from nbgrader.plugins.export import ExportPlugin
from traitlets import List, Unicode

from autograder.report.html_page import as_spreadsheet_text

GRADED, NOT_GRADED_YET, MISSING, EXCUSED = "graded", "not graded yet", "missing", "excused"


@dataclass(frozen=True)
class Outcome:
    """What one student's cell of one assignment says: `state` (one of the four above) and, when graded, the score."""

    state: str
    score: float | None = None


def outcome(gradebook, assignment, student, excused=frozenset()):
    """The `Outcome` of `student`'s `assignment` (nbgrader API objects) in `gradebook`."""
    if f"{student.id}/{assignment.name}" in excused:
        return Outcome(EXCUSED)
    try:
        submission = gradebook.find_submission(assignment.name, student.id)
    except MissingEntry:
        return Outcome(MISSING, 0.0)
    if submission.needs_manual_grade:
        return Outcome(NOT_GRADED_YET)
    return Outcome(GRADED, max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0)))


def number(value):
    """A score as both LMSs read it: a plain decimal with a point, at most two decimals, no thousands separator."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


class LmsExport(ExportPlugin):
    """The rows every LMS export writes: each student of the gradebook with each assignment's `Outcome`."""

    excused = List(Unicode(), help="Excused submissions, as 'student_id/assignment': no score is owed.").tag(
        config=True)
    filename = "grades.csv"

    def rows(self, gradebook, assignments):
        """(student, [(assignment, Outcome)]) for each student chosen, in the gradebook's order."""
        chosen = {str(student) for student in self.student}
        students = [student for student in gradebook.students if not chosen or student.id in chosen]
        excused = frozenset(self.excused)
        for student in students:
            yield student, [(assignment, outcome(gradebook, assignment, student, excused))
                            for assignment in assignments]

    def assignments(self, gradebook):
        """The assignments chosen (all by default), in the gradebook's order."""
        chosen = {str(name) for name in self.assignment}
        return [assignment for assignment in gradebook.assignments if not chosen or assignment.name in chosen]

    def export(self, gradebook):
        destination = self.to or self.filename
        assignments = self.assignments(gradebook)
        rows = list(self.rows(gradebook, assignments))
        with open(destination, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerows(self.table(assignments, rows))
        waiting = [f"{student.id}/{assignment.name}" for student, cells in rows for assignment, found in cells
                   if found.state == NOT_GRADED_YET]
        formula_like = [student.id for student, _ in rows if as_spreadsheet_text(student.id) != student.id
                        or as_spreadsheet_text(student.email or "") != (student.email or "")]
        if formula_like:  # written as they are, or the LMS would not find them: a spreadsheet would run them
            self.log.warning("Ids or addresses a spreadsheet would read as formulas (open the file as text): %s",
                             ", ".join(formula_like))
        self.log.info("Wrote %s: %d students, %d assignments", destination, len(rows), len(assignments))
        if waiting:
            self.log.warning("Not graded yet by hand, so no score exported: %s", ", ".join(waiting))

    def table(self, assignments, rows):
        """The file's rows, header first."""
        raise NotImplementedError


class CanvasExport(LmsExport):
    """Canvas's Gradebook import (Grades > Import): Canvas's five leading columns, then one column per assignment.

    Canvas finds each student by its SIS Login ID, here the nbgrader student id; Student, ID, SIS User ID and
    Section are left for Canvas to fill. The second row, "Points Possible", gives each assignment's points.
    A cell holds the score, `EX` for excused, and nothing for "not graded yet" (Canvas then keeps what it has).
    """

    HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
    POINTS_POSSIBLE = "Points Possible"
    EXCUSED_MARK = "EX"
    filename = "canvas-grades.csv"

    def table(self, assignments, rows):
        yield [*self.HEADER, *(assignment.name for assignment in assignments)]
        yield [self.POINTS_POSSIBLE, "", "", "", "", *(number(float(a.max_score or 0)) for a in assignments)]
        for student, cells in rows:
            name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
            yield [as_spreadsheet_text(name), "", "", student.id, "", *(self.cell(found) for _, found in cells)]

    def cell(self, found):
        if found.state == EXCUSED:
            return self.EXCUSED_MARK
        return "" if found.score is None else number(found.score)


class MoodleExport(LmsExport):
    """Moodle's grade import (Grades > Import > CSV file): identifier columns, then each assignment's grade, feedback.

    Moodle maps the file's columns in its import form: "Username" to the user's username (the nbgrader
    student id; "Email address" is there too), each assignment's column to its grade item, and its
    "feedback" column to that item's feedback. A grade is the score, or `-`, Moodle's "no grade", for
    excused and not graded yet; the feedback says which in words, so a missing 0 and an excused one differ.
    """

    HEADER = ("Username", "Email address", "First name", "Last name")
    NO_GRADE = "-"
    FEEDBACK = {GRADED: "", MISSING: "Not handed in.", EXCUSED: "Excused.",
                NOT_GRADED_YET: "Not graded yet: a written answer waits for its grade by hand."}
    filename = "moodle-grades.csv"

    def table(self, assignments, rows):
        yield [*self.HEADER, *(f"{a.name}{suffix}" for a in assignments for suffix in ("", " feedback"))]
        for student, cells in rows:
            grades = []
            for _, found in cells:
                grades += [self.NO_GRADE if found.score is None else number(found.score), self.FEEDBACK[found.state]]
            names = (as_spreadsheet_text(student.first_name or ""), as_spreadsheet_text(student.last_name or ""))
            yield [student.id, student.email or "", *names, *grades]
