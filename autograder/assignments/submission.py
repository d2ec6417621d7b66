"""Demo submissions: realistic notebooks made from the released and source notebooks.

Each submission is the released notebook with its solution cells filled in the way a
student would: the reference solution, nothing at all, or the reference solution with
one tutorial bug put back or one answer left out. An answer left as released holds what
`release/` gives: nbgrader's `raise NotImplementedError()` stub, or the cell's starting
code when its source has one (autograder/starting_code.py). `expected_lost` names
the autograded tests each one must lose, and `message_contains` what their failure
messages must say; the test suite holds the real pipeline to both. Each assignment lists
its own in its `submissions.py`; `reference`, `untouched` and `unanswered` are derived
from its declaration, so they follow it when a test is added.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.utils import is_solution

from autograder.cells import grade_id_of, is_answer
from autograder.starting_code import has_starting_code, without_starting_code

# What a forger's code prints once its trick is in place in its kernel: a forgery that stopped running proves nothing.
FORGERY_RAN = "forgery ran:"
_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.MULTILINE)


@dataclass(frozen=True)
class Submission:
    """One student's notebook, as changes to the reference solution."""

    student_id: str
    description: str
    assignment: str
    notebook: str
    # grade_id -> [(text in the reference solution, text the student wrote instead)]
    edits: dict = field(default_factory=dict)
    # solution cells the student left as released
    unanswered: frozenset = frozenset()
    untouched: bool = False
    # grade_id -> the whole source the student wrote in that answer cell instead (of the release when untouched)
    written: dict = field(default_factory=dict)
    expected_lost: frozenset = frozenset()
    # grade_id -> a phrase its failure message must contain
    message_contains: dict = field(default_factory=dict)
    # tests this submission forges in its own kernel (its forgery prints FORGERY_RAN once in place): it loses each
    forged_in_kernel: frozenset = frozenset()
    # graded by `make demo` too, not only by the test suite
    in_demo: bool = True
    # hours after the due date the student hands in (0: on time), and the extension the course grants them (hours;
    # 0: none), with its reason: the class's schedule (autograder/demo.py `schedule_the_class`)
    late_hours: float = 0.0
    extension_hours: float = 0.0
    extension_reason: str = ""

    @property
    def key(self):
        """Results are keyed by student and assignment: a student hands in every assignment."""
        return (self.student_id, self.assignment)

    @property
    def filename(self):
        return f"{self.notebook}.ipynb"


def reference(assignment):
    """The reference solution, which loses nothing."""
    return Submission("reference", "the reference solution", assignment.name, assignment.notebook)


def untouched(assignment):
    """The released notebook handed in unchanged, which loses every test."""
    return Submission(
        "untouched", "the released notebook, unchanged", assignment.name, assignment.notebook,
        untouched=True, expected_lost=assignment.grade_ids,
    )


def solution_cells(path):
    """The code solution cells of the notebook at `path`, in notebook order."""
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code" and is_solution(cell)]


def unanswered(assignment, source_root):
    """One submission per solution cell of the assignment's source notebook, that cell left as released.

    Each loses the tests the declaration says use that cell, so leaving any answer out costs points,
    whether the cell is released with nbgrader's stub or with starting code to fix.
    """
    def left_as_released(cell):
        cell_id = grade_id_of(cell)
        released_with = ", its starting code not fixed" if has_starting_code(cell.source) else ""
        return Submission(
            f"no_{cell_id}", f"the {cell_id} cell left as released{released_with}", assignment.name, assignment.notebook,
            unanswered=frozenset({cell_id}), expected_lost=assignment.tests_using(cell_id), in_demo=False,
        )

    return tuple(left_as_released(cell) for cell in solution_cells(Path(source_root) / assignment.name / assignment.filename))


def solution_source(cell):
    """A source solution cell as the student would write it: the solution without its markers or starting code."""
    return _SOLUTION_MARKERS.sub("", without_starting_code(cell.source))


def build_notebook(submission, release_path, source_path):
    """Return the submitted notebook: the released one with solution cells filled in."""
    released = nbformat.read(release_path, as_version=4)
    reference_cells = {grade_id_of(cell): cell for cell in nbformat.read(source_path, as_version=4).cells}
    for cell in released.cells:
        grade_id = grade_id_of(cell)
        if not is_answer(cell):
            continue
        if grade_id in submission.written:
            cell.source = submission.written[grade_id]
            continue
        if submission.untouched or grade_id in submission.unanswered:
            continue
        source = solution_source(reference_cells[grade_id])
        for old, new in submission.edits.get(grade_id, ()):
            if old not in source:
                raise ValueError(f"{submission.student_id}: {old!r} is not in the solution of {grade_id}")
            source = source.replace(old, new)
        cell.source = source
    return released
