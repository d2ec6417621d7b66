"""The environment variables every process of the course runs with, set in one place.

TensorFlow's C++ INFO and WARNING logs would reach stderr, and nbgrader scores a test cell that
writes to stderr 0 (errors are still shown); Keras runs on TensorFlow. Importing `autograder`
sets them in its process (`quiet_tensorflow`), before anything imports TensorFlow; every child
process the course starts (nbgrader, kernels, the grader's own processes) gets them through
`child_environment`. A value the user set already is kept.

Two start-up notices of TensorFlow's C++ side ignore those variables: absl's "All log messages
before absl::InitializeLog() is called are written to STDERR" and oneDNN's "oneDNN custom
operations are on". A Jupyter kernel shows whatever reaches its C-level stderr in the cell that
ran, so in a kernel `import autograder` imports TensorFlow once with that stderr held back
(`import_tensorflow_quietly`) and lets through every line but those INFO notices. oneDNN stays
on: turning it off (`TF_ENABLE_ONEDNN_OPTS=0`) silences it too, but trains about 2x slower here.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": "tensorflow"}


def quiet_tensorflow(environ=os.environ):
    """Set the course's TensorFlow variables in `environ` (this process's by default), keeping values already set."""
    for name, value in QUIET_TENSORFLOW.items():
        environ.setdefault(name, value)
    return environ


def child_environment(extra=None):
    """The environment of a process the course starts: this one's, quiet TensorFlow, this interpreter's scripts first
    on PATH (nbgrader runs `alembic`), then `extra`."""
    env = quiet_tensorflow(dict(os.environ))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return {**env, **(extra or {})}


# What TensorFlow writes to the C-level stderr when it loads, that no student needs: absl's notice before its log is
# set up, and INFO lines (absl's format: I, month and day, time, thread, file:line]), oneDNN's among them.
START_UP_NOTICE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*)$"
)


def import_tensorflow_quietly():
    """Import TensorFlow with its C-level stderr held back; pass on every line of it but the start-up notices.

    Returns the lines passed on. Does nothing (returns []) once TensorFlow is imported.
    """
    if "tensorflow" in sys.modules:
        return []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().decode(errors="replace").splitlines()
    passed = [line for line in lines if not START_UP_NOTICE.match(line)]
    if passed:
        os.write(2, ("\n".join(passed) + "\n").encode())
    return passed
