"""Every check call in a test module, made the kernel's way and the grader's way, must say the same.

`kernel_and_grader(assignment)` is a pytest fixture factory: while a test runs, each check the
assignment declares (`GradedTest.checks`) is replaced in its module by a wrapper that

1. calls the check on the test's real objects as the student's kernel does in autograde's
   sandbox: the grader's side hidden (every kernel-side module's `references` None), while
   `autograder.evidence.recording()` keeps what it observed; then
2. calls it again with `replaying(those observations)`, the student's objects replaced by
   `StudentValue`s that refuse any use, with the grader's references (what the grader does in
   `autograder/grading/judge.py`),

asserts that a failure of the first call (a decision the kernel's side takes on its own) has the
grader's words, and prints, returns or raises the grader's verdict. So every test of a check,
passing or failing, is a test of the verdict the grader reaches from what a kernel without the
references records. (A student's own `check()` runs the same code with the references in its
kernel, observing directly: tests/test_notebook_check.py.)

Which arguments are the student's: every positional argument but a list or tuple (the hidden
cases a test cell writes as literals); keyword arguments are the cell's own (`input_shape=...`).
A test that keeps checks in a list made at import calls them through `current(check)`.
"""

import contextlib
import fnmatch
import functools
import io
import sys
import types

import pytest

from autograder.evidence import recording, replaying
from autograder.grading.judge import StudentValue
from autograder.grading.stages.sandboxed_execute import GRADER_SIDE


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


# Module name patterns of the grader's side: what the sandbox hides from the kernel (tests/test_layers.py holds them to
# the kernel-side import contract).
GRADER_SIDE_MODULES = ["autograder." + pattern.removesuffix(".py").replace("/", ".") for pattern in GRADER_SIDE]


def _grader_side(name):
    return any(fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(name, pattern + ".*")
               for pattern in GRADER_SIDE_MODULES)


@contextlib.contextmanager
def _grader_side_hidden():
    """Within the block, every kernel-side module finds the grader's side hidden, as in autograde's sandbox.

    The kernel side holds the grader's side only in module attributes set by its one guarded import
    (`references = hidden_grader_side(...)` when hidden): each such attribute is None in the block.
    """
    saved = []
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("autograder.") and not _grader_side(module_name):
            for name, value in list(vars(module).items()):
                if isinstance(value, types.ModuleType) and _grader_side(value.__name__):
                    saved.append((module, name, value))
                    setattr(module, name, None)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _run_both_ways(check, args, kwargs):
    with _grader_side_hidden(), recording() as entries:
        _, result, kernel_failure = _outcome(lambda: check(*args, **kwargs))
    stand_ins = [arg if isinstance(arg, (list, tuple)) else StudentValue(f"argument {index}")
                 for index, arg in enumerate(args)]
    with replaying(entries):
        printed, replayed_result, failure = _outcome(lambda: check(*stand_ins, **kwargs))
    assert kernel_failure is None or str(kernel_failure) == str(failure), (
        f"{check.__name__} failed in a kernel without the references with other words than the grader's"
    )
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
