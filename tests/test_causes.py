"""The one root-cause policy (autograder/causes.py): which earlier cell is behind a failure.

The kernel uses it live (`missing_name_cause`, on the cells it ran) and every reader of a graded
notebook uses it on the outputs (`failures_of`: `check()`, `keras-course check`, the feedback and the
class report). Each case below is told both ways and must name the same cell.
"""

from dataclasses import dataclass

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.assignments import Assignment, GradedTest
from autograder.causes import ANSWER_FIRST, CellRun, cell_behind, missing_name_cause, root_cell
from autograder.failures import failures_of


@dataclass
class Cell:
    """A cell as the policy sees it."""

    cell_id: str
    defines: frozenset = frozenset()
    failed: bool = False
    unanswered: bool = False
    missing: str | None = None
    raised_placeholder: bool = False
    source: str = ""

    def mentions(self, name):
        return name in self.source


def test_a_missing_name_is_put_down_to_the_cell_that_binds_it_when_that_failed():
    """Is the last cell that binds the name behind it if it failed, and nothing if it ran through?"""
    first, second = Cell("a", {"model"}, failed=True), Cell("b", {"model"})
    assert cell_behind("model", [first]) is first
    assert cell_behind("model", [first, second]) is None
    assert cell_behind("other", [first]) is None


def test_a_test_is_put_down_to_the_first_failed_answer_it_uses():
    """Without a binder, is a test's cause the first failed cell among those its declaration uses?"""
    used, other = Cell("used", failed=True), Cell("other", failed=True)
    assert cell_behind(None, [other, used], uses=("used",), in_test=True) is used
    assert cell_behind(None, [Cell("used"), other], uses=("used",), in_test=True) is None  # it ran: no cell is behind


def test_an_unanswered_cell_that_uses_the_name_is_behind_it():
    """Is the last unanswered placeholder that mentions the missing name behind it, even outside a test?"""
    stub = Cell("stub", failed=True, unanswered=True, source="def train():\n    model.fit()")
    assert cell_behind("model", [stub, Cell("later", failed=True, unanswered=True)]) is stub


def test_only_a_test_falls_back_on_the_last_unanswered_or_failed_cell():
    """Is an unexplained missing name put down to an earlier cell in a test only (a typo elsewhere is no cascade)?"""
    crashed, unanswered = Cell("crashed", failed=True), Cell("unanswered", failed=True, unanswered=True)
    assert cell_behind("typo", [unanswered, crashed]) is None
    assert cell_behind("typo", [unanswered, crashed], in_test=True) is unanswered
    assert cell_behind("typo", [crashed], in_test=True) is crashed


def test_a_test_that_failed_on_its_own_is_put_down_to_no_earlier_cell():
    """Is a test that failed for a reason of its own (a time-out, a crash in the code it calls) left with no cause?"""
    assert cell_behind(None, [Cell("hung", failed=True), Cell("crashed", failed=True)], in_test=True) is None


def test_the_root_of_a_chain_is_the_first_failure():
    """Is a cell that failed for want of a name followed to the cell behind that, and a called placeholder to its cell?"""
    unanswered = Cell("simplenet", {"SimpleNet"}, failed=True, unanswered=True)
    cascade = Cell("train", {"model"}, failed=True, missing="SimpleNet")
    assert root_cell(cascade, [unanswered, cascade]) is unanswered
    caller = Cell("plot", failed=True, raised_placeholder=True)
    assert root_cell(caller, [unanswered, caller]) is unanswered
    assert root_cell(unanswered, [unanswered]) is unanswered


# Both ways: the kernel's words and the graded notebook's reading name the same cell ---------------------------------


ASSIGNMENT = Assignment("09_causes", "causes", "Causes", (GradedTest("t", hint="Look.", uses=("define",)),), __name__)


def kernel_cause(cells, name):
    """What the kernel says of a test failing for want of `name` after `cells` ((source, error or None), in order)."""
    runs = []
    for number, (source, error) in enumerate(cells, start=1):
        runs.append(CellRun(number, source) if error is None else CellRun(number, source, *_failure(error)))
    return missing_name_cause(name, runs, in_test=True)


def _failure(error):
    from autograder.causes import failure_of

    try:
        raise error
    except Exception as raised:
        return failure_of(raised)


def notebook_cause(cells, name):
    """What the graded notebook says of the same test: the cause `failures_of` finds, as a cell number."""
    notebook_cells = []
    for index, (source, error) in enumerate(cells):
        cell = new_code_cell(source, metadata={"nbgrader": {"grade_id": f"cell{index + 1}", "solution": True,
                                                             "grade": False, "schema_version": 3}})
        if error is not None:
            cell.outputs = [new_output("error", ename=type(error).__name__, evalue=str(error), traceback=[])]
        notebook_cells.append(cell)
    test = new_code_cell("check(model)", metadata={"nbgrader": {
        "grade_id": "t", "grade": True, "solution": False, "points": 1, "schema_version": 3}})
    test.outputs = [new_output("error", ename="NameError", evalue=f"name '{name}' is not defined", traceback=[])]
    failure = failures_of(new_notebook(cells=[*notebook_cells, test]), ASSIGNMENT, {"t": (0, 1)})["t"]
    return failure.cause.position if failure.cause else None


CASES = {
    "the binder failed": ([("model = build()", RuntimeError("no"))], "model", 1),
    "the binder ran": ([("model = build()", RuntimeError("no")), ("model = 3", None)], "model", None),
    "an unanswered stub uses it": (
        [("x = 1", ZeroDivisionError("z")), ("def f():\n    return model\nraise NotImplementedError()",
                                           NotImplementedError())], "model", 2),
    "an unanswered cell above a test": (
        [("raise NotImplementedError()", NotImplementedError()), ("y = 2", None)], "model", 1),
}


@pytest.mark.parametrize("cells, name, expected", CASES.values(), ids=list(CASES))
def test_the_kernel_and_the_graded_notebook_name_the_same_cell(cells, name, expected):
    """Do the kernel's live explanation and the reading of the graded outputs blame the same cell?"""
    said = kernel_cause(cells, name)
    assert notebook_cause(cells, name) == expected
    if expected is None:
        assert said is None
    else:
        assert f"(In [{expected}])" in said
    if expected is not None and "NotImplementedError" in cells[expected - 1][0]:
        assert ANSWER_FIRST in said


def test_a_page_that_names_the_cause_strips_it_from_the_kernels_message():
    """Is the cause a student's kernel appended to a NameError taken off (the page says it in a line of its own), and
    any other message left whole?"""
    from autograder.causes import without_cause

    for cause in ("the cell that defines it (In [4]) failed with SyntaxError on line 2 (invalid syntax)",
                  "the cell that should define it (In [4]) is not answered yet",
                  "an answer cell above (In [3]) failed with ValueError: bad"):
        assert without_cause(f"NameError: name 'SimpleNet' is not defined: {cause}") == (
            "NameError: name 'SimpleNet' is not defined")
    for message in ("CheckFailure: wrong output shape: expected (None, 10), got (None, 5)",
                    "NameError: name 'x' is not defined"):
        assert without_cause(message) == message
