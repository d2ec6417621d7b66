"""Why a test failed, read from a graded notebook's outputs: its message, its hint, the earlier cell that caused it.

The one reading of failures for everyone who shows them: `TestResult`s (`keras-course check`,
`check()`, the demo), the students' feedback and the class report.

A test fails for one of four kinds of reason (`Failure.kind`):
- "check": a check of the course said what is wrong (`CheckFailure`);
- "error": the test's code raised something else (the student's function crashed, a name is missing);
- "stopped": the sandbox stopped the notebook (a limit, a dead kernel, out of time) before or during it;
- "partial": no error, fewer points than the test is worth (assignment 3's accuracy tiers).

When a test could not run its checks ("error": a name missing, an exception) and a cell it needs
failed before it (an answer still raising `NotImplementedError`, a syntax error, a crash), that
cell is the test's `cause`: the instructor sees one root cause, not the cascade of `NameError`s
after it. Which cell that is, is the course's one policy, `cell_behind` and `root_cell` in
autograder/causes.py, which the student's kernel follows too.
"""

import json
import re
from dataclasses import dataclass, field

from nbformat.v4 import new_output

from autograder.causes import cell_behind, defined_names, mentions, root_cell
from autograder.cells import cell_name, cell_source, grade_id_of, is_test, joined
from autograder.errors import PLACEHOLDER_STILL_THERE, error_summary, strip_ansi

# The error name of a cell the sandbox stopped or did not run (a limit, a dead kernel): its reason says it all.
STOPPED = "NotebookStopped"
# What to do about a test that failed because an earlier cell failed: that cell, not the test, needs the work.
CAUSE_HINT = "fix that cell first: this test needs what it defines, and will run once it does."

CHECK_FAILURE = "CheckFailure"
# nbgrader's error in a cell stopped at the cell time limit (often after the interrupt's KeyboardInterrupt).
TIMED_OUT = "CellTimeoutError"
# A test whose inputs an earlier cell should have made fails with this when that cell failed.
MISSING_NAME = ("NameError", "UnboundLocalError")
# What nbgrader's student version has in place of an answer (c.ClearSolutions.code_stub).
PLACEHOLDER = "raise NotImplementedError()"
# How IPython names the place of a syntax error in a cell: "invalid syntax (3184349919.py, line 2)".
_SYNTAX_AT = re.compile(r"^(.*?) \(\S+\.py, line (\d+)\)$")
_MISSING = re.compile(r"name '(\w+)' is not defined|local variable '(\w+)'")


def stopped_output(reason):
    """The error output of a cell that was stopped or not run, saying why in words."""
    return new_output("error", ename=STOPPED, evalue=reason, traceback=[f"{STOPPED}: {reason}"])


def split_hint(message):
    """`(message, hint)` of a failure message, which ends in "Hint: ..." when the check gave one."""
    text, _, own_hint = message.partition("\nHint:")
    return text.strip(), own_hint.strip()


def failure_message(cell):
    """The text a failed test cell shows whole: its error (name and message), what it wrote to stderr, or else what
    it printed. A cell that scores partial credit fails without an error; what it printed says why."""
    printed = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', '')}: {output.get('evalue', '')}".strip()
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return f"wrote to stderr: {joined(output.get('text')).strip()[:300]}"
        if output.get("output_type") == "stream":
            printed.append(joined(output.get("text")))
    return "".join(printed).strip()[-600:]


def missing_name(evalue):
    """The name a NameError says is not defined, or None."""
    found = _MISSING.search(evalue)
    return next((group for group in found.groups() if group), None) if found else None


@dataclass(frozen=True)
class CellError:
    """A code cell of the notebook that ran before a test: where it is, and what it raised (`ename` "" if nothing)."""

    position: int  # 1-based, among the notebook's cells
    cell_id: str  # its nbgrader id, or "" for a cell without one
    ename: str
    evalue: str
    defines: frozenset = field(default=frozenset(), compare=False)  # the names its code would have bound
    unanswered: bool = field(default=False, compare=False)  # its code still holds the placeholder `raise`
    source: str = field(default="", compare=False, repr=False)
    # Its execution count in the graded run: the number its prompt shows (In [N]) in the notebook and the feedback, as
    # a student's kernel names a cell too (autograder/causes.py); None for a cell the run never reached.
    number: int | None = field(default=None, compare=False)

    @property
    def failed(self):
        return bool(self.ename)

    @property
    def missing(self):
        """The name whose absence made it fail, or None."""
        return missing_name(self.evalue) if self.ename in MISSING_NAME else None

    def mentions(self, name):
        return mentions(self.source, name)

    @property
    def raised_placeholder(self):
        """Did it fail with the student version's empty `NotImplementedError`, its own or one it called?"""
        return self.ename == "NotImplementedError" and not self.evalue.strip()

    @property
    def name(self):
        """The cell as a student finds it: its id, and the number of its prompt, In [N] (one way everywhere)."""
        return cell_name(self.cell_id, self.number)

    @property
    def summary(self):
        """`Name: first line`, the placeholder called so, a syntax error by its line in the cell."""
        found = _SYNTAX_AT.search(self.evalue) if self.ename in ("SyntaxError", "IndentationError") else None
        if found:
            return f"{self.ename} on line {found.group(2)} ({found.group(1)})"
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


def _failure_of(cell):
    """The kind, message and hint of a failed test cell, from its outputs."""
    if not cell.get("outputs"):
        return "error", "no output was recorded for this test: the cell did not run", ""
    error = _error_of(cell)
    if error is not None:
        ename, evalue = error
        if ename == STOPPED:
            return "stopped", evalue.strip(), ""
        if ename == CHECK_FAILURE:
            return "check", *split_hint(evalue)
        return "error", error_summary(ename, evalue, ename == "NotImplementedError"), ""
    printed = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            if output.get("name") == "stderr":
                return "error", f"wrote to stderr: {joined(output.get('text')).strip()[:300]}", ""
            printed.append(joined(output.get("text")))
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
    """The notebook at `path` as plain JSON (no validation: hundreds are read per report).

    Raises ValueError for a file that is not a notebook's JSON object.
    """
    with open(path, encoding="utf-8") as file:
        notebook = json.load(file)
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        raise ValueError(f"{path} is not a notebook")
    return notebook


def failures_of(notebook, assignment, scores):
    """{grade_id: Failure} of the tests of `notebook` that scored less than their points.

    `scores` is {grade_id: (score, max_score)} from the gradebook, which decides what failed;
    the notebook says why. `assignment` (its declaration) says which cells each test uses.
    """
    earlier = []  # every earlier code cell but the tests, in order, failed or not
    failures = {}
    for position, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        grade_id = grade_id_of(cell) or ""
        test = assignment.test(grade_id) if grade_id else None
        error = _error_of(cell)
        if test is not None and grade_id in scores and is_test(cell):
            score, max_score = scores[grade_id]
            if score < max_score:
                kind, message, hint = _failure_of(cell)
                # A check that ran says what is wrong itself (the placeholder it called included), unless it ran on
                # what an answer it needs left unanswered; a test that could not run is put down to the cell behind it.
                if kind == "error":
                    cause = _cause(test, error, earlier)
                else:
                    cause = None if PLACEHOLDER_STILL_THERE in message else _unanswered_cause(test, earlier)
                failures[grade_id] = Failure(grade_id, kind, message, cause, hint)
        elif not is_test(cell):
            source = cell_source(cell)
            earlier.append(CellError(position, grade_id, *(error or ("", "")), defines=defined_names(source),
                                     unanswered=error is not None and PLACEHOLDER in source, source=source,
                                     number=cell.get("execution_count")))
    return failures


def _unanswered_cause(test, earlier):
    """The answer cell `test` uses that is still unanswered (its placeholder raised), or None: a check that ran on what
    it left (an untrained model, say) is put down to it, as a test that could not run would be."""
    return next((cell for cell in earlier if cell.unanswered and cell.cell_id in test.uses), None)


def _cause(test, error, earlier):
    """The earlier cell behind a test that could not run, at the root of its chain of failures
    (autograder/causes.py, the one policy), or None."""
    missing = missing_name(error[1]) if error is not None and error[0] in MISSING_NAME else None
    behind = cell_behind(missing, earlier, uses=test.uses, in_test=True)
    return root_cell(behind, earlier) if behind is not None else None
