"""The expensive grading runs of a test session, recorded so the session can say what ran and how long it took.

Each real nbgrader run (a class autograded, a notebook checked) is made once per session by a
shared fixture and recorded here; `conftest.py` prints the list at the end of the session.
"""

import contextlib
import time

RUNS = []


def record(what, seconds):
    RUNS.append((what, seconds))


@contextlib.contextmanager
def timed(what):
    """Record the time the block takes as the grading run `what`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        record(what, time.perf_counter() - started)


def summary_lines():
    """One line per grading run, in the order they ended (runs made at the same time overlap)."""
    return [f"{seconds:8.1f} s  {what}" for what, seconds in RUNS]
