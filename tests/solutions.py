"""The reference solutions of the course, taken from the source notebooks (never retyped in a test).

`definitions("02_layers_and_cnn", "conv2d_forward")` runs the notebook's setup cell and
the classes, functions and imports of the named solution cells, and returns the namespace:
the same code a student's correct answer holds. `edits` changes the solution text first,
as a demo submission does (`Submission.edits`), so tests and the demo share their mistakes.
"""

import ast
import functools
import inspect
import re

import nbformat

from autograder.assignments.submission import solution_source
from autograder.cells import grade_id_of
from autograder.settings import COURSE_ROOT

_DEFINITIONS = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


@functools.cache
def source_cells(assignment):
    """{grade_id: source text} of the cells of an assignment's source notebook (solutions without markers)."""
    (path,) = (COURSE_ROOT / "source" / assignment).glob("*.ipynb")
    return {
        grade_id_of(cell): solution_source(cell)
        for cell in nbformat.read(path, as_version=4).cells if grade_id_of(cell)
    }


def solution_text(assignment, cell_id, edits=()):
    """The solution of `cell_id` as a student writes it, with each `(old, new)` of `edits` applied."""
    text = source_cells(assignment)[cell_id]
    for old, new in edits:
        if old not in text:
            raise ValueError(f"{old!r} is not in the solution of {cell_id}")
        text = text.replace(old, new)
    return text


def definitions(assignment, *cell_ids, edits=None):
    """The namespace after the setup cell and the definitions (classes, functions, imports) of `cell_ids`.

    `edits` is a {cell_id: [(old, new)]} of changes to the solution text, as in `Submission.edits`.
    """
    namespace = {}
    exec(compile(source_cells(assignment)["setup"], f"<{assignment} setup>", "exec"), namespace)
    for cell_id in cell_ids:
        tree = ast.parse(solution_text(assignment, cell_id, (edits or {}).get(cell_id, ())))
        tree.body = [node for node in tree.body if isinstance(node, _DEFINITIONS)]
        exec(compile(tree, f"<{assignment} {cell_id}>", "exec"), namespace)
    return namespace


def run_solutions(assignment, namespace, *cell_ids):
    """Run the solutions of `cell_ids` whole in `namespace` (not only their definitions), as the notebook runs them."""
    for cell_id in cell_ids:
        exec(compile(solution_text(assignment, cell_id), f"<{assignment} {cell_id}>", "exec"), namespace)
    return namespace


def submission_definitions(submission, *cell_ids):
    """`definitions` of a demo submission's answers: the reference with the submission's edits."""
    return definitions(submission.assignment, *cell_ids, edits=submission.edits)


_HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)


def hidden_arguments(assignment, grade_id, check):
    """The arguments the hidden tests of the cell `grade_id` of `assignment`'s notebook pass to `check` after the answer.

    One {parameter name: value} per call, evaluated as the notebook evaluates them.
    """
    text = source_cells(assignment)[grade_id]
    namespace = definitions(assignment)
    imports = [node for node in ast.parse(text).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    exec(compile(ast.Module(imports, type_ignores=[]), f"<{grade_id} imports>", "exec"), namespace)

    def value(node):
        return eval(compile(ast.Expression(node), f"<{grade_id}>", "eval"), namespace)

    calls = [
        node.value for node in ast.parse("".join(_HIDDEN_REGION.findall(text))).body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == check.__name__
    ]
    signature = inspect.signature(check)
    answer = next(iter(signature.parameters))
    found = []
    for call in calls:
        # The first argument is the student's answer: bound to a stand-in, and left out.
        arguments = [value(node) for node in call.args[1:]]
        keywords = {keyword.arg: value(keyword.value) for keyword in call.keywords}
        bound = signature.bind(None, *arguments, **keywords).arguments
        found.append({name: argument for name, argument in bound.items() if name != answer})
    return found
