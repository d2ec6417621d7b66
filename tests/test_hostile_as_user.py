"""The hostile batch of tests/test_hostile.py graded by an ordinary user: the sandbox holds without root.

The same honest students, the attacks whose defence works otherwise without root (`Hostile.differs_without_root`:
the others are stopped the same way whoever grades), the same limits and checks, but `nbgrader
autograde` runs as `tests.accounts.GRADER`, an account with no privilege, on a course folder of
its own: every sandbox is then made in user namespaces, with rlimits and the watcher for its
limits (autograder/isolation/watched_limits.py). Each attack must be stopped with the same
reason as under root, or with `Hostile.as_user` where the same defence says it in other words.
"""

import pytest

from autograder.grading.nbgrader_commands import copy_course
from tests.accounts import GRADER, account, give, home_of, nbgrader_as, remove
from tests.hostile import HOSTILE
from tests.test_hostile import (  # noqa: F401 (the tests, collected here with this module's `batch`)
    grade_hostile_batch,
    test_an_attack_costs_only_the_attacker,
    test_no_grade_was_set_by_hand,
    test_the_feedback_of_every_student_was_written,
    test_what_a_notebook_made_in_its_folder_stays_in_its_sandbox,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch():
    user = account(GRADER)
    home = home_of(user)
    course = copy_course(home / "course")
    give(home, user)
    try:
        yield grade_hostile_batch(course, nbgrader_as(user, home), sandbox_user=GRADER,
                                  attacks=tuple(hostile for hostile in HOSTILE if hostile.differs_without_root))
    finally:
        remove(home)
