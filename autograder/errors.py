"""The one failure type of every check."""

import re


class CheckFailure(AssertionError):
    """A check that failed, with what was expected, what was found and a hint.

    It is an `AssertionError`, so nbgrader counts it as a failed test. A notebook shows it as its
    message and hint, without the traceback into the grader's code (`_render_traceback_`).
    """

    def __init__(self, what, expected=None, got=None, hint=None):
        self.what = what
        self.expected = expected
        self.got = got
        self.hint = hint
        message = what
        if expected is not None or got is not None:
            message += f": expected {expected}, got {got}"
        if not message.endswith((".", "!", "?")):
            message += "."
        if hint:
            message += f"\nHint: {hint}"
        super().__init__(message)

    def _render_traceback_(self):
        """The lines IPython shows for this failure instead of a traceback (autograder/kernel/tracebacks.py)."""
        return _RENDERER(self)


def message_lines(failure, name=None, hint="Hint:"):
    """`Name: message` then the hint's lines, as a notebook shows a failed check without a traceback."""
    first, *rest = str(failure).splitlines() or [""]
    lines = [f"{name or type(failure).__name__}: {first}"]
    return lines + [f"{hint}{line[len('Hint:'):]}" if line.startswith("Hint:") else line for line in rest]


# What `CheckFailure._render_traceback_` returns: its message lines, until the kernel's watch
# (autograder/kernel/watch.py) installs the renderer that adds the student's own frames.
_RENDERER = message_lines


def set_traceback_renderer(render):
    """Make IPython show every `CheckFailure` as `render(failure)` returns it (a list of lines)."""
    global _RENDERER
    _RENDERER = render


_ANSI_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


def strip_ansi(text):
    """`text` without terminal colour codes (Keras prints some words in bold)."""
    return _ANSI_ESCAPES.sub("", text)


def error_text(error):
    """`Name: first line` of an exception, skipping Keras's "Exception encountered when calling ..." preamble.

    Terminal colour codes (Keras prints some words in bold) are removed.
    """
    return error_summary(type(error).__name__, str(error), isinstance(error, NotImplementedError))


# What a check's message says of an answer's function that still raises the student version's placeholder.
PLACEHOLDER_STILL_THERE = "the `raise NotImplementedError()` placeholder is still there"


def error_summary(name, message, not_implemented=False):
    """`name: first line of message`, as `error_text`, for an error known by its name and message only.

    An empty `NotImplementedError` is the placeholder of nbgrader's student version, and is called so.
    """
    text = strip_ansi(message)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("Exception encountered") and len(lines) > 1:
        lines = lines[1:]
    if not_implemented and not lines:
        return f"{name} ({PLACEHOLDER_STILL_THERE})"
    return f"{name}: {lines[0]}" if lines else name
