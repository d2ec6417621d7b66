"""The grader's verdict on a test cell, decided in nbgrader's process: from what the kernel recorded, or by a grader.

`grader_outputs` gives the outputs of a test declared with a `grader` (assignment 3), which
grades the files in the notebook's folder. `judged_outputs` decides every other test:

After the student's kernel has run the notebook, each test cell's code (the gradebook's own
copy, hidden tests included) runs again here with `autograder.evidence.replaying`: the checks
get the data the kernel observed of the student's code, and compute references, compare and
fail with the grader's own NumPy, Keras and check code. When they fail, their printed lines and
their failure become the cell's outputs, which nbgrader scores.

In the sandbox of autograde the kernel never holds the references (each assignment's `grader/`
folder is hidden from it), so it cannot decide a test: it only observes. Its own outputs of a
test cell only ever cost points: an error or stderr output keeps the cell at 0 (its words stay,
they are the precise message), and nothing the kernel displayed as a result (a number through
the display hook) is kept, so it cannot set a partial score.
"""

import builtins
import contextlib
import io
import warnings

from nbformat.v4 import new_output

from autograder.errors import CheckFailure, error_text
from autograder.evidence import MissingEvidence, read_cell_evidence, replaying, seeded_inputs
from autograder.kernel.watch import passed_line

# Names a test cell may use from the notebook's setup cell: the grader has its own.
_COURSE_MODULES = {"keras": "keras", "np": "numpy", "numpy": "numpy", "layers": "keras.layers"}


class StudentValue:
    """Stands for a student's object (`DenseLayer`, `model`, ...) in the grader: checks only reach it through `observe`."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"<the student's {self._name}>"

    def _refuse(self, *args, **kwargs):
        raise RuntimeError(f"a check used the student's `{self._name}` outside `observe` (a bug in the course)")

    __getattr__ = __call__ = __iter__ = __len__ = __getitem__ = __bool__ = _refuse


class _CellNames(dict):
    """A test cell's names in the grader: what it imports, the course's modules, and a `StudentValue` for the rest."""

    def __missing__(self, name):
        if name in _COURSE_MODULES:
            import importlib

            return importlib.import_module(_COURSE_MODULES[name])
        if hasattr(builtins, name):
            raise KeyError(name)
        return StudentValue(name)


def error_output(error):
    """The error output of a failed check, as the kernel shows a `CheckFailure` (message and hint, no traceback)."""
    name = type(error).__name__
    if isinstance(error, CheckFailure):
        lines = [f"{name}: {line}" if index == 0 else line for index, line in enumerate(str(error).splitlines())]
    else:
        lines = [f"{name}: {error_text(error)}"]
    return new_output("error", ename=name, evalue=str(error), traceback=lines)


def _outputs_of(run):
    """The outputs of a verdict `run()`: what it printed, then its points (a number, not None) or its failure.

    Any failure scores 0, as in the kernel, including one of the grader's own: what the student's kernel wrote
    may hold anything, which must cost this cell, never stop autograde.
    """
    printed = io.StringIO()
    points = failure = None
    try:
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            points = run()
    except Exception as error:  # the cell's verdict
        failure = error
    outputs = [new_output("stream", name="stdout", text=printed.getvalue())] if printed.getvalue() else []
    if failure is not None:
        return [*outputs, error_output(failure)]
    if points is not None:
        outputs.append(new_output("execute_result", data={"text/plain": repr(points)}, execution_count=None))
    return outputs


def replayed_outputs(source, entries, inputs_seed=None):
    """The outputs of test cell code `source` run on the recorded `entries`: printed text, then a failure if any.

    `inputs_seed`: the seed the kernel's checks drew their inputs from (None: the course's own)."""

    def run():
        with replaying(entries), seeded_inputs(inputs_seed):
            exec(compile(source, "<test cell>", "exec"), {"__builtins__": builtins}, _CellNames())

    return _outputs_of(run)


def grader_outputs(grader, folder, limits=None):
    """The outputs a test cell gets from `grader(folder, limits)`: printed text, then its points (if not None) or its
    error. `limits` are the sandbox's for any process the grader starts (None: unsandboxed, a student's own check)."""
    return _outputs_of(lambda: grader(folder, limits))


DISPLAYED_IGNORED = "A result the notebook displayed in this test cell was ignored: only the grader sets points.\n"


def _costs_points(output):
    return output.output_type == "error" or (output.output_type == "stream" and output.get("name") == "stderr")


def judged_outputs(cell, folder, inputs_seed=None):
    """The outputs that score test cell `cell` of the notebook run in `folder`, whose checks drew their inputs from
    `inputs_seed`.

    A cell whose kernel outputs hold an error or stderr keeps them (0 points, the kernel's words: the
    kernel's side of a check failed, or the student's code did). Otherwise the grader's replay decides,
    with the references the kernel never had: its printed lines (the relative errors it measured) and
    its failure, or the cell's pass line (as the kernel prints it, `kernel/watch.py`), replace the
    kernel's text; the pictures the kernel drew stay. Results the kernel displayed are never kept.
    """
    outputs = cell.get("outputs", [])
    kept = [output for output in outputs if output.output_type != "execute_result"]
    notes = [new_output("stream", name="stdout", text=DISPLAYED_IGNORED)] if len(kept) < len(outputs) else []
    if any(_costs_points(output) for output in kept):
        return [*notes, *kept]
    pictures = [output for output in kept if output.output_type == "display_data"]
    try:
        entries = read_cell_evidence(folder, cell.get("execution_count"))
    except MissingEvidence as error:
        return [*notes, *pictures, error_output(error)]
    judged = replayed_outputs(cell.source, entries, inputs_seed)
    said = passed_line(cell.source)
    if said and not any(output.output_type == "error" for output in judged):
        judged.append(new_output("stream", name="stdout", text=said + "\n"))
    return [*notes, *pictures, *judged]
