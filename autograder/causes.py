"""What caused a failure: the earlier cell behind it. The one policy of the course (`cell_behind`, `root_cell`).

Used live in the student's kernel (autograder/kernel/watch.py: a `NameError` says which cell), and on a
graded notebook's outputs by everyone who shows a failure (autograder/failures.py: `check()`,
`keras-course check`, the feedback and the class report), so both name the same cell.

A test that needs `SimpleNet` fails with `NameError: name 'SimpleNet' is not defined` when the
cell that defines it failed (a syntax error, a crash) or is still the unanswered placeholder
(`raise NotImplementedError()`). `missing_name_cause` says which cell, in words a student
can act on: "the cell that defines it (In [8]) failed with SyntaxError on line 2 (...)".

The cells are those the kernel ran, in the order it ran them (`CellRun`, recorded by
`autograder/kernel/watch.py`); a cell is named by its execution count, as its prompt shows it.
"""

import ast
import keyword
import re
from dataclasses import dataclass, field

from autograder.cells import cell_prompt
from autograder.errors import error_text

# What a student reads after the cell that was to define a name: the placeholder is still there.
ANSWER_FIRST = "still raises NotImplementedError: answer it first"
# How much of an earlier cell's error message is quoted.
QUOTED_ERROR_CHARS = 200
# The attribute a `NameError` explained by `missing_name_cause` keeps its cause in.
CAUSE_ATTRIBUTE = "_missing_name_cause"

_IDENTIFIER = r"[A-Za-z_]\w*"
_DEFINITION = re.compile(rf"^(?:async\s+def|def|class)\s+({_IDENTIFIER})")
_IMPORT = re.compile(r"^import\s+(.+)")
_FROM_IMPORT = re.compile(r"^from\s+\S+\s+import\s+\(?([^)]+)\)?")
# The targets of an assignment at the start of a line: `x = ...`, `(a, b), c = ...`, `n += 1`, `y: int = 2`.
_ASSIGNMENT = re.compile(r"^([\w\s,()\[\]*]+?)\s*(?::[^=]*)?(?:\*\*|//|>>|<<|[-+*/%&|^@])?=(?!=)")
_TARGET = re.compile(rf"(?<![\w.])({_IDENTIFIER})(?![\w.(\[])")


def cell_behind(name, earlier, uses=(), in_test=False):
    """The cell of `earlier` (the cells run before, in order) behind a failure for want of `name`, or None.

    `name` is the missing name (None when the failure is not a missing name); `uses` the answer
    cells a test needs (its declaration, where known); `in_test`: the failure is a test's, whose
    names come from the answers above it. Each cell has `defines`, `failed`, `unanswered`,
    `cell_id` and `mentions(name)`. In order:
    1. a missing name: the last cell that binds it, if it failed; none if it ran through (the
       name was deleted, or bound only on a path not taken);
    2. the first failed cell among those the test `uses`;
    3. a missing name: the last unanswered cell that uses it (its stub goes on to use what it
       should define);
    4. a missing name in a test: the last unanswered cell, else the last that failed.
    """
    if name:
        binder = next((cell for cell in reversed(earlier) if name in cell.defines), None)
        if binder is not None:
            return binder if binder.failed else None
    used = next((cell for cell in earlier if cell.failed and cell.cell_id and cell.cell_id in uses), None)
    if used is not None:
        return used
    unanswered = [cell for cell in earlier if cell.unanswered]
    if name:
        mentioning = next((cell for cell in reversed(unanswered) if cell.mentions(name)), None)
        if mentioning is not None:
            return mentioning
    if name and in_test:
        failed = [cell for cell in earlier if cell.failed]
        return unanswered[-1] if unanswered else (failed[-1] if failed else None)
    return None


def root_cell(cell, earlier):
    """The first cell of the chain of failures that ends in `cell` (a failed cell of `earlier`, cells run in order).

    A cell that failed for want of a name is put down to the cell behind that (`cell_behind`, as a
    test's: its names come from the cells above it), and one that called an unanswered function (its
    placeholder raised, its own code answered) to the last unanswered cell before it.
    """
    seen = {id(cell)}
    while True:
        before = earlier[:next(index for index, other in enumerate(earlier) if other is cell)]
        if cell.missing:
            behind = cell_behind(cell.missing, before, in_test=True)
        elif cell.raised_placeholder and not cell.unanswered:
            behind = next((other for other in reversed(before) if other.unanswered), None)
        else:
            behind = None
        if behind is None or id(behind) in seen:
            return cell
        seen.add(id(behind))
        cell = behind


@dataclass
class CellRun:
    """One cell the kernel ran: its execution count, its source, and how it failed (None if it ran through).

    `failure` is what the cell did, in words ("failed with SyntaxError on line 2 (...)", or
    `ANSWER_FIRST` for the unanswered placeholder). The error itself is not kept: its traceback
    would keep the cell's variables (models, data sets) in memory.
    """

    number: int
    source: str  # the code IPython ran (magics turned into Python), else the cell as typed
    failure: str | None = None
    unanswered: bool = False  # it raised the placeholder's empty NotImplementedError
    _names: frozenset | None = field(default=None, repr=False)

    cell_id = ""  # the kernel knows a cell by its number only

    @property
    def defines(self):
        """The names the cell binds at its top level (assignments, imports, functions and classes)."""
        if self._names is None:
            self._names = frozenset(defined_names(self.source))
        return self._names

    @property
    def failed(self):
        return self.failure is not None

    def mentions(self, name):
        return mentions(self.source, name)


def mentions(source, name):
    """Does code `source` use `name` anywhere (not as an attribute)?"""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source) is not None


def failure_of(error):
    """`(words, unanswered)`: what a cell that raised `error` did, and whether it is the unanswered placeholder."""
    if isinstance(error, NotImplementedError) and not str(error).strip():
        return ANSWER_FIRST, True
    if isinstance(error, SyntaxError):
        where = f" on line {error.lineno}" if error.lineno else ""
        reason = f" ({error.msg})" if error.msg else ""
        return f"failed with {type(error).__name__}{where}{reason}", False
    line = _cell_line(error.__traceback__)
    where = f" on line {line}" if line else ""
    if getattr(error, CAUSE_ATTRIBUTE, None):  # its own missing name has a cause: that one is said whole
        return f"failed{where} for want of `{error.name}`: {getattr(error, CAUSE_ATTRIBUTE)}", False
    if isinstance(error, KeyboardInterrupt):  # the stop button, or nbgrader's cell time limit
        return f"was interrupted{where} before it finished", False
    name, _, message = error_text(error).partition(": ")
    text = f"failed with {name}{where}" + (f": {message}" if message else "")
    return _shortened(text), False


def _cell_line(traceback):
    """The line of the cell's own code (its `<module>` frame, the first of the traceback) that raised."""
    while traceback is not None:
        if traceback.tb_frame.f_code.co_name == "<module>":
            return traceback.tb_lineno
        traceback = traceback.tb_next
    return None


def _shortened(text):
    return text if len(text) <= QUOTED_ERROR_CHARS else text[: QUOTED_ERROR_CHARS - 3] + "..."


def missing_name_cause(name, earlier, in_test):
    """Why `name` is not defined, in words, from the cells run before (`earlier`, in order); None if no cell explains it.

    The last cell that binds `name` is behind it when it failed (and nothing is when it ran through:
    the name was deleted, or bound only on a path not taken). Else the last unanswered placeholder
    that uses the name (its stub goes on to use what it should define). Else, in a test cell
    (`in_test`), whose names come from the answers above it, the last unanswered placeholder.
    """
    behind = cell_behind(name, earlier, in_test=in_test)
    if behind is None:
        return None
    if name in behind.defines:
        return f"the cell that defines it ({cell_prompt(behind.number)}) {behind.failure}"
    if behind.unanswered and behind.mentions(name):
        return f"the cell that should define it ({cell_prompt(behind.number)}) {ANSWER_FIRST}"
    return f"an answer cell above ({cell_prompt(behind.number)}) {behind.failure}"


# How `missing_name_cause` begins, after the ": " with which a student's kernel appends it to a NameError's message.
_APPENDED_CAUSE = re.compile(r": (?:the cell that defines it|the cell that should define it|an answer cell above) \(")


def without_cause(message):
    """`message` without the cause a student's kernel appended to a NameError: a page that names the cause in a line
    of its own says it once."""
    found = _APPENDED_CAUSE.search(message)
    return message[:found.start()] if found else message


def defined_names(source):
    """The names `source` binds at its top level; read line by line when it is not valid Python."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _names_in_lines(source)
    names = set()
    nodes = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue  # its body is a scope of its own
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias) and node.name != "*":
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        nodes.extend(ast.iter_child_nodes(node))
    return names


def _names_in_lines(source):
    """The names that lines starting at the left margin bind: `def`, `class`, imports and assignments."""
    names = set()
    for line in source.splitlines():
        if not line or line[0].isspace():
            continue
        if match := _DEFINITION.match(line):
            names.add(match[1])
        elif match := _IMPORT.match(line):
            names.update(part.split(" as ")[-1].strip().split(".")[0] for part in match[1].split(","))
        elif match := _FROM_IMPORT.match(line):
            names.update(part.split(" as ")[-1].strip() for part in match[1].split(","))
        elif (match := _ASSIGNMENT.match(line)) and _balanced(match[1]):
            names.update(_TARGET.findall(match[1]))
    return {name for name in names if re.fullmatch(_IDENTIFIER, name) and not keyword.iskeyword(name)}


def _balanced(text):
    """Are the brackets of `text` closed (`(a, b) = ...`), unlike a call's keyword argument (`f(a=1)`)?"""
    return text.count("(") == text.count(")") and text.count("[") == text.count("]")
