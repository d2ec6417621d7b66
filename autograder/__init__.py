"""Checks, data and command-line tools for the autograded Keras course.

Importing the package before `keras` keeps TensorFlow's C++ INFO and WARNING logs
out of the notebook: nbgrader scores a test cell 0 when it writes to stderr.
Errors are still reported.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"


def check(grade_id):
    """Check one answer from the notebook: run the test `grade_id` as the autograder does, print result and hint."""
    from autograder.check.notebook import check as run

    run(grade_id)
