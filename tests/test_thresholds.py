"""Every correct answer clears the accuracy thresholds of assignments 1 and 2, and every wrong one stays below.

Each variant of tests/accuracy_variants.py is trained once, by the notebook's own training cell on
the course's seed, and measured on MNIST's test split: the known correct answers (which set the
thresholds), the held-out ones (written afterwards, in other styles) and the wrong ones. The
sweep over 10 seeds that set the thresholds, with its margins, is `make benchmark-thresholds`.
"""

import pytest

from autograder.settings import SEED
from tests.accuracy_variants import WRONG, passes, variants

pytestmark = pytest.mark.slow

# The reference of each assignment is trained by the notebooks' own tests and by the graded class.
VARIANTS = [variant for variant in variants() if variant.name != "reference"]


@pytest.mark.parametrize("variant", VARIANTS, ids=[f"{variant.assignment}-{variant.name}" for variant in VARIANTS])
def test_a_correct_answer_passes_the_threshold_and_a_wrong_one_fails_it(variant):
    measured = variant.trained_accuracy(SEED)
    assert passes(variant, measured) == (variant.kind != WRONG), f"{variant.name} ({variant.kind}): {measured:.2%}"
