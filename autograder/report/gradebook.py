"""What the course's gradebook says of one assignment, read through nbgrader's own API (SQLite or PostgreSQL).

Two queries per assignment, whatever the class size: every grade of every submission,
and every submission's time. nbgrader's per-object properties would cost a query each.
"""

from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader


def course_settings(course_dir):
    """`(gradebook URL, course id)` as `nbgrader_config.py` of `course_dir` sets them (nbgrader's defaults otherwise)."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config().CourseDirectory
    url = config.get("db_url") or f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}"
    return url, config.get("course_id") or Path(course_dir).resolve().name


@dataclass(frozen=True)
class Grade:
    """One graded cell of one submission: its score as nbgrader counts it (manual score, if any, over the auto score)."""

    grade_id: str
    score: float
    max_score: float
    autograded: bool  # a code cell the autograder scores; a written answer is graded by hand
    needs_manual_grade: bool


@dataclass
class Submission:
    """One student's submission of one assignment, as the gradebook holds it."""

    student_id: str
    seconds_late: float = 0.0
    grades: dict = field(default_factory=dict)  # grade_id -> Grade

    @property
    def score(self):
        return sum(grade.score for grade in self.grades.values())

    @property
    def max_score(self):
        return sum(grade.max_score for grade in self.grades.values())

    @property
    def manual_pending(self):
        """The points of the written answers nobody has graded yet."""
        return sum(grade.max_score for grade in self.grades.values() if not grade.autograded and grade.needs_manual_grade)


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

    with api.Gradebook(db_url) as gradebook:
        session = gradebook.db
        found = gradebook.find_assignment(assignment)
        max_score = float(found.max_score or 0)
        duedate = found.duedate
        students = tuple(sorted(student.id for student in gradebook.students))
        submissions = {}
        timing = (
            session.query(api.SubmittedAssignment.student_id, api.SubmittedAssignment.timestamp,
                          api.SubmittedAssignment.extension)
            .join(api.Assignment).filter(api.Assignment.name == assignment)
        )
        for student_id, timestamp, extension in timing:
            due = None if duedate is None else duedate + (extension or (timestamp - timestamp))
            late = 0.0 if due is None or timestamp is None else max(0.0, (timestamp - due).total_seconds())
            submissions[student_id] = Submission(student_id, late)
        grades = (
            session.query(api.SubmittedAssignment.student_id, api.GradeCell.name, api.Grade.score,
                          api.GradeCell.max_score, api.GradeCell.cell_type, api.Grade.needs_manual_grade)
            .select_from(api.Grade)
            .join(api.SubmittedNotebook, api.Grade.notebook_id == api.SubmittedNotebook.id)
            .join(api.SubmittedAssignment, api.SubmittedNotebook.assignment_id == api.SubmittedAssignment.id)
            .join(api.Assignment, api.SubmittedAssignment.assignment_id == api.Assignment.id)
            .join(api.GradeCell, api.Grade.cell_id == api.GradeCell.id)
            .filter(api.Assignment.name == assignment)
        )
        for student_id, grade_id, score, cell_max, cell_type, needs_manual in grades:
            submissions[student_id].grades[grade_id] = Grade(
                grade_id, float(score or 0), float(cell_max or 0), cell_type == "code", bool(needs_manual)
            )
    return AssignmentGrades(assignment, students, submissions, max_score)
