"""How a failed check shows in a notebook cell: its message and hint first, and no traceback into the grader.

IPython shows an exception through its `_render_traceback_()` method when it has one
(`InteractiveShell.showtraceback`); `CheckFailure` has one, which returns `check_failure_lines` once the kernel's watch installed it
(autograder/kernel/watch.py).
The kernel sends those lines as the error output's `traceback` (what JupyterLab shows and
nbgrader records); its `ename` and `evalue` stay the exception's name and text.

When the check wraps an error that the student's own code raised (`raise CheckFailure(...)
from error`, or raised while handling it), the lines end with that error's traceback cut down
to the student's frames: notebook cells and the student's own files, never the checks of
`autograder/` nor the libraries (Keras, NumPy) between them; a `NameError` there names the earlier
cell that failed to define its name, as a cell's own does (autograder/kernel/watch.py).
"""

import os
import sysconfig
import traceback
from types import TracebackType

from autograder.errors import CheckFailure, message_lines

# The `autograder` package: its code is the grader's, never the student's.
PACKAGE_FOLDER = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

RED, BOLD, RESET = "\x1b[1;31m", "\x1b[1m", "\x1b[0m"
WHERE_YOUR_CODE_RAISED = "Where your code raised it:"


def check_failure_lines(failure, explain_missing_name=None):
    """The lines a notebook shows for `failure`: `CheckFailure: message`, the hint, then the student's frames if any.

    `explain_missing_name(error)` adds its cause to a `NameError` the student's code raised (the kernel's watch).
    """
    lines = message_lines(failure, name=f"{RED}{type(failure).__name__}{RESET}", hint=f"{BOLD}Hint:{RESET}")
    error = failure.__cause__ or failure.__context__
    if error is None or isinstance(error, CheckFailure):
        return lines
    try:
        if explain_missing_name is not None:
            explain_missing_name(error)  # a name the student's code misses: the cell that failed to define it
        frames = students_frames(error.__traceback__)
        return lines if frames is None else [*lines, "", WHERE_YOUR_CODE_RAISED, *formatted_traceback(error, frames)]
    except Exception:  # IPython would print its own failure to stderr, which scores a test cell 0: keep the message
        return lines


def students_frames(tb):
    """`tb` cut down to the frames of the student's code, as a traceback; None when it has none."""
    kept = []
    while tb is not None:
        if is_students(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    chain = None
    for entry in reversed(kept):
        chain = TracebackType(chain, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return chain


def is_students(filename):
    """Is code from `filename` the student's: a notebook cell, or a file of theirs outside the grader and the libraries?"""
    if _is_cell(filename):
        return True
    if filename.startswith("<"):  # frozen modules, code run with exec(), the tests `check("id")` runs
        return False
    path = os.path.realpath(filename)
    return not any(path == folder or path.startswith(folder + os.sep) for folder in _not_students())


def _is_cell(filename):
    """Is `filename` the name IPython gave a cell's code (a traceback shows it as "Cell In[5]")?"""
    compiler = getattr(_shell(), "compile", None)
    return hasattr(compiler, "format_code_name") and compiler.format_code_name(filename) is not None


def _not_students():
    """The folders whose code is not the student's: the `autograder` package and Python's libraries."""
    folders = {PACKAGE_FOLDER}
    for scheme in ("stdlib", "platstdlib", "purelib", "platlib"):
        folders.add(os.path.realpath(sysconfig.get_paths()[scheme]))
    return folders


def formatted_traceback(error, frames):
    """The traceback of `error` through `frames`, as IPython formats one in this kernel (plain Python's elsewhere)."""
    shell = _shell()
    if shell is not None:
        return shell.InteractiveTB.structured_traceback(type(error), error, frames, tb_offset=0)
    return [line.rstrip("\n") for line in traceback.format_exception(type(error), error, frames)]


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
