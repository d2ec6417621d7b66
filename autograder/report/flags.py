"""Submissions that reach for the grader's internals, listed for the instructor to look at.

A plain scan of the code a student wrote (every code cell but the tests, which nbgrader
restores): private names of `autograder`, patches to Keras, TensorFlow, NumPy or the course's
modules, `sys.modules`, training through `keras.Model.fit` on the class (a twin of the model the
budget counts), IPython's output machinery, and the files the grader reads. It flags;
it never changes a grade (the sandbox and the grader already decide those).
"""

import functools
import re
from dataclasses import dataclass

from autograder.cells import grade_id_of, is_test
from autograder.evidence import EVIDENCE_FOLDER
from autograder.failures import read_notebook

_MODULES = r"(?:keras|tf|tensorflow|np|numpy|autograder|layers|ops|builtins)"


@dataclass(frozen=True)
class Rule:
    what: str  # what a matching line does, in words
    pattern: re.Pattern


@functools.cache
def rules_for(assignment):
    """The rules for `assignment`: the general ones, and the files its grading writes and reads (its tests' artifacts,
    its hooks' files: assignment 3's training plans)."""
    files = ["gradebook.db", "nbgrader_config.py", EVIDENCE_FOLDER, *assignment.grading_files]
    return (
        Rule("uses a private name of the grader", re.compile(
            r"\bautograder(?:\.\w+)*\._\w+|from\s+autograder[\w.]*\s+import\s+[^#\n]*\b_[A-Za-z]\w*")),
        Rule("patches Keras, TensorFlow, NumPy or the course's modules", re.compile(
            rf"^\s*{_MODULES}(?:\.\w+)+\s*(?:[-+*/]?=)(?!=)|\bsetattr\((?!\s*self\b)")),
        Rule("replaces modules in sys.modules", re.compile(r"\bsys\.modules\b")),
        Rule("trains through Keras's class, around the model's own fit", re.compile(
            r"\b(?:keras\.)?(?:models\.)?Model\.(?:fit|train_on_batch)\s*\(")),
        Rule("reaches into IPython's outputs", re.compile(
            r"\bsys\.displayhook\b|\bdisplay_pub\b|\bdisplayhook\b|\bIPython\.core\b")),
        Rule("runs code of its own on every cell", re.compile(
            r"\bevents\.register\s*\(|\binput_transformers_\w+|\bast_transformers\b|\baddaudithook\b")),
        # A file name, not the end of a longer name (`.training` in `tune_training.training` is a module).
        Rule("names a file the grader reads", re.compile("|".join(rf"(?<![\w.]){re.escape(name)}" for name in files))),
    )


@dataclass(frozen=True)
class Flag:
    """One line of one submission that a rule matched."""

    student_id: str
    what: str
    cell: int  # 1-based position among the notebook's cells
    line: str


def flags_of(student_id, path, assignment):
    """The `Flag`s of the submitted notebook at `path` (none for a notebook that cannot be read)."""
    try:
        notebook = read_notebook(path)
    except (OSError, ValueError):
        return []
    rules = rules_for(assignment)
    found = []
    for position, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code" or _is_test(cell, assignment):
            continue
        source = cell.get("source", "")
        for line in ("".join(source) if isinstance(source, list) else source).splitlines():
            for rule in rules:
                if rule.pattern.search(line):
                    found.append(Flag(student_id, rule.what, position, line.strip()[:200]))
                    break
    return found


def _is_test(cell, assignment):
    return is_test(cell) and assignment.test(grade_id_of(cell)) is not None
