"""What the returned feedback says about each graded cell of one student's notebook.

Every graded cell is named by its grade id and the question the notebook asks, with its points. A test
that lost points says why on its first line: the earlier cell it needed, when that cell failed
(`autograder/failures.py` finds it), else the test's own message; then the hint. Failures
with one root cause (one failed cell, or one mistake the checks named with the same hint) are one
`Problem`, listed once at the top with every test it costs, the earliest in the notebook first. A
written answer graded by hand is "not graded yet" until a grader has graded it.
"""

from dataclasses import dataclass, field, replace

from autograder.causes import without_cause
from autograder.cells import grade_id_of, is_graded_by_hand, is_test, question_of
from autograder.failures import CAUSE_HINT, failure_message, failures_of

# The first line of a test that failed because a cell it needs failed before it.
EARLIER_CELL = "Failed because an earlier cell failed"
# What to do about an earlier cell that failed, said once for all the tests it costs.
FIX_CELL_FIRST = "fix this cell first: the tests it costs need what it defines, and run once it does."
NOT_GRADED_YET = "not graded yet"


@dataclass(frozen=True)
class CellGrade:
    """A graded cell's row in the gradebook: the score it has, its points, and whether a grader must still grade it."""

    score: float
    points: float
    needs_manual_grade: bool = False


def gradebook_grades(db_url, notebook, assignment, student):
    """{grade_id: CellGrade} of one student's notebook, from the gradebook at `db_url`."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        graded = gradebook.find_submission_notebook(notebook, assignment, student)
        return {grade.name: CellGrade(grade.score or 0.0, grade.max_score, bool(grade.needs_manual_grade))
                for grade in graded.grades}


@dataclass(frozen=True)
class TestFeedback:
    """What the page says about one graded cell: its name, question and points, and why it lost points."""

    __test__ = False  # not a pytest test class

    grade_id: str
    question: str
    points: float
    score: float | None  # None for a written answer a grader has not graded yet
    manual: bool = False  # a written answer, graded by hand
    lines: tuple[str, ...] = ()  # why it lost points, the first line naming the cause
    hint: str = ""
    summary: str = ""  # why it lost points in a few words, for the summary at the top
    problem: int = 0  # the number of its `Problem` on the page, 0 when it lost nothing

    @property
    def pending(self):
        return self.score is None

    @property
    def passed(self):
        return not self.pending and self.score >= self.points

    @property
    def first_line(self):
        return self.lines[0] if self.lines else ""

    @property
    def status(self):
        """"passed", "failed", "partial" (some of its points) or "pending" (not graded yet)."""
        if self.pending:
            return "pending"
        if self.passed:
            return "passed"
        return "partial" if self.score > 0 else "failed"

    @property
    def score_text(self):
        """`1 / 2 points`, or `not graded yet (2 points)`."""
        unit = "point" if self.points == 1 else "points"
        if self.pending:
            return f"{NOT_GRADED_YET} ({self.points:g} {unit})"
        return f"{self.score:g} / {self.points:g} {unit}"


@dataclass(frozen=True)
class Problem:
    """One root cause of lost points, said once: an earlier cell that failed, or one mistake the checks named."""

    number: int
    text: str  # the cause in words, as a sentence
    hint: str  # what to do about it
    cell_id: str  # the earlier cell that failed, or "" when the tests' own checks named the mistake
    grade_ids: tuple[str, ...]  # the tests it costs, in notebook order
    points_lost: float

    @property
    def points_text(self):
        return f"{self.points_lost:g} point{'' if self.points_lost == 1 else 's'}"


@dataclass(frozen=True)
class FeedbackPage:
    """Everything the page says besides the notebook: each graded cell in notebook order, and the problems."""

    tests: dict  # grade_id -> TestFeedback, in notebook order
    problems: tuple[Problem, ...]  # the earliest in the notebook first
    # What the handed-in notebook did to the course's test cells, in one sentence (autograder/submission_problems.py)
    handed_in: str = ""
    # The due date, the student's own extension, on time or late, in sentences (student_feedback/deadline.py)
    deadline: tuple[str, ...] = ()

    @property
    def autograded(self):
        return [test for test in self.tests.values() if not test.manual]

    @property
    def autograded_score(self):
        return sum(test.score for test in self.autograded)

    @property
    def autograded_points(self):
        return sum(test.points for test in self.autograded)

    @property
    def pending(self):
        """The written answers no grader has graded yet."""
        return [test for test in self.tests.values() if test.pending]

    def problem_of_cell(self, cell_id):
        """The problem an answer cell `cell_id` is the cause of, or None."""
        return next((problem for problem in self.problems if cell_id and problem.cell_id == cell_id), None)


def sentence(text):
    """`text` with a capital first letter and a full stop."""
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


@dataclass
class _Cause:
    """The failures of one root cause, gathered before they are numbered."""

    position: int  # where it is in the notebook: its cell, or its first test's
    text: str
    hint: str
    cell_id: str = ""
    grade_ids: list = field(default_factory=list)
    points_lost: float = 0.0


def _why(failure, cell, test, position):
    """(lines, hint, summary, key, _Cause) of a failed test: what it says, and the root cause it shares with others."""
    if failure is None:
        # The gradebook says it lost points, the notebook shows no failure (nbgrader scored its output).
        lines = tuple(failure_message(cell).splitlines()) or ("this test scored fewer points than it is worth",)
        return lines, test.hint, lines[0], ("test", test.grade_id), _Cause(position, sentence(lines[0]), test.hint)
    if failure.cause is not None:
        cause = failure.cause
        lines = (f"{EARLIER_CELL}: {cause.describe()}.", f"What this test saw: {without_cause(failure.message)}")
        root = _Cause(cause.position, sentence(cause.describe()), sentence(FIX_CELL_FIRST), cause.cell_id)
        return lines, CAUSE_HINT, f"Needs the cell {cause.name}, which failed.", ("cell", cause.position), root
    lines = tuple(line for line in failure.message.splitlines() if line.strip()) or (failure.kind,)
    if failure.kind == "stopped":
        return lines, "", lines[0], ("stopped", failure.message), _Cause(position, sentence(lines[0]), "")
    hint = failure.hint or test.hint
    # A check's own hint names the mistake: the tests that give the same one lost points for the same reason.
    key = ("hint", failure.hint) if failure.hint else ("test", test.grade_id)
    return lines, hint, lines[0], key, _Cause(position, sentence(lines[0]), hint)


def feedback_page(nb, assignment, grades):
    """The `FeedbackPage` of the autograded notebook `nb` of `assignment`, given its `grades` ({grade_id: CellGrade}).

    Read the notebook before its outputs are rewritten for the page: its errors say why tests failed.
    """
    tested = [grade_id_of(cell) for cell in nb.cells if is_test(cell)]
    scores = {grade_id: (grades[grade_id].score, grades[grade_id].points) for grade_id in tested if grade_id in grades}
    failures = failures_of(nb, assignment, scores)
    tests = {}
    causes = {}  # key -> _Cause
    for position, cell in enumerate(nb.cells, start=1):
        grade_id = grade_id_of(cell)
        test = assignment.test(grade_id) if grade_id else None
        if test is None or grade_id not in grades or grade_id in tests:
            continue
        grade = grades[grade_id]
        question = question_of(nb.cells, position - 1)
        if is_graded_by_hand(cell):
            score = None if grade.needs_manual_grade else grade.score
            tests[grade_id] = TestFeedback(grade_id, question, grade.points, score, manual=True)
            continue
        if grade.score >= grade.points:
            tests[grade_id] = TestFeedback(grade_id, question, grade.points, grade.score)
            continue
        lines, hint, summary, key, new_cause = _why(failures.get(grade_id), cell, test, position)
        cause = causes.setdefault(key, new_cause)
        cause.grade_ids.append(grade_id)
        cause.points_lost += grade.points - grade.score
        tests[grade_id] = TestFeedback(grade_id, question, grade.points, grade.score, lines=lines, hint=hint,
                                       summary=summary)
    problems = []
    for number, cause in enumerate(sorted(causes.values(), key=lambda cause: cause.position), start=1):
        problems.append(Problem(number, cause.text, cause.hint, cause.cell_id, tuple(cause.grade_ids),
                                cause.points_lost))
        for grade_id in cause.grade_ids:
            tests[grade_id] = replace(tests[grade_id], problem=number)
    return FeedbackPage(tests, tuple(problems))
