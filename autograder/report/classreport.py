"""One assignment of a graded class, gathered for the report: the gradebook's scores, the autograded
notebooks' reasons, the submitted notebooks' flags and how alike their answers are.

The gradebook decides every number (scores, who was graded, who was late); the autograded
notebook of a student says why each failed test failed; the submitted notebook is scanned for
code that reaches for the grader, and compared with the course's for test cells deleted, edited
or re-marked (`autograder/submission_problems.py`: why nbgrader could not grade it, or what it
graded instead); every pair of submitted notebooks is compared on the code of their answer cells
(`similarity.py`).
"""

import statistics
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.failures import failures_of, read_notebook
from autograder.report.flags import flags_of
from autograder.report.gradebook import read_grades
from autograder.report.groups import group_failures, root_causes
from autograder.report.similarity import similarity_of
from autograder.submission_problems import problem_sentence

GRADED = "graded"
NOT_GRADED = "not graded"
NOT_SUBMITTED = "not submitted"


@dataclass
class StudentRow:
    """One student's line of the report for one assignment."""

    student_id: str
    status: str  # GRADED, NOT_GRADED or NOT_SUBMITTED
    reason: str = ""  # why the student was not graded
    stopped: str = ""  # what stopped a graded notebook before its end: a limit, a dead kernel, a cell out of time
    note: str = ""  # anything else the instructor should know about this row (a test cell nbgrader put back)
    seconds_late: float = 0.0  # after the student's own due date: late
    seconds_after_due: float = 0.0  # after the assignment's: late, or excused by an extension
    extension: object = None  # the `autograder.deadlines.Extension` the extensions file grants, or None
    applied_extension: object = None  # the timedelta grading counted (the gradebook's), or None
    late_penalty: float = 0.0  # the points nbgrader's late penalty takes off `score`
    score: float = 0.0  # the gradebook's total (autograded and manual)
    autograded_score: float = 0.0
    manual_pending: float = 0.0  # points of written answers not graded yet
    scores: dict = field(default_factory=dict)  # grade_id -> (score, max_score), autograded tests
    failures: dict = field(default_factory=dict)  # grade_id -> Failure
    feedback: Path | None = None
    training: object = None  # what the assignment's `training` reads, for assignment 3's scatter plot

    @property
    def late(self):
        return self.seconds_late > 0

    @property
    def excused(self):
        """Handed in after the assignment's due date, within the student's extension."""
        return self.seconds_after_due > 0 and not self.late

    @property
    def extension_pending(self):
        """Does the extensions file say otherwise than grading counted (changed since): the student needs grading
        again?"""
        return self.status == GRADED and bool(self.extension) != bool(self.applied_extension)


@dataclass
class AssignmentReport:
    """Everything the report shows of one assignment."""

    assignment: object  # autograder.assignments.Assignment
    tests: tuple  # its autograded tests (`NotebookTest`s), as the course's notebook holds them
    max_score: float
    students: list
    groups: dict  # grade_id -> [FailureGroup], largest first
    root_causes: list  # [FailureGroup] of earlier cells, largest first
    flags: list  # [Flag]
    similarity: object = None  # `ClassSimilarity`: the pairs of students whose answers are alike (flags only)
    # students extensions.csv grants an extension of this assignment who have no submission of it (a typo?)
    unmatched_extensions: list = field(default_factory=list)

    @property
    def autograded_max(self):
        return sum(test.points for test in self.tests)

    @property
    def graded(self):
        return [row for row in self.students if row.status == GRADED]

    def count(self, status):
        return sum(row.status == status for row in self.students)

    @property
    def late(self):
        return [row for row in self.students if row.late]

    @property
    def excused(self):
        return [row for row in self.students if row.excused]

    @property
    def stopped(self):
        """Graded students whose notebook was stopped before its end (a limit, a dead kernel, a cell out of time)."""
        return [row for row in self.graded if row.stopped]

    def statistics(self):
        """Mean, median, min and max of the graded students' scores (None when nobody was graded)."""
        scores = [row.score for row in self.graded]
        if not scores:
            return None
        return {"mean": statistics.fmean(scores), "median": statistics.median(scores),
                "min": min(scores), "max": max(scores)}

    def pass_rates(self):
        """[(test, students who passed, students graded)], the most failed test first."""
        graded = self.graded
        rates = []
        for test in self.tests:
            passed = sum(1 for row in graded if test.grade_id in row.scores
                         and row.scores[test.grade_id][0] >= row.scores[test.grade_id][1])
            rates.append((test, passed, len(graded)))
        return sorted(rates, key=lambda rate: (rate[1] / rate[2] if rate[2] else 1.0, rate[0].grade_id))


def gather(course_dir, assignment, db_url, extensions, threshold=None):
    """The `AssignmentReport` of `assignment` (its declaration) in the course at `course_dir`, with the course's
    `extensions` (`autograder.deadlines.read_extensions`); answers alike at `threshold` or above are flagged
    (default: the course's `c.Similarity.threshold`)."""
    course_dir = Path(course_dir)
    tests = assignment.autograded(course_dir)
    grades = read_grades(db_url, assignment.name)
    submitted = course_dir / "submitted"
    students = set(grades.students) | {
        folder.parent.name for folder in submitted.glob(f"*/{assignment.name}") if folder.is_dir()
    }
    rows, flags = [], []
    course_notebook = nbformat.read(assignment.notebook_path(course_dir), as_version=4)
    for student_id in sorted(students):
        row = _student_row(course_dir, assignment, {test.grade_id for test in tests}, student_id,
                           grades.submissions.get(student_id), course_notebook)
        row.extension = extensions.get((student_id, assignment.name))
        rows.append(row)
        handed_in = submitted / student_id / assignment.name / assignment.filename
        if handed_in.is_file():
            flags.extend(flags_of(student_id, handed_in, assignment))
    failures = {row.student_id: row.failures for row in rows if row.status == GRADED}
    unmatched = sorted(student for student, name in extensions if name == assignment.name and student not in students)
    return AssignmentReport(assignment, tests, grades.max_score, rows, group_failures(failures),
                            root_causes(failures), flags, similarity_of(course_dir, assignment, threshold),
                            unmatched)


def _student_row(course_dir, assignment, autograded, student_id, submission, course_notebook):
    handed_in = course_dir / "submitted" / student_id / assignment.name / assignment.filename
    graded = course_dir / "autograded" / student_id / assignment.name / assignment.filename
    if submission is None or not submission.grades:
        if not handed_in.parent.is_dir():
            return StudentRow(student_id, NOT_SUBMITTED)
        return StudentRow(student_id, NOT_GRADED, _why_not_graded(handed_in, graded, course_notebook))
    row = StudentRow(student_id, GRADED, seconds_late=submission.seconds_late,
                     seconds_after_due=submission.seconds_after_due, applied_extension=submission.extension,
                     late_penalty=submission.late_penalty, score=submission.score)
    if handed_in.is_file():
        row.note = problem_sentence(handed_in.name, handed_in.read_bytes(), course_notebook, graded=True)
    row.scores = {grade_id: (grade.score, grade.max_score) for grade_id, grade in submission.grades.items()
                  if grade_id in autograded}
    row.autograded_score = sum(score for score, _ in row.scores.values())
    row.manual_pending = sum(grade.max_score for grade_id, grade in submission.grades.items()
                             if grade_id not in autograded and grade.needs_manual_grade)
    feedback = course_dir / "feedback" / student_id / assignment.name / f"{assignment.notebook}.html"
    row.feedback = feedback if feedback.is_file() else None
    try:
        notebook = read_notebook(graded)
    except FileNotFoundError:
        row.note = row.note or "no autograded notebook: why its tests failed is unknown"
        return row
    except (OSError, ValueError) as error:
        row.note = row.note or (f"its autograded notebook cannot be read ({type(error).__name__}): "
                                "why its tests failed is unknown")
        return row
    row.failures = failures_of(notebook, assignment, row.scores)
    stops = [failure.message for failure in row.failures.values() if failure.kind == "stopped"]
    stops += [failure.reason for failure in row.failures.values() if failure.cause and failure.cause.timed_out]
    row.stopped = stops[0] if stops else ""
    if assignment.training is not None:
        row.training = assignment.training.read(graded.parent, notebook)
    return row


def _why_not_graded(handed_in, graded, course_notebook):
    """Why a submission has no grades: no notebook, one that is no notebook or whose test cells nbgrader cannot
    grade (`problem_sentence`), or autograde did not finish."""
    if not handed_in.is_file():
        return f"no {handed_in.name} in the submission"
    said = problem_sentence(handed_in.name, handed_in.read_bytes(), course_notebook, graded=False)
    if said:
        return said
    if not graded.is_file():
        return "autograde did not finish for this submission (see nbgrader's log)"
    return "the gradebook has no grades for this submission"
