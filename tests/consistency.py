"""The notebooks of `source/` against the declarations of `autograder.assignments`: what drifted, cell by cell.

Each fact is written once: the notebook holds each graded cell's grade id, points and question,
the declaration its hint, checks, `uses` and grader. What is checked is that the two name the same
cells, that each holds its own facts well (a one-line question, a short hint, `uses` naming answer
cells), and that a test cell calls the checks its declaration names.

`notebook_problems(notebook, assignment)` compares one notebook (a path, or an in-memory
`nbformat` notebook, so a test can break a copy) with its `Assignment` and returns one string
per problem, each naming the notebook and the cell: `"01_fix_simplenet/fix_simplenet.ipynb,
cell 7 (data_prepared): ..."` (cells are numbered from 1, as `keras-course check` logs them);
starting code that `generate_assignment` could not read is one (autograder/starting_code.py).
`course_problems(source_root, assignments)` adds what spans notebooks: one declaration per
folder of `source/`, grade ids unique across the course. An empty list means they agree.

Reads notebooks as JSON and cells with `ast`: no kernel, no Keras, nothing run.
"""

import ast
import importlib
import re
from collections import Counter
from pathlib import Path

import nbformat

from autograder.cells import question_of
from autograder.starting_code import problems_of as starting_code_problems

# A question: one line ending in "?", or in "?" and one parenthesised remark ("... agree? (more cases are hidden)").
QUESTION = re.compile(r"\S[^\n]*\?( \([^()\n]+\))?")
# A hint sits beside a failure message: one or two sentences of plain text.
MAX_HINT_CHARS = 250
MAX_HINT_SENTENCES = 2
_SENTENCE_BREAK = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9])")


def _nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def is_test_cell(cell):
    """An autograded test: a graded code cell that is not an answer."""
    return cell.cell_type == "code" and _nbgrader(cell).get("grade", False) and not _nbgrader(cell).get("solution", False)


def is_solution_cell(cell):
    """An answer the student writes in code (what a test's `uses` names)."""
    return cell.cell_type == "code" and _nbgrader(cell).get("solution", False)


def is_manual_cell(cell):
    """A written answer graded by hand: a markdown cell that is graded and a solution."""
    return cell.cell_type == "markdown" and _nbgrader(cell).get("grade", False) and _nbgrader(cell).get("solution", False)


def question_problem(question):
    """Why `question` is not a one-line question, or None."""
    if not isinstance(question, str) or not QUESTION.fullmatch(question):
        return f'the question {question!r} is not one line ending in "?" (optionally followed by one "(remark)")'
    return None


def hint_problems(hint):
    """Why `hint` is not one or two plain-text sentences, if it is not."""
    if not isinstance(hint, str) or not hint.strip():
        return ["the test has no hint"]
    problems = []
    if len(hint) >= MAX_HINT_CHARS:
        problems.append(f"the hint has {len(hint)} characters (at most {MAX_HINT_CHARS - 1})")
    if "\n" in hint or hint != hint.strip():
        problems.append("the hint is not one line without surrounding space")
    if "`" in hint:
        problems.append("the hint has backticks (hints are plain text, not Markdown)")
    if not hint.endswith((".", "?")):
        problems.append('the hint does not end in "." or "?" (hints are written as sentences)')
    sentences = len(_SENTENCE_BREAK.split(hint.strip()))
    if sentences > MAX_HINT_SENTENCES:
        problems.append(f"the hint has {sentences} sentences (at most {MAX_HINT_SENTENCES})")
    return problems


def function_name(function):
    """`module.name` of a check function: how cells and declarations are compared."""
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', repr(function))}"


def _resolve(module, name):
    """`module.name` of what `from module import name` gives (where it is defined), or the text if it does not import."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return f"{module}.{name}"
    if callable(found) and hasattr(found, "__module__") and hasattr(found, "__qualname__"):
        return function_name(found)
    return f"{module}.{name}"


def called_checks(tree):
    """`module.name` of every function from `autograder` that the code of `tree` calls (imported, then called)."""
    names = {}  # a name bound by an import -> the dotted path it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "autograder":
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "autograder":
                    names[alias.asname or "autograder"] = alias.name if alias.asname else "autograder"
    called = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts, target = [], node.func
        while isinstance(target, ast.Attribute):
            parts.insert(0, target.attr)
            target = target.value
        if not isinstance(target, ast.Name) or target.id not in names:
            continue
        module, _, name = ".".join([names[target.id], *parts]).rpartition(".")
        called.add(_resolve(module, name))
    return called


def _label(notebook, assignment):
    return f"{assignment.name}/{assignment.filename}" if not isinstance(notebook, (str, Path)) else (
        f"{Path(notebook).parent.name}/{Path(notebook).name}"
    )


def notebook_problems(notebook, assignment):
    """Every way the notebook (a path or an nbformat notebook) and its declaration `assignment` disagree."""
    label = _label(notebook, assignment)
    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, (str, Path)) else notebook
    where = {}  # grade_id -> "label, cell N (grade_id)" of its first cell
    problems = []

    def at(index, grade_id):
        return f"{label}, cell {index + 1} ({grade_id})"

    ids = Counter(_nbgrader(cell).get("grade_id") for cell in nb.cells if _nbgrader(cell).get("grade_id"))
    for index, cell in enumerate(nb.cells):
        grade_id = _nbgrader(cell).get("grade_id")
        if grade_id is None:
            continue
        where.setdefault(grade_id, at(index, grade_id))
        if ids[grade_id] > 1 and where[grade_id] != at(index, grade_id):
            problems.append(f"{at(index, grade_id)}: grade id used by {ids[grade_id]} cells of this notebook")
    for index, cell in enumerate(nb.cells):
        cell_name = at(index, _nbgrader(cell).get("grade_id"))
        problems.extend(f"{cell_name}: {problem}" for problem in starting_code_problems(cell))

    declared = {test.grade_id: test for test in assignment.declared}
    for grade_id, count in Counter(test.grade_id for test in assignment.declared).items():
        if count > 1:
            problems.append(f"{label}: test {grade_id!r} is declared {count} times in {assignment.package}")
    solutions = set()
    graded_order = []

    for index, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id")
        cell_name = at(index, grade_id)
        if is_solution_cell(cell):
            solutions.add(grade_id)
            if not assignment.tests_using(grade_id):
                problems.append(f"{cell_name}: solution cell is in no test's `uses` in {assignment.package}")
        if not meta.get("grade", False):
            continue
        graded_order.append(grade_id)
        test = declared.get(grade_id)
        if test is None:
            problems.append(f"{cell_name}: graded cell has no declaration in {assignment.package}")
            continue
        if not float(meta.get("points", 0)) > 0:
            problems.append(f"{cell_name}: a graded cell worth {meta.get('points')!r} points")
        problem = question_problem(question_of(nb.cells, index))
        if problem:
            problems.append(f"{cell_name}: {problem}")
        if is_manual_cell(cell) and (test.checks or test.grader is not None):
            problems.append(f"{cell_name}: a written answer graded by hand, but its declaration has checks or a grader")
        if cell.cell_type == "code" and meta.get("solution", False):
            problems.append(f"{cell_name}: graded code cell that is also a solution (autograded answers are not declared)")
        if not is_test_cell(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as error:
            problems.append(f"{cell_name}: test cell does not parse ({error.msg}, line {error.lineno})")
            continue
        called = called_checks(tree)
        declared_checks = {function_name(check) for check in test.checks}
        if called != declared_checks:
            missing, extra = sorted(declared_checks - called), sorted(called - declared_checks)
            problems.append(
                f"{cell_name}: the cell calls checks other than declared"
                + (f"; declared but not called: {', '.join(missing)}" if missing else "")
                + (f"; called but not declared: {', '.join(extra)}" if extra else "")
            )

    for test in assignment.declared:
        name = where.get(test.grade_id, f"{label}, declared test {test.grade_id!r}")
        if test.grade_id not in where:
            problems.append(f"{name}: no cell of the notebook has this grade id (declared in {assignment.package})")
        elif test.grade_id not in graded_order:
            problems.append(f"{name}: declared as a test in {assignment.package}, but the cell is not graded")
        problems.extend(f"{name}: {problem}" for problem in hint_problems(test.hint))
        for cell_id in test.uses:
            if cell_id not in solutions:
                cell = where.get(cell_id, f"no cell has grade id {cell_id!r}")
                problems.append(f"{name}: `uses` names {cell_id!r}, which is not a solution cell of {label} ({cell})")
        if test.grader is not None and not test.artifacts:
            problems.append(f"{name}: graded outside the kernel (a grader) but declares no artifacts to grade from")
        if test.artifacts and test.grader is None:
            problems.append(f"{name}: declares artifacts {test.artifacts} but no grader to grade them")
        if test.grader is not None and function_name(test.grader) not in {function_name(c) for c in test.checks}:
            problems.append(f"{name}: its grader {function_name(test.grader)} is not one of the checks its cell calls")
    return problems


def course_problems(source_root, assignments):
    """Every problem of the course: folders against declarations, grade ids across notebooks, then each notebook."""
    source_root = Path(source_root)
    problems = []
    folders = sorted(path.name for path in source_root.iterdir() if path.is_dir() and not path.name.startswith("."))
    names = Counter(assignment.name for assignment in assignments)
    for folder in folders:
        if names[folder] != 1:
            problems.append(f"source/{folder}: {names[folder]} declarations in autograder.assignments (needs exactly 1)")
    for name in sorted(set(names) - set(folders)):
        problems.append(f"source/{name}: declared in autograder.assignments but there is no such folder")

    owners = {}
    for assignment in assignments:
        for test in assignment.declared:
            owners.setdefault(test.grade_id, []).append(assignment.name)
    for grade_id, found in owners.items():
        if len(found) > 1:
            problems.append(f"grade id {grade_id!r} is declared by more than one assignment: {', '.join(found)}")

    graded = {}
    for assignment in assignments:
        folder = source_root / assignment.name
        if not folder.is_dir():
            continue
        notebooks = sorted(path.name for path in folder.glob("*.ipynb"))
        if notebooks != [assignment.filename]:
            problems.append(f"source/{assignment.name}: notebooks {notebooks}, declared {[assignment.filename]}")
            if assignment.filename not in notebooks:
                continue
        path = folder / assignment.filename
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if _nbgrader(cell).get("grade", False):
                graded.setdefault(_nbgrader(cell).get("grade_id"), []).append(
                    f"{assignment.name}/{assignment.filename}, cell {index + 1}"
                )
        problems.extend(notebook_problems(path, assignment))
    for grade_id, cells in graded.items():
        if len(cells) > 1:
            problems.append(f"grade id {grade_id!r} is graded in more than one cell: {'; '.join(cells)}")
    return problems
