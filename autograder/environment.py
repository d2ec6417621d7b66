"""The environment variables every process of the course runs with, set in one place.

TensorFlow's C++ INFO and WARNING logs would reach stderr, and nbgrader scores a test cell that
writes to stderr 0 (errors are still shown); Keras runs on TensorFlow. Importing `autograder`
sets them in its process (`quiet_tensorflow`), before anything imports TensorFlow; every child
process the course starts (nbgrader, kernels, the grader's own processes) gets them through
`child_environment`. A value the user set already is kept.
"""

import os
import sys
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
