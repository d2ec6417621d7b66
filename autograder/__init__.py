"""Checks, data and command-line tools for the autograded Keras course.

Importing the package before `keras` keeps TensorFlow's C++ INFO and WARNING logs
out of the notebook: nbgrader scores a test cell 0 when it writes to stderr.
Errors are still reported.

In a Jupyter kernel, importing it also makes failures say what to do: a missing name names the
earlier cell that failed to define it, and a test cell that passes says so
(autograder/check/kernel.py).
"""

import importlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"

# Loading a subpackage binds its name in this package: `autograder.check` is loaded first, so that
# the function below is what `from autograder import check` gives, however often it is called.
importlib.import_module(f"{__name__}.check")


def check(grade_id=None):
    """Check the notebook from the notebook, as the autograder would; print the result and what to fix.

    `check("id")` runs the test `id` on what the kernel holds now; `check()` grades the notebook
    as last saved, every test, and prints the points so far.
    """
    from autograder.check.notebook import check as run

    run(grade_id)


if "IPython" in sys.modules:  # a kernel has it loaded already; plain Python never imports it for this
    from autograder.check.kernel import watch_this_kernel

    watch_this_kernel()
