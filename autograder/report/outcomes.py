"""What one autograded notebook says about each test: why it failed, and which earlier cell caused it.

A test fails for one of four kinds of reason (`Failure.kind`):
- "check": a check of the course said what is wrong (`CheckFailure`);
- "error": the test's code raised something else (the student's function crashed, a name is missing);
- "stopped": the sandbox stopped the notebook (a limit, a dead kernel, out of time) before or during it;
- "partial": no error, fewer points than the test is worth (assignment 3's accuracy tiers).

When a cell the test needs failed before it (an answer still raising `NotImplementedError`, a
syntax error, a crash), that cell is the test's `cause`: the instructor sees one root cause, not
the cascade of `NameError`s after it. A cell the test needs is one its declaration `uses`; a test
that failed with a `NameError` is also put down to the first earlier cell that failed.
"""

import json
from dataclasses import dataclass

from autograder.errors import error_summary, strip_ansi
from autograder.grading.nbgrader import STOPPED

CHECK_FAILURE = "CheckFailure"
# nbgrader's error in a cell stopped at the cell time limit (often after the interrupt's KeyboardInterrupt).
TIMED_OUT = "CellTimeoutError"
# A test whose inputs an earlier cell should have made fails with this when that cell failed.
MISSING_NAME = ("NameError", "UnboundLocalError")


@dataclass(frozen=True)
class CellError:
    """A cell of the notebook that ended in an error: where it is and what it raised."""

    position: int  # 1-based, among the notebook's cells
    cell_id: str  # its nbgrader id, or "" for a cell without one
    ename: str
    evalue: str

    @property
    def name(self):
        return f"`{self.cell_id}` (cell {self.position})" if self.cell_id else f"cell {self.position}"

    @property
    def summary(self):
        """`Name: first line`, the placeholder called so."""
        return error_summary(self.ename, self.evalue, self.ename == "NotImplementedError")

    @property
    def timed_out(self):
        return self.ename == TIMED_OUT

    def describe(self):
        if self.timed_out:
            return f"the cell {self.name} ran longer than the time limit for one cell and was stopped"
        if self.ename == "NotImplementedError" and not self.evalue.strip():
            return f"the answer cell {self.name} is not answered yet (it still raises NotImplementedError)"
        return f"the cell {self.name} failed with {self.summary}"


@dataclass(frozen=True)
class Failure:
    """Why one test of one student lost points."""

    grade_id: str
    kind: str  # "check", "error", "stopped" or "partial"
    message: str  # the first line(s) the test showed, without a hint
    cause: CellError | None = None  # the earlier cell that failed, when the test needed it
    hint: str = ""  # the hint the check gave with its message, if any

    @property
    def reason(self):
        """The root cause in words: the earlier cell that failed, else the test's own message."""
        return self.cause.describe() if self.cause else self.message


def _error_of(cell):
    """The error a cell ended in, as (ename, evalue), or None: nbgrader's time-out, else the first error."""
    errors = [(output.get("ename", ""), strip_ansi(output.get("evalue", "")))
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    return next((error for error in errors if error[0] == TIMED_OUT), errors[0] if errors else None)


def _text(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def _split_hint(evalue):
    """(message, hint) of a check's message, which ends in "Hint: ..." when it gives one."""
    message, _, hint = evalue.partition("\nHint:")
    return message.strip(), hint.strip()


def _failure_of(cell):
    """The kind, message and hint of a failed test cell, from its outputs."""
    error = _error_of(cell)
    if error is not None:
        ename, evalue = error
        if ename == STOPPED:
            return "stopped", evalue.strip(), ""
        if ename == CHECK_FAILURE:
            return "check", *_split_hint(evalue)
        return "error", error_summary(ename, evalue, ename == "NotImplementedError"), ""
    printed = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            if output.get("name") == "stderr":
                return "error", f"wrote to stderr: {_text(output.get('text')).strip()[:300]}", ""
            printed.append(_text(output.get("text")))
    return "partial", _summary_of("".join(printed)), ""


def _summary_of(printed):
    """What a test that scored partial credit printed, up to its first list ("Most mistakes:"), on one line."""
    kept = []
    for line in printed.strip().splitlines():
        if not line.strip() or line.startswith((" ", "\t")):
            continue
        if line.rstrip().endswith(":"):
            break
        kept.append(line.strip())
    return " ".join(kept) or "fewer points than the test is worth"


def read_notebook(path):
    """The notebook at `path` as plain JSON (no validation: hundreds are read per report)."""
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def failures_of(notebook, assignment, scores):
    """{grade_id: Failure} of the tests of `notebook` that scored less than their points.

    `scores` is {grade_id: (score, max_score)} from the gradebook, which decides what failed;
    the notebook says why. `assignment` (its declaration) says which cells each test uses.
    """
    failed_before = []  # every earlier cell that ended in an error, in order
    failures = {}
    for position, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        test = assignment.test(grade_id) if grade_id else None
        is_test = test is not None and not test.manual and grade_id in scores and not _is_answer(cell)
        error = _error_of(cell)
        if is_test:
            score, max_score = scores[grade_id]
            if score < max_score:
                kind, message, hint = _failure_of(cell)
                cause = _cause(test, error, failed_before) if kind != "stopped" else None
                failures[grade_id] = Failure(grade_id, kind, message, cause, hint)
        elif error is not None:
            failed_before.append(CellError(position, grade_id, *error))
    return failures


def _is_answer(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def _cause(test, error, failed_before):
    """The earlier failed cell behind a failed test: one it uses, else (for a missing name) the first that failed."""
    used = [cell for cell in failed_before if cell.cell_id in test.uses]
    if used:
        return _root(used[0], failed_before)
    if error is not None and error[0] in MISSING_NAME and failed_before:
        return _root(failed_before[0], failed_before)
    return None


def _root(cell, failed_before):
    """A failed cell that only failed for a missing name is itself put down to the first cell that failed."""
    if cell.ename in MISSING_NAME and failed_before and failed_before[0] != cell:
        return failed_before[0]
    return cell
