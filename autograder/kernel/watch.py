"""What importing `autograder` adds to the student's IPython kernel (every notebook's setup cell imports it first).

- A cell that fails with `NameError` for a name that an earlier cell failed to define says which
  cell and why (autograder/causes.py): "name 'SimpleNet' is not defined: the cell that
  defines it (In [8]) failed with SyntaxError on line 2 (expected ':')" (autograder/causes.py). The error stays a
  `NameError` (nbgrader and the course read its name); only its message grows. It goes through
  IPython's own custom exception handler, so `nbgrader autograde` records the same message.
- A test cell (it starts with `# Test "ID" (N points)`, `header_line` in autograder/cells.py)
  that runs through prints one line saying it passed, on stdout: nbgrader scores a test cell from
  its errors, its stderr and a number as its result, and this adds none of them.

A cell that does not fail costs two calls that each store one reference; nothing is written to stderr.
"""

import re

from autograder.causes import CAUSE_ATTRIBUTE, CellRun, failure_of, missing_name_cause
from autograder.cells import HIDDEN_TESTS_MARKER, TEST_HEADER, hidden_tests_follow
from autograder.errors import set_traceback_renderer
from autograder.kernel.tracebacks import check_failure_lines

# A visible test cell names what it leaves to hidden tests in its question ("(more cases are hidden)");
# under `nbgrader autograde` the cell holds them, after the line of HIDDEN_TESTS_MARKER (autograder/cells.py).
HIDDEN_REMARK = re.compile(r"\bhidden\b")
_NOT_DEFINED = re.compile(r"name '(\w+)' is not defined")

_WATCH = None


class KernelWatch:
    """The cells this kernel ran (`CellRun`s, in order) and the source of the one it runs."""

    def __init__(self):
        self.cells = []
        self.running = ""

    def before_cell(self, info):
        """IPython's `pre_run_cell` event."""
        self.running = info.raw_cell or ""

    def after_cell(self, result):
        """IPython's `post_run_cell` event: record the cell; say that a test cell passed.

        Nothing may escape: IPython would show it as an error of the cell, which scores a test cell 0.
        """
        try:
            error = result.error_before_exec or result.error_in_exec
            source = getattr(result.info, "transformed_cell", None) or result.info.raw_cell or ""
            if error is None:
                self.cells.append(CellRun(result.execution_count, source))
                if result.result is None and (line := passed_line(result.info.raw_cell or "")):
                    print(line)
            else:
                self.cells.append(CellRun(result.execution_count, source, *failure_of(error)))
        except Exception:  # a cell the watch cannot read is left out of the explanations
            pass

    def explain(self, error, in_test=None):
        """Add to a `NameError`'s message the earlier cell that failed to define its name, if one did."""
        if type(error) is not NameError or getattr(error, CAUSE_ATTRIBUTE, None):
            return
        text = str(error)
        if not getattr(error, "name", None) and (match := _NOT_DEFINED.search(text)):
            error.name = match[1]
        if in_test is None:
            in_test = TEST_HEADER.match(self.running) is not None
        cause = missing_name_cause(error.name, self.cells, in_test) if error.name else None
        if cause:
            error.args = (f"{text}: {cause}",)
            setattr(error, CAUSE_ATTRIBUTE, cause)

    def failure_lines(self, failure):
        """The lines this kernel shows for a failed check: a missing name in the student's frames says its cause."""
        return check_failure_lines(failure, explain_missing_name=lambda error: self.explain(error, in_test=False))

    def show_name_error(self, shell, etype, value, tb, tb_offset=None):
        """IPython's custom exception handler for `NameError`: the message with its cause, then IPython's traceback."""
        try:
            self.explain(value)
        except Exception:  # the error is shown as it is, rather than not at all
            pass
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def passed_line(source):
    """`✔ Test "ID" passed (N points)` for a test cell's source, or None for another cell, and for the part of a test
    cell that runs before its hidden tests (autograde's `SandboxedExecute`): whether it passed is said after them."""
    match = TEST_HEADER.match(source)
    if match is None or hidden_tests_follow(source):
        return None
    line = f'✔ Test "{match["grade_id"]}" passed ({match["points"]}'
    if HIDDEN_TESTS_MARKER not in source and HIDDEN_REMARK.search(source):
        line += "; the autograder also runs hidden cases"
    return line + ")"


def watch_this_kernel():
    """Install the watch in the IPython shell running this code, once; None outside IPython.

    The `NameError` handler is left out when something else already set IPython's custom exceptions.
    """
    global _WATCH
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None:
        return None
    if _WATCH is None:
        _WATCH = KernelWatch()
        shell.events.register("pre_run_cell", _WATCH.before_cell)
        shell.events.register("post_run_cell", _WATCH.after_cell)
        set_traceback_renderer(_WATCH.failure_lines)
        if not shell.custom_exceptions:
            shell.set_custom_exc((NameError,), _WATCH.show_name_error)
    return _WATCH


def explain_missing_name(error, in_test=None):
    """Add its cause to a `NameError` raised in this kernel (as a cell's own would show); nothing outside IPython."""
    if _WATCH is not None:
        _WATCH.explain(error, in_test)
