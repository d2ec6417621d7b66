"""A fresh Python process for the grader's own work on a student's files: measuring or training their model.

`with clean_process() as (folder, run):` gives an empty folder and `run(["module", *args], timeout)`,
which starts `python -I -m module *args` in that folder and returns its `CompletedProcess`. The
process is new for every call, with `-I` so nothing in the student's folder or environment is
imported: whatever a notebook did to `keras`, `numpy` or `autograder` in its own kernel cannot
reach it. During grading (`SANDBOX_LIMITS` set by the course's `Execute`) it runs in a sandbox of
its own around the folder, whose files come back to the folder when it ends.
"""

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from autograder.grading.sandbox import SANDBOX_LIMITS, Sandbox


@contextmanager
def clean_process(train_split_only=False):
    """An empty folder and a function running a module of the course in a fresh process there.

    `train_split_only`: inside a sandbox, MNIST holds the training split only. `run` raises
    `TimeoutError` when the process runs longer than its `timeout` (seconds).
    """
    limits = SANDBOX_LIMITS.get()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    with tempfile.TemporaryDirectory(prefix="keras-course-clean-") as folder:
        folder = Path(folder)

        def run(module_and_arguments, timeout):
            command = [sys.executable, "-I", "-m", *module_and_arguments]
            try:
                if limits is None:
                    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
                with Sandbox(folder, limits, train_split_only=train_split_only) as sandbox:
                    return subprocess.run(sandbox.command(command), env=env, capture_output=True, text=True,
                                          timeout=timeout)
            except subprocess.TimeoutExpired:
                raise TimeoutError(f"{module_and_arguments[0]} ran longer than {timeout} s") from None

        yield folder, run
