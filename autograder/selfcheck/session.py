"""Which notebook this kernel runs, as Jupyter told it.

jupyter_server starts a notebook's kernel with `JPY_SESSION_NAME` set to the notebook's path
(absolute, or relative to the server's root), and ipykernel copies it into the notebook's
namespace as `__session__`. A notebook renamed or moved since its kernel started is not found.
"""

import os
from pathlib import Path

from autograder.selfcheck.course import CheckError, identify, read_notebook


def notebook_path():
    """The path of the notebook this kernel runs, when Jupyter said and the file is there; else None."""
    session = _namespace().get("__session__") or os.environ.get("JPY_SESSION_NAME")
    if not session:
        return None
    path = Path(session)
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, Path.cwd() / path.name]
    return next((candidate for candidate in candidates if candidate.suffix == ".ipynb" and candidate.is_file()), None)


def _namespace():
    try:
        from IPython import get_ipython
    except ImportError:
        return {}
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def this_notebook(notebooks, folder):
    """The course notebook (of `notebooks`) that this kernel's notebook is a copy of, or None when unknown.

    Known from the notebook Jupyter names (`notebook_path`), else from the one course notebook
    whose file is in the kernel's `folder`.
    """
    path = notebook_path()
    if path is not None:
        same_name = [notebook for notebook in notebooks if notebook.filename == path.name]
        if len(same_name) == 1:
            return same_name[0]
        try:
            return identify(read_notebook(path), path, notebooks)[0]
        except CheckError:
            pass
    here = [notebook for notebook in notebooks if (Path(folder) / notebook.filename).is_file()]
    return here[0] if len(here) == 1 else None
