"""A fresh Python process for the grader's own work on a student's files: measuring or training their model.

`with clean_process() as (folder, run):` gives an empty folder and `run(["module", *args], timeout)`,
which runs `module` as `python -I -m module *args` would, in that folder, and returns its
`CompletedProcess`. The process is new for every call, with `-I` so nothing in the student's
folder or environment is imported: whatever a notebook did to `keras`, `numpy` or `autograder`
in its own kernel cannot reach it; its `autograder` is the one this process imported (the one a
sandbox binds). Given the sandbox's limits (during grading, those of the notebook's own sandbox)
it runs in a sandbox of its own around the folder, and the files `keep` names come back to the
folder when it ends.
"""

import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from autograder.environment import child_environment
from autograder.isolation.sandbox import PACKAGE_FOLDER, Sandbox

# `python -I -m MODULE` with the folder holding this `autograder` package first on sys.path (-I ignores PYTHONPATH).
RUN_MODULE = "import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)"


@contextmanager
def clean_process(limits=None, train_split_only=False, keep=()):
    """An empty folder and a function running a module of the course in a fresh process there.

    `limits` (`Limits`): run each process in a sandbox with them; None runs it unsandboxed (a
    student's own check). `train_split_only`: inside a sandbox, MNIST holds the training split
    only; `keep`: the files that come back from it (`Sandbox`'s patterns). `run` raises
    `TimeoutError` when the process runs longer than its `timeout` (seconds).
    """
    env = {key: value for key, value in child_environment().items() if not key.startswith("PYTHON")}
    with tempfile.TemporaryDirectory(prefix="keras-course-clean-") as folder:
        folder = Path(folder)

        def run(module_and_arguments, timeout):
            command = [sys.executable, "-I", "-c", RUN_MODULE, str(PACKAGE_FOLDER.parent), *module_and_arguments]
            try:
                if limits is None:
                    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
                with Sandbox(folder, limits, train_split_only=train_split_only, keep=keep) as sandbox:
                    return subprocess.run(sandbox.command(command), env=env, capture_output=True, text=True,
                                          timeout=timeout)
            except subprocess.TimeoutExpired:
                raise TimeoutError(f"{module_and_arguments[0]} ran longer than {timeout} s") from None

        yield folder, run
