"""Checks, data and command-line tools for the autograded Keras course.

Importing the package before `keras` keeps TensorFlow's C++ INFO and WARNING logs, and its
start-up notices in a kernel, out of the notebook (`autograder.environment`): nbgrader scores a
test cell 0 when it writes to stderr. Errors are still reported.

In a Jupyter kernel, importing it also makes failures say what to do: a missing name names the
earlier cell that failed to define it, and a test cell that passes says so
(autograder/kernel/watch.py). Nothing inside the package imports this module: it is the
student's entry point (`from autograder import check`), the top of the layers.
"""

import sys

from autograder.environment import quiet_tensorflow

quiet_tensorflow()

__version__ = "0.1.0"


def check(grade_id=None):
    """Check the notebook from the notebook, as the autograder would; print the result and what to fix.

    `check("id")` runs the test `id` on what the kernel holds now; `check()` grades the notebook
    as last saved, every test, and prints the points so far. While nbgrader runs the notebook it
    does nothing: the test cells are graded (and the self-check is not in the sandbox).
    """
    import os

    if os.environ.get("NBGRADER_EXECUTION"):
        call = "check()" if grade_id is None else f"check({grade_id!r})"
        print(f"{call} does nothing while nbgrader runs the notebook: the test cells are graded.")
        return
    from autograder.selfcheck.notebook import check as run

    run(grade_id)


if "IPython" in sys.modules:  # a kernel has it loaded already; plain Python never imports it for this
    from autograder.environment import import_tensorflow_quietly
    from autograder.kernel.watch import watch_this_kernel

    import_tensorflow_quietly()  # the cell shows no start-up notice of TensorFlow (autograder/environment.py)
    watch_this_kernel()
