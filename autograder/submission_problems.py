"""What a handed-in notebook did to the cells nbgrader grades it by, or that it is no notebook: one sentence.

nbgrader grades a submission against the course's own version of its nbgrader cells (the
gradebook's). At autograde it puts back a test cell that was deleted or stripped of its nbgrader
metadata (`c.OverwriteCells.add_missing_cells`), a read-only or test cell that was edited, a test
whose points were changed and, in a notebook with cell ids (as JupyterLab saves it), a test turned
into markdown, and grades the course's version. It cannot grade a notebook in which a cell kept
nbgrader metadata without its grade id or with another one (`KeyError: 'grade_id'`), a cell
re-marked as another kind ("Inconsistent checksums"), a test turned into markdown in a notebook
without cell ids, or a file that is not a notebook: it logs a traceback and grades nothing for that
student. Either way the student and
the instructor read the same sentence, never the traceback: which cell (by its grade id), what
was done to it, whether it was graded, and what to do.

`problem_sentence` is the one place that says it, for `keras-course grade` and `check`
(autograder/grading/one_student.py), the feedback (`FeedbackForStudents`) and the class report.
It compares the handed-in notebook with the course's (its `source/` or `release/` version: both
have the same nbgrader cells); `nbgrader_failure` reads nbgrader's log only where that
comparison finds nothing to blame.
"""

import copy
import json
import re
from dataclasses import dataclass

from autograder.cells import TEST_HEADER, cell_source, grade_id_of, nbgrader_metadata

# What to do about any of them: the student's answers are safe to copy, the fresh copy's cells are the course's.
FRESH_COPY = "fetch the assignment again (rename your folder first) and copy your answers into the fresh copy"
# The last line of an exception in nbgrader's log, under its traceback: "    RuntimeError: Inconsistent ...".
_EXCEPTION_LINE = re.compile(r"^\s+(?:[A-Za-z_][\w]*\.)*(?P<name>[A-Za-z_]\w*(?:Error|Exception|Entry)): ?(?P<text>.*)$")


@dataclass(frozen=True)
class CellChange:
    """One nbgrader cell of the course as the handed-in notebook has it: what was done to it, in words."""

    grade_id: str
    kind: str  # "test cell", "answer cell", "written answer", "read-only cell", "task"
    done: str  # "was deleted", "was re-marked as an autograded answer", ...
    blocks_grading: bool  # can it stop nbgrader (the kinds of change nbgrader does not put back)?

    def __str__(self):
        return f"{self.kind} `{self.grade_id}` {self.done}"


def kind_of(metadata):
    """What an nbgrader cell is, as the course names it, from its nbgrader metadata."""
    if metadata.get("task"):
        return "task"
    if metadata.get("solution"):
        return "written answer" if metadata.get("grade") else "answer cell"
    if metadata.get("grade"):
        return "test cell"
    return "read-only cell" if metadata.get("locked") else "ordinary cell"


# The kinds as nbgrader's Create Assignment menu offers them, for "re-marked as ...".
_MARKED_AS = {
    "task": "a manually graded task", "written answer": "a manually graded answer", "answer cell": "an autograded answer",
    "test cell": "an autograder test", "read-only cell": "a read-only cell", "ordinary cell": "an ordinary cell",
}


def _points(metadata):
    try:
        return float(metadata.get("points") or 0.0)
    except (TypeError, ValueError):
        return None


def _edited(cell, course_cell):
    """Is the source of a read-only or test cell not what was released? Its released checksum says so."""
    from nbgrader.utils import compute_checksum

    released = nbgrader_metadata(cell).get("checksum")
    if not released:
        return False
    as_released = copy.deepcopy(cell)  # the checksum covers kind and points too, told apart above
    as_released["cell_type"] = course_cell["cell_type"]
    as_released["metadata"]["nbgrader"] = {**nbgrader_metadata(cell), **{
        key: nbgrader_metadata(course_cell)[key] for key in ("grade", "solution", "locked", "points")
        if key in nbgrader_metadata(course_cell)}}
    try:
        return compute_checksum(as_released) != released
    except (KeyError, TypeError, ValueError):
        return True


def _header_id(cell):
    """The grade id of the test a cell's first line names (`# Test "ID" (N points)`), or None."""
    found = TEST_HEADER.match(cell_source(cell))
    return found["grade_id"] if found else None


def changes(submitted, course):
    """The `CellChange`s of the notebook `submitted` against the course's notebook `course`, in the course's order.

    Both are nbformat notebooks. A test cell found only by its first line (`# Test "ID"`) lost its
    nbgrader metadata or had its grade id changed; an answer cell is never "edited" (answering is
    editing) and is not looked for when it is gone (nbgrader puts back only graded cells).
    """
    by_id, by_header = {}, {}
    for cell in submitted.cells:
        if grade_id_of(cell):
            by_id.setdefault(grade_id_of(cell), cell)
        if _header_id(cell):
            by_header.setdefault(_header_id(cell), cell)
    found = []
    for course_cell in course.cells:
        grade_id = grade_id_of(course_cell)
        if not grade_id:
            continue
        metadata = nbgrader_metadata(course_cell)
        kind = kind_of(metadata)
        cell = by_id.get(grade_id)
        if cell is None:
            copy_of_test = by_header.get(grade_id)
            if copy_of_test is not None and "nbgrader" not in copy_of_test.get("metadata", {}):
                found.append(CellChange(grade_id, kind, "lost its nbgrader metadata", False))
            elif copy_of_test is not None and grade_id_of(copy_of_test):
                found.append(CellChange(grade_id, kind, f"had its grade id changed to `{grade_id_of(copy_of_test)}`",
                                        True))
            elif copy_of_test is not None:
                found.append(CellChange(grade_id, kind, "lost its grade id from its nbgrader metadata", True))
            elif metadata.get("grade"):
                found.append(CellChange(grade_id, kind, "was deleted", False))
            continue
        handed_in = nbgrader_metadata(cell)
        if kind_of(handed_in) != kind:
            found.append(CellChange(grade_id, kind, f"was re-marked as {_MARKED_AS[kind_of(handed_in)]}", True))
        elif cell.get("cell_type") != course_cell["cell_type"]:
            found.append(CellChange(grade_id, kind, f"was turned into a {cell.get('cell_type')} cell", True))
        elif metadata.get("grade") and _points(handed_in) != _points(metadata):
            found.append(CellChange(grade_id, kind, f"had its points changed from {_points(metadata):g} to "
                                                    f"{handed_in.get('points')}", False))
        elif metadata.get("locked") and _edited(cell, course_cell):
            found.append(CellChange(grade_id, kind, "was edited", False))
    return found


def _listed(items):
    """"a", "a and b", "a, b and c"."""
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _capitalized(text):
    return text[:1].upper() + text[1:]


def changes_sentence(found, graded):
    """The sentence of the `CellChange`s `found` in a notebook that nbgrader `graded` or could not grade; "" if none."""
    if graded and found:
        them = "it" if len(found) == 1 else "them"
        return (f"{_capitalized(_listed(found))}: nbgrader graded the course's version of {them} instead; "
                f"to have {them} back in your notebook, {FRESH_COPY}.")
    blocking = [change for change in found if change.blocks_grading]
    if not blocking:
        return ""
    return (f"{_capitalized(_listed(blocking))}, so nbgrader could not grade this notebook: {FRESH_COPY}, "
            "leaving its test cells as they are, and submit it again.")


def unreadable_reason(error):
    """Why a file is not a notebook, in a few words: where its JSON breaks, or nbformat's first line."""
    cause = error if isinstance(error, json.JSONDecodeError) else error.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return f"not JSON: {cause.msg} at line {cause.lineno}, column {cause.colno}"
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:200]


def unreadable_sentence(name, reason):
    """The sentence of a notebook file `name` that cannot be read as a notebook (`reason`, `unreadable_reason`)."""
    return (f"{name} is not a valid notebook ({reason}): Jupyter cannot open it and nbgrader could not grade it; "
            f"restore it (JupyterLab: File > Revert Notebook to Checkpoint) or {FRESH_COPY}, then submit it again.")


def read_handed_in(content):
    """(the notebook in `content` (bytes), "") or (None, why it is no notebook), as nbgrader reads one."""
    import nbformat

    try:
        return nbformat.reads(content.decode("utf-8"), as_version=4), ""
    except Exception as error:  # noqa: BLE001 (anything nbformat cannot read is no notebook to nbgrader)
        return None, unreadable_reason(error)


def problem_sentence(name, content, course, graded):
    """The one sentence about the handed-in notebook `name` (its `content` as bytes), or "" when nothing was done.

    `course` is the course's notebook (nbformat); `graded` says whether nbgrader graded the
    submission. A file that is no notebook has its sentence either way; changed cells have theirs
    when graded (put back), and when not graded only if a change of theirs can stop nbgrader.
    """
    submitted, reason = read_handed_in(content)
    if submitted is None:
        return unreadable_sentence(name, reason)
    return changes_sentence(changes(submitted, course), graded)


def nbgrader_failure(log):
    """The exception nbgrader's log ends a traceback with, as "Name: text" (the last one), or ""."""
    found = ""
    for line in log:
        match = _EXCEPTION_LINE.match(line)
        if match:
            found = f"{match['name']}: {match['text'].strip()}".strip().rstrip(":")[:300]
    return found


def not_graded_sentence(log):
    """Why nbgrader graded nothing when no change to the notebook explains it: the exception it logged, if any."""
    failure = nbgrader_failure(log)
    return "nbgrader could not grade this notebook" + (f" ({failure})." if failure else ".")
