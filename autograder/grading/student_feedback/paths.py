"""Instructor paths kept out of what a student reads: the course folder, the grader's Python and home, the checks.

A traceback of the student's own code keeps its frames in the student's cells and in libraries
(`keras/src/layers/layer.py`, relative to where Python keeps them); frames in the course's
`autograder` package are dropped, and any other mention of a file of it is named in words.
"""

import re
import sys
import sysconfig
from pathlib import Path

from autograder.errors import strip_ansi
from autograder.settings import COURSE_ROOT

PACKAGE = Path(__file__).resolve().parent.parent.parent
# What a path inside the `autograder` package reads as.
COURSE_CODE = "(the course's code)"


def _python_folders():
    """The folders Python imports from (the environment's and the interpreter's libraries)."""
    paths = sysconfig.get_paths()
    return {paths[name] for name in ("purelib", "platlib", "stdlib", "platstdlib") if paths.get(name)}


def replacements(folder, course_root):
    """[(path, what it reads as)], the longest path first, for a notebook graded in `folder` of `course_root`.

    The student's own folder reads as `.`; libraries as paths relative to where Python keeps them.
    """
    pairs = {f"{path}/": "" for path in _python_folders()}
    for path in {Path(folder).absolute(), Path(folder).resolve()}:
        pairs.update({f"{path}/": "", str(path): "."})
    for path in {Path(course_root).absolute(), Path(course_root).resolve(), COURSE_ROOT}:
        pairs[str(path)] = "(the course folder)"
    pairs.update({sys.prefix: "(python)", sys.base_prefix: "(python)", str(Path.home()): "~"})
    return sorted(((path, text) for path, text in pairs.items() if len(path) > 1), key=lambda pair: -len(pair[0]))


_IN_PACKAGE = re.compile(re.escape(str(PACKAGE)) + r"/[^\s'\"<>:,)]*")
# Any library folder, wherever the kernel's Python lives and however IPython wrote it (it writes a path
# under the kernel's home as `~/...`): `~/ci/.venv/lib/python3.11/site-packages/keras/...` reads `keras/...`.
_LIBRARY_FOLDER = re.compile(r"(?:~|/)[^\s'\"<>:,()]*?/(?:site|dist)-packages/")


def hide_paths(text, pairs):
    """`text` with every path of `pairs` (from `replacements`) and every file of the `autograder` package replaced."""
    text = _IN_PACKAGE.sub(COURSE_CODE, text)
    for path, replacement in pairs:
        text = text.replace(path, replacement)
    return _LIBRARY_FOLDER.sub("", text)


def is_course_frame(entry):
    """Is this entry of an IPython traceback a frame in the `autograder` package?"""
    return strip_ansi(entry).lstrip().startswith(f"File {PACKAGE}/")


def hide_paths_in_outputs(cell, pairs):
    """Rewrite the text outputs of `cell` in place: no instructor path, no traceback frame in the course's code."""
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            output.text = hide_paths(output.text, pairs)
        elif output.output_type == "error":
            output.evalue = hide_paths(output.evalue, pairs)
            output.traceback = [hide_paths(entry, pairs) for entry in output.traceback if not is_course_frame(entry)]
        elif output.output_type in ("execute_result", "display_data"):
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/") and isinstance(value, str):
                    output.data[kind] = hide_paths(value, pairs)
