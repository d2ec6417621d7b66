"""Every check call in a test module, made the kernel's way and the grader's way, must say the same.

`kernel_and_grader(assignment)` is a pytest fixture factory: while a test runs, each check the
assignment declares (`GradedTest.checks`) is replaced in its module by a wrapper that

1. calls the check on the test's real objects while `autograder.evidence.recording()` keeps
   what it observed (what a student's kernel records during autograde), then
2. calls it again with `replaying(those observations)`, the student's objects replaced by
   `StudentValue`s that refuse any use (what the grader does in `autograder/grading/judge.py`),

asserts that both calls printed the same lines and passed or failed with the same words, and
returns or raises what the first call did. So every test of a check, passing or failing,
also shows that the grader reaches the kernel's verdict from the recorded data alone.

Which arguments are the student's: every positional argument but a list or tuple (the hidden
cases a test cell writes as literals); keyword arguments are the cell's own (`input_shape=...`).
A test that keeps checks in a list made at import calls them through `current(check)`.
"""

import contextlib
import functools
import io
import sys

import pytest

from autograder.evidence import recording, replaying
from autograder.grading.judge import StudentValue


def _outcome(call):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            return printed, call(), None
        except AssertionError as failure:
            return printed, None, failure


_INSIDE = []  # a check called by a check runs as part of its caller's observations


def _both_ways(check):
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        if _INSIDE:
            return check(*args, **kwargs)
        _INSIDE.append(check)
        try:
            return _run_both_ways(check, args, kwargs)
        finally:
            _INSIDE.pop()

    return wrapper


def _run_both_ways(check, args, kwargs):
    with recording() as entries:
        printed, result, failure = _outcome(lambda: check(*args, **kwargs))
    stand_ins = [arg if isinstance(arg, (list, tuple)) else StudentValue(f"argument {index}")
                 for index, arg in enumerate(args)]
    with replaying(entries):
        replayed, replayed_result, replayed_failure = _outcome(lambda: check(*stand_ins, **kwargs))
    assert replayed.getvalue() == printed.getvalue(), f"{check.__name__} printed differently when replayed"
    assert str(replayed_failure) == str(failure), f"{check.__name__} decided differently when replayed"
    print(printed.getvalue(), end="")
    if failure is not None:
        raise failure
    assert replayed_result == result or (result is None) == (replayed_result is None)
    return result


def current(check):
    """`check` as its module holds it now: lists built at import hold the functions the fixture has not wrapped."""
    return getattr(sys.modules[check.__module__], check.__name__, check)


def kernel_and_grader(assignment):
    """An autouse fixture for a test module: every check of `assignment`, run both ways (see the module)."""

    @pytest.fixture(autouse=True)
    def fixture(monkeypatch):
        for test in assignment.declared:
            for check in test.checks:
                module = __import__(check.__module__, fromlist=["_"])
                if getattr(module, check.__name__, None) is check:
                    monkeypatch.setattr(module, check.__name__, _both_ways(check))
        yield

    return fixture
