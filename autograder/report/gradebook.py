"""What the course's gradebook says of one assignment, read through nbgrader's own models (SQLite or PostgreSQL).

The gradebook is only read: nbgrader's `Gradebook` would create missing tables and a course
row, so the report opens a plain SQLAlchemy session over nbgrader's models instead, and
refuses (`ReportError`) a URL that names no gradebook. Three queries per assignment, whatever the
class size: every submission's time, every notebook's late penalty, and every grade of every submission.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from autograder.deadlines import seconds_late


class ReportError(ValueError):
    """The report cannot be made: no gradebook at the URL, an assignment the course or gradebook does not have."""


def describe(db_url):
    """The gradebook's URL without its password, to show."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


class ReadOnlyGradebook:
    """A session over an existing nbgrader gradebook that writes nothing; a context manager."""

    def __init__(self, db_url):
        from sqlalchemy import create_engine, inspect
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError
        from sqlalchemy.orm import Session

        try:
            url = make_url(db_url)
        except ArgumentError:
            raise ReportError(f"{db_url!r} is not a database URL (e.g. sqlite:///gradebook.db)") from None
        if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
            raise ReportError(f"there is no gradebook at {describe(db_url)}: grade an assignment first")
        try:
            self.engine = create_engine(url)
            tables = inspect(self.engine).get_table_names()
        except (SQLAlchemyError, ImportError) as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise ReportError(f"cannot read the gradebook at {describe(db_url)}: {first_line}") from None
        if "submitted_assignment" not in tables:
            self.engine.dispose()
            raise ReportError(f"{describe(db_url)} is not an nbgrader gradebook (it has no nbgrader tables)")
        self.session = Session(self.engine)

    def __enter__(self):
        return self.session

    def __exit__(self, *exc_info):
        self.session.rollback()
        self.session.close()
        self.engine.dispose()


def assignment_names(db_url):
    """The names of the assignments in the gradebook."""
    from nbgrader import api

    with ReadOnlyGradebook(db_url) as session:
        return {name for (name,) in session.query(api.Assignment.name)}


@dataclass(frozen=True)
class Grade:
    """One graded cell of one submission: its score as nbgrader counts it (manual score, if any, over the auto score)."""

    grade_id: str
    score: float
    max_score: float
    needs_manual_grade: bool


@dataclass
class Submission:
    """One student's submission of one assignment, as the gradebook holds it."""

    student_id: str
    seconds_late: float = 0.0  # after the student's own due date (the assignment's, plus an extension)
    seconds_after_due: float = 0.0  # after the assignment's due date: late, or excused by an extension
    extension: timedelta | None = None
    late_penalty: float = 0.0  # the points nbgrader's late penalty takes off the score
    grades: dict = field(default_factory=dict)  # grade_id -> Grade

    @property
    def score(self):
        return sum(grade.score for grade in self.grades.values())


@dataclass(frozen=True)
class AssignmentGrades:
    """The gradebook's view of one assignment: every student of the course and every submission."""

    assignment: str
    students: tuple  # every student id of the gradebook, sorted
    submissions: dict  # student id -> Submission
    max_score: float  # the assignment's points, autograded and manual


def read_grades(db_url, assignment):
    """The `AssignmentGrades` of `assignment` in the gradebook at `db_url`."""
    from nbgrader import api

    with ReadOnlyGradebook(db_url) as session:
        found = session.query(api.Assignment).filter(api.Assignment.name == assignment).one_or_none()
        if found is None:
            raise ReportError(f"the gradebook has no {assignment}")
        max_score = float(found.max_score or 0)
        students = tuple(sorted(student_id for (student_id,) in session.query(api.Student.id)))
        submissions = {}
        timing = (
            session.query(api.SubmittedAssignment.student_id, api.SubmittedAssignment.timestamp,
                          api.SubmittedAssignment.extension)
            .filter(api.SubmittedAssignment.assignment_id == found.id)
        )
        for student_id, timestamp, extension in timing:
            submissions[student_id] = Submission(student_id, seconds_late(timestamp, found.duedate, extension),
                                                 seconds_late(timestamp, found.duedate, None), extension)
        penalties = (
            session.query(api.SubmittedAssignment.student_id, api.SubmittedNotebook.late_submission_penalty)
            .join(api.SubmittedNotebook, api.SubmittedNotebook.assignment_id == api.SubmittedAssignment.id)
            .filter(api.SubmittedAssignment.assignment_id == found.id)
        )
        for student_id, penalty in penalties:
            submissions[student_id].late_penalty += float(penalty or 0)
        grades = (
            session.query(api.SubmittedAssignment.student_id, api.GradeCell.name, api.Grade.score,
                          api.GradeCell.max_score, api.Grade.needs_manual_grade)
            .select_from(api.Grade)
            .join(api.SubmittedNotebook, api.Grade.notebook_id == api.SubmittedNotebook.id)
            .join(api.SubmittedAssignment, api.SubmittedNotebook.assignment_id == api.SubmittedAssignment.id)
            .join(api.GradeCell, api.Grade.cell_id == api.GradeCell.id)
            .filter(api.SubmittedAssignment.assignment_id == found.id)
        )
        for student_id, grade_id, score, cell_max, needs_manual in grades:
            submissions[student_id].grades[grade_id] = Grade(grade_id, float(score or 0), float(cell_max or 0),
                                                             bool(needs_manual))
    return AssignmentGrades(assignment, students, submissions, max_score)
