"""Assignment 4's references: the verdicts of its checks that need what only the grader may compute.

Each function takes the values the kernel observed and the inputs the check gave the student's
code, and raises `CheckFailure` when they differ from the reference. `../checks.py` calls them
where this folder is importable (a student's own `check()`, the grader); in autograde's sandbox
it is hidden, and the judge calls them.
"""

import numpy as np

from autograder import shared_checks as checks
from autograder.settings import FORWARD_PASS_RTOL


def check_scaled(got, images, what):
    """Are the observed values `got` of `my_function` on uint8 `images` those images divided by 255?"""
    expected = images.astype("float64") / 255
    hint = "divide by 255, the largest pixel value, after converting to float32."
    if got.shape == images.shape and np.array_equal(got, images):
        hint = "the values are not scaled: they still run from 0 to 255; divide them by 255."
    checks.check_close(got, expected, what, hint=hint)
    print(f"{what}: relative error {checks.relative_error(got, expected):.1e} (tolerance {FORWARD_PASS_RTOL:.0e})")
