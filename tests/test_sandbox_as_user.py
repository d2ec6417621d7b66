"""tests/test_sandbox.py run again by an ordinary user: every property of the sandbox holds without root.

The same tests, in a pytest of their own run as `tests.accounts.SANDBOX_TESTER` (an account with no
privilege): its sandboxes are made in user namespaces, with rlimits and the watcher for their
limits (autograder/isolation/watched_limits.py) instead of root's cgroups.
"""

import sys

import pytest

from autograder.settings import COURSE_ROOT
from tests.accounts import SANDBOX_TESTER, account, home_of, remove, run_as

pytestmark = pytest.mark.slow


def test_every_property_of_the_sandbox_holds_for_an_ordinary_user():
    user = account(SANDBOX_TESTER)
    home = home_of(user)
    try:
        ran = run_as(user, home, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                                  f"--basetemp={home / 'pytest'}", "tests/test_sandbox.py"], cwd=COURSE_ROOT, timeout=900)
    finally:
        remove(home)
    summary = ran.stdout.strip().splitlines()[-1] if ran.stdout.strip() else ran.stderr[-2000:]
    assert ran.returncode == 0 and " passed" in summary and "failed" not in summary, ran.stdout[-6000:]
