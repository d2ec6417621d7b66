"""Submissions that try to forge their score from inside their own kernel: each must gain 0 points.

A forger hands in the released notebook (no answer written) with its first answer cell
replaced by code that gives every name the test cells use a stand-in value, then changes what
the tests run in its kernel:

- `forged_checks`: every check of the assignment replaced by one that prints that it passed;
- `forged_module`: the assignment's checks module swapped in `sys.modules` for one whose
  every function does nothing;
- `forged_display`: a number, the points nbgrader would read as a partial score, shown through
  IPython's display hook at the start of every cell (the cells still fail).

Without the grader's own verdict (autograder/grading/judge.py) the first two would score
full marks and the third one point per test. Each assignment lists them among its
submissions (`forgeries(ASSIGNMENT)`), with the tests they must lose: every one. Forgeries
that start from a wrong answer (patched helpers, Keras or NumPy) are in each assignment's
`submissions.py`, next to the wrong answer they start from.
"""

import ast
import builtins
from pathlib import Path

import nbformat

from autograder.assignments.submission import FORGERY_RAN, Submission, solution_cells
from autograder.cells import grade_id_of, is_test
from autograder.settings import COURSE_ROOT


def student_names(assignment, source_root=COURSE_ROOT / "source"):
    """The names the assignment's test cells take from the notebook (the student's), sorted."""
    notebook = nbformat.read(Path(source_root) / assignment.name / assignment.filename, as_version=4)
    used, defined = set(), set()
    for cell in notebook.cells:
        if not is_test(cell):
            continue
        for node in ast.walk(ast.parse(cell.source)):  # nbgrader's hidden-test markers are comments
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.alias):
                defined.add(node.asname or node.name.split(".")[0])
    return sorted(used - defined - set(dir(builtins)) - {"keras", "np", "layers"})


def stand_ins(assignment):
    """Code that gives each of `student_names` a value, so the test cells raise no NameError."""
    return "".join(f"{name} = None\n" for name in student_names(assignment))


def _checks_module(assignment):
    return f"{assignment.package}.checks"


def _forged_checks(assignment):
    return f"""
import {_checks_module(assignment)} as checks_module

def _passed(*args, **kwargs):
    print("All checks passed.")

for _name in dir(checks_module):
    if _name.startswith("check_"):
        setattr(checks_module, _name, _passed)
print("{FORGERY_RAN} every check replaced")
"""


def _forged_module(assignment):
    return f"""
import sys
import types

class _Anything(types.ModuleType):
    def __getattr__(self, name):
        return lambda *args, **kwargs: None

sys.modules["{_checks_module(assignment)}"] = _Anything("{_checks_module(assignment)}")
print("{FORGERY_RAN} the checks module swapped")
"""


_FORGED_DISPLAY = f"""
from IPython import get_ipython

get_ipython().displayhook.quiet = lambda: False  # shown even when the cell before ended with ";"
get_ipython().events.register("pre_run_cell", lambda *args: get_ipython().displayhook(1))
print("{FORGERY_RAN} a score shown before every cell")
"""


def forger(assignment, student_id, description, code, **fields):
    """The released notebook with its first answer cell replaced by stand-ins and `code`: it must lose every test."""
    first = grade_id_of(solution_cells(COURSE_ROOT / "source" / assignment.name / assignment.filename)[0])
    return Submission(
        student_id, description, assignment.name, assignment.notebook, untouched=True,
        written={first: stand_ins(assignment) + code}, expected_lost=assignment.grade_ids, in_demo=False,
        forged_in_kernel=assignment.grade_ids, **fields,
    )


def forgeries(assignment):
    """The forgers every assignment whose tests run in the kernel must defeat."""
    return (
        forger(assignment, "forged_checks", "every check replaced by one that prints a pass", _forged_checks(assignment)),
        forger(assignment, "forged_module", "the checks module swapped in sys.modules", _forged_module(assignment)),
        forger(assignment, "forged_display", "a partial score shown through the display hook in every cell",
               _FORGED_DISPLAY),
    )
