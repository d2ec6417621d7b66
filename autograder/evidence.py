"""What a check learns from the student's code: recorded in the kernel, replayed by the grader.

A check touches the student's objects only through `observe(label, probe)`: `probe()` calls the
student's code and returns plain data (numbers, strings, shapes, NumPy arrays, in lists, tuples
and dicts), or raises `CheckFailure`. Everything else a check does (references, comparisons,
tolerances, messages) works on that data alone.

In the student's kernel during `nbgrader autograde`, each observation is written, as data, to
`EVIDENCE_FOLDER` next to the notebook, one file per executed cell. After the kernel is done,
the grader runs the test cell's code again in its own process with `replaying(records)`: each
`observe` returns what the kernel recorded (or raises the failure it recorded) instead of
calling the probe, so the grader's clean checks, NumPy and Keras decide the points
(`autograder/grading/judge.py`). Replacing a check, a helper, a module, Keras or NumPy in the
kernel changes only what the kernel shows; a missing or different observation fails the test.

Outside autograde (`pytest`, a student's own run), `observe` just calls the probe. Either way
the check sees the data after a round trip through the record format, so the kernel and the
grader follow exactly the same path and say the same words.
"""

import base64
import contextlib
import contextvars
import json
import os
from pathlib import Path

import numpy as np

from autograder.bounded_json import JsonBounds, OutOfBounds, read_json_lines
from autograder.errors import CheckFailure
from autograder.settings import SEED

EVIDENCE_FOLDER = ".evidence"
# The record of one cell is untrusted input for the grader, parsed only within these bounds. Measured on the reference
# solutions (each notebook of source/ run by a kernel with NBGRADER_EXECUTION=autograde), the largest record is
# weight_plot's, 0.66 MiB (the first Dense kernel, 784 x 128, and 25 of its columns drawn); no record holds more than
# 315 values or nests them more than 10 deep (cnn_layers' table of layers). The widest first layer a student may try,
# 1,000 units with every one drawn, records 8 MiB in 9,000 values: the bounds keep twice that size, eleven times those
# values and three times the deepest nesting. The costliest record within them, a kernel of 16 MiB of bytes that the
# check widens to float64, costs the judge some 210 MiB more than that honest record; 64 MiB of empty objects, 1.6 GB
# when only the size was bounded, now cost nothing (tests/test_evidence.py measures them).
CELL_EVIDENCE_BOUNDS = JsonBounds(max_bytes=16 * 2**20, max_values=100_000, max_depth=32)
_NUMERIC_KINDS = "biuf"


class MissingEvidence(CheckFailure):
    """The grader found no observation, or a different one, where the check needs one."""


# Encoding: JSON, with tuples, arrays and NumPy scalars tagged so they come back as they were.

def encode(value):
    """`value` (plain data) as JSON-ready data; anything else raises TypeError."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if np.isfinite(number) else {"float": repr(number)}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"an observation holds an array of dtype {value.dtype}")
        data = np.ascontiguousarray(value)
        return {"array": data.dtype.str, "shape": list(data.shape), "bytes": base64.b64encode(data.tobytes()).decode()}
    if isinstance(value, tuple):
        return {"tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("an observation holds a dict with keys that are not strings")
        return {"dict": {key: encode(item) for key, item in value.items()}}
    raise TypeError(f"an observation holds a {type(value).__name__}, not plain data")


def decode(data):
    """The value `encode` turned into `data`; raises ValueError on anything `encode` does not write."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item) for item in data]
    if isinstance(data, dict) and len(data) == 1 and "tuple" in data and isinstance(data["tuple"], list):
        return tuple(decode(item) for item in data["tuple"])
    if isinstance(data, dict) and len(data) == 1 and "dict" in data and isinstance(data["dict"], dict):
        return {str(key): decode(item) for key, item in data["dict"].items()}
    if isinstance(data, dict) and len(data) == 1 and data.get("float") in ("nan", "inf", "-inf"):
        return float(data["float"])
    if isinstance(data, dict) and data.keys() == {"array", "shape", "bytes"}:
        dtype = np.dtype(str(data["array"]))
        shape = tuple(int(size) for size in data["shape"])
        if dtype.kind not in _NUMERIC_KINDS or min(shape, default=0) < 0:
            raise ValueError("an array of the record is not numeric")
        array = np.frombuffer(base64.b64decode(data["bytes"]), dtype=dtype)
        return array.reshape(shape).copy()
    raise ValueError("the record holds something the course's checks never write")


def _failure_data(failure):
    fields = {"what": failure.what, "expected": failure.expected, "got": failure.got, "hint": failure.hint}
    return {key: value if value is None or isinstance(value, str) else str(value) for key, value in fields.items()}


# Recording, in the student's kernel ----------------------------------------------------


class _Recorder:
    """Appends each observation, one JSON line, to its cell's `EVIDENCE_FOLDER/<execution count>.jsonl`."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def add(self, label, entry):
        from IPython import get_ipython

        # IPython counts a cell before running it: the cell running now is the one before the count.
        cell = get_ipython().execution_count - 1
        self.folder.mkdir(exist_ok=True)
        with open(self.folder / f"{cell}.jsonl", "a") as record:
            record.write(json.dumps({"label": label, **entry}) + "\n")


def _start_recorder():
    """The recorder of this kernel, or None outside a kernel that `nbgrader autograde` runs."""
    if os.environ.get("NBGRADER_EXECUTION") != "autograde":
        return None
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    return _Recorder(Path.cwd() / EVIDENCE_FOLDER)


_RECORDER = _start_recorder()


# Replaying, in the grader --------------------------------------------------------------


class _Replay:
    def __init__(self, entries):
        self.entries = list(entries)
        self.position = 0

    def next(self, label):
        if self.position >= len(self.entries) or self.entries[self.position].get("label") != label:
            raise MissingEvidence(
                f"the notebook's kernel did not report what this test needs ({label})",
                hint="run the test cell as it is: a check, a course module, Keras or NumPy replaced in the "
                "notebook cannot pass a test.",
            )
        entry = self.entries[self.position]
        self.position += 1
        if "failure" in entry:
            failure = entry["failure"]
            if not isinstance(failure, dict) or not isinstance(failure.get("what"), str):
                raise MissingEvidence(f"the notebook's kernel reported an unreadable failure ({label})")
            raise CheckFailure(failure["what"], failure.get("expected"), failure.get("got"), failure.get("hint"))
        try:
            return decode(entry.get("value"))
        except (ValueError, TypeError) as error:
            raise MissingEvidence(f"the notebook's kernel reported unreadable data ({label}: {error})") from None


_REPLAY = contextvars.ContextVar("evidence_replay", default=None)
_CAPTURE = contextvars.ContextVar("evidence_capture", default=None)


@contextlib.contextmanager
def recording():
    """Within the block, `observe` also appends its entries to the list this yields (what a kernel's cell records)."""
    entries = []
    token = _CAPTURE.set(entries)
    try:
        yield entries
    finally:
        _CAPTURE.reset(token)


@contextlib.contextmanager
def replaying(entries):
    """Within the block, `observe` returns the recorded `entries` (one cell's record) in order."""
    token = _REPLAY.set(_Replay(entries))
    try:
        yield
    finally:
        _REPLAY.reset(token)


def read_cell_evidence(folder, execution_count):
    """The observations the kernel recorded for the cell run as `execution_count`, or [] if there are none.

    Raises `MissingEvidence`, saying which bound, for a record over `CELL_EVIDENCE_BOUNDS` (its size,
    its values, their nesting), which is never parsed; anything else unreadable counts as no record.
    """
    # The count comes from the kernel's messages: only a plain number names a record.
    if not isinstance(execution_count, int) or isinstance(execution_count, bool) or execution_count < 0:
        return []
    path = Path(folder) / EVIDENCE_FOLDER / f"{execution_count}.jsonl"
    try:
        entries = read_json_lines(path, CELL_EVIDENCE_BOUNDS)
    except OutOfBounds as error:
        raise MissingEvidence(
            f"the notebook's kernel recorded {error.what} for this test",
            hint="the test records what the student's code returns: a model or plot far larger than asked "
            "for makes it too large.",
        ) from None
    except Exception:  # a record is untrusted: a missing one, a link, or one that is not JSON means no record
        return []
    return [entry for entry in entries if isinstance(entry, dict)]


# The seed of the inputs checks draw --------------------------------------------------------

# The images, weights and arrays a check hands the student's code are drawn from `inputs_seed()`. Outside autograde it
# is the course's `SEED`, so a student's own check() gives the same numbers every time. During `nbgrader autograde`
# each notebook gets a fresh one, drawn by the grader when the kernel starts (SandboxedExecute): the kernel reads it
# from this variable, the judge gets it through nbgrader's resources and replays within `seeded_inputs`. A record made
# before grading, or for another seed (a solved notebook's, run elsewhere), holds outputs for other inputs, and fails
# every test that compares them with the grader's reference.
INPUTS_SEED_VARIABLE = "KERAS_COURSE_INPUTS_SEED"
_INPUTS_SEED = contextvars.ContextVar("inputs_seed", default=None)


def inputs_seed():
    """The seed of the inputs a check draws now: the judge's, else the one the grader gave this kernel, else `SEED`."""
    seed = _INPUTS_SEED.get()
    if seed is not None:
        return seed
    given = os.environ.get(INPUTS_SEED_VARIABLE, "")
    return int(given) if given.isdigit() else SEED


@contextlib.contextmanager
def seeded_inputs(seed):
    """Within the block, checks draw their inputs from `seed` (None: as outside the block)."""
    token = _INPUTS_SEED.set(seed)
    try:
        yield
    finally:
        _INPUTS_SEED.reset(token)


# The one call checks make -------------------------------------------------------------


def hidden_grader_side(error, package):
    """None, when `error` (a `ModuleNotFoundError`) says that the grader's side `package` is hidden.

    So it is in the student's kernel during autograde: the sandbox hides the grader's side
    (GRADER_SIDE in autograder/grading/stages/sandboxed_execute.py), and a check that finds its
    references None only observes, leaving the verdict to the judge. Any other missing module
    is a real error and is raised again.
    """
    if error.name == package or str(error.name).startswith(package + "."):
        return None
    raise error


def observe(label, probe):
    """`probe()`'s plain data, as the grader will see it; a `CheckFailure` it raises is recorded and re-raised.

    `label` names the observation within its test cell (the same in the kernel and the grader).
    """
    replay = _REPLAY.get()
    if replay is not None:
        return replay.next(label)
    try:
        value = probe()
    except CheckFailure as failure:
        _record(label, {"failure": _failure_data(failure)})
        raise
    data = encode(value)
    _record(label, {"value": data})
    return decode(data)


def _record(label, entry):
    if _RECORDER is not None:
        _RECORDER.add(label, entry)
    captured = _CAPTURE.get()
    if captured is not None:
        captured.append({"label": label, **json.loads(json.dumps(entry))})
