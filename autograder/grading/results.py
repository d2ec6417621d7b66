"""What nbgrader graded, read back: one `TestResult` per autograded test, with its message, hint and cause.

The one result type of the course: `keras-course check`, `check()`, `keras-course grade` and the
demo all report through it. Scores come from the gradebook that the course's `db_url` names
(`autograder.course.course_settings`), or from the URL given; the reasons come from the
autograded notebook (`autograder.failures`).
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from autograder.assignments import assignment as find_assignment
from autograder.assignments import hint
from autograder.cells import autograded_cells, grade_id_of
from autograder.course import course_settings
from autograder.failures import CAUSE_HINT, STOPPED, failure_message, failures_of, split_hint


def course_hint(grade_id, message):
    """The declared hint of a failed test, unless its failure message carries one or the notebook was stopped."""
    return "" if "Hint:" in message or message.startswith(STOPPED) else hint(grade_id)


@dataclass
class TestResult:
    """One autograded test of one student: the points nbgrader gave, and why it failed, with a hint."""

    __test__ = False  # not a pytest test class

    grade_id: str
    points: float
    max_points: float
    message: str = ""  # why it failed, without the hint
    hint: str = ""  # what to look at: the check's own hint, else the test's declared one
    cause: str = ""  # the earlier cell whose failure made this test fail, in words, when there is one

    @property
    def passed(self):
        return self.points >= self.max_points

    def to_json(self):
        return {**asdict(self), "passed": self.passed}


def result_of(cell, points, max_points, cause=""):
    """The `TestResult` of an autograded test cell given its score: the message and hint only when it failed.

    With a `cause` (the earlier cell that failed, in words) the hint says to fix that cell first.
    """
    grade_id = grade_id_of(cell)
    points = points or 0.0
    if points >= max_points:
        return TestResult(grade_id, points, max_points)
    message, own_hint = split_hint(failure_message(cell))
    if cause:
        return TestResult(grade_id, points, max_points, message, CAUSE_HINT, cause)
    return TestResult(grade_id, points, max_points, message, own_hint or course_hint(grade_id, message))


def autograded_path(course_dir, assignment, notebook, student):
    return Path(course_dir) / "autograded" / student / assignment / f"{notebook}.ipynb"


def read_results(course_dir, assignment, notebook, student, db_url=None):
    """The autograded test results of one student, in notebook order, or None if they were not graded.

    Scores are read from `db_url`, by default the gradebook the course's `nbgrader_config.py` names.
    A test that failed because an earlier cell failed says which (`TestResult.cause`).
    """
    from nbgrader.api import Gradebook, MissingEntry

    path = autograded_path(course_dir, assignment, notebook, student)
    if not path.is_file():
        return None
    nb = nbformat.read(path, as_version=4)
    cells = autograded_cells(nb)
    scores = {}
    with Gradebook(db_url or course_settings(course_dir)[0]) as gradebook:
        for cell in cells:
            try:
                grade = gradebook.find_grade(grade_id_of(cell), notebook, assignment, student)
            except MissingEntry:
                return None
            scores[grade_id_of(cell)] = (grade.score or 0.0, grade.max_score)
    owner = find_assignment(assignment)
    failures = failures_of(nb, owner, scores) if owner else {}
    results = []
    for cell in cells:
        failure = failures.get(grade_id_of(cell))
        cause = failure.cause.describe() if failure and failure.cause else ""
        results.append(result_of(cell, *scores[grade_id_of(cell)], cause=cause))
    return results
