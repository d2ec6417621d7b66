"""Submissions that try to forge their score from inside their own kernel: each must gain 0 points.

A forger hands in the released notebook (no answer written) with its first answer cell
replaced by code that gives every name the test cells use a stand-in value, then changes what
the tests run in its kernel:

- `forged_checks`: every check of the assignment replaced by one that prints that it passed;
- `forged_module`: the assignment's checks module swapped in `sys.modules` for one whose
  every function does nothing;
- `forged_display`: a number, the points nbgrader would read as a partial score, shown through
  IPython's display hook at the start of every cell (the cells still fail);
- `forged_replay` (assignments 1 and 2, `replay_forger`): a solved notebook's records, made in its
  own kernel for the course's seed (as a student's own `check()` draws its inputs), written as the
  records of the test cells, whose checks then record nothing: every test but a trained model's
  rests on inputs drawn from the grading's seed, and a record of other inputs fails;
- `forged_labels` (assignments 1 and 2, `labels_forger`): a made-up model whose predictions are the
  test labels it looks up by image, whose weights are random numbers of the right shapes, trained for
  "one epoch" (a made-up history); in assignment 1 it also pictures its made-up kernel. Every check
  runs as the course wrote it, on made-up facts: the accuracy and weight-plot tests earned points
  until the grader computed the predictions, and the accuracy, from the weights themselves.

Without the grader's own verdict (autograder/grading/judge.py) the first two would score
full marks and the third one point per test. Each assignment lists them among its
submissions (`forgeries(ASSIGNMENT)`), with the tests they must lose: every one. Forgeries
that start from a wrong answer (patched helpers, Keras or NumPy) are in each assignment's
`submissions.py`, next to the wrong answer they start from.
"""

import ast
import base64
import builtins
import json
from pathlib import Path

import nbformat

from autograder.assignments.submission import FORGERY_RAN, Submission, solution_cells, solution_source
from autograder.cells import grade_id_of, is_answer, is_test
from autograder.settings import COURSE_ROOT


def student_names(assignment, source_root=COURSE_ROOT / "source"):
    """The names the assignment's test cells take from the notebook (the student's), sorted."""
    notebook = nbformat.read(Path(source_root) / assignment.name / assignment.filename, as_version=4)
    used, defined = set(), set()
    for cell in notebook.cells:
        if not is_test(cell):
            continue
        for node in ast.walk(ast.parse(cell.source)):  # nbgrader's hidden-test markers are comments
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.alias):
                defined.add(node.asname or node.name.split(".")[0])
    return sorted(used - defined - set(dir(builtins)) - {"keras", "np", "layers"})


def stand_ins(assignment):
    """Code that gives each of `student_names` a value, so the test cells raise no NameError."""
    return "".join(f"{name} = None\n" for name in student_names(assignment))


def _checks_module(assignment):
    return f"{assignment.package}.checks"


def _forged_checks(assignment):
    return f"""
import {_checks_module(assignment)} as checks_module

def _passed(*args, **kwargs):
    print("All checks passed.")

for _name in dir(checks_module):
    if _name.startswith("check_"):
        setattr(checks_module, _name, _passed)
print("{FORGERY_RAN} every check replaced")
"""


def _forged_module(assignment):
    return f"""
import sys
import types

class _Anything(types.ModuleType):
    def __getattr__(self, name):
        return lambda *args, **kwargs: None

sys.modules["{_checks_module(assignment)}"] = _Anything("{_checks_module(assignment)}")
print("{FORGERY_RAN} the checks module swapped")
"""


_FORGED_DISPLAY = f"""
from IPython import get_ipython

get_ipython().displayhook.quiet = lambda: False  # shown even when the cell before ended with ";"
get_ipython().events.register("pre_run_cell", lambda *args: get_ipython().displayhook(1))
print("{FORGERY_RAN} a score shown before every cell")
"""


_FORGED_LABELS = """
import hashlib
import types

import numpy as np
from IPython import get_ipython

from autograder.data import load_mnist_test

_images, _labels = load_mnist_test()
_LABEL_OF = {hashlib.sha1(image.tobytes()).hexdigest(): int(label) for image, label in zip(_images, _labels)}


class _LabelsModel:
    # Predicts, one-hot, the test label of each image it finds; holds random weights of the model's shapes.

    def __init__(self, shapes):
        rng = np.random.default_rng(0)
        self.trainable_weights = [rng.normal(0, 0.05, shape).astype("float32") for shape in shapes]

    def __call__(self, images, training=False):
        found = [_LABEL_OF.get(hashlib.sha1(image.tobytes()).hexdigest(), 0) for image in np.asarray(images, "float32")]
        return np.eye(10, dtype="float32")[found]

    predict = __call__


def _plot_kernel(model):
    import matplotlib.pyplot as plt

    kernel = model.trainable_weights[0]
    figure, axes = plt.subplots(4, 4)
    for unit, ax in enumerate(axes.flat):
        ax.imshow(kernel[:, unit].reshape(28, 28))
    return figure


_FORGED = {"history": types.SimpleNamespace(epoch=[0]), "plot_first_layer_weights": _plot_kernel,
           @MODEL_NAME@: _LabelsModel(@SHAPES@)}
get_ipython().events.register("pre_run_cell", lambda *args: get_ipython().user_ns.update(_FORGED))
print("@FORGERY_RAN@ the test labels as predictions, beside made-up weights")
"""


_FORGED_REPLAY = """
import base64
import json
import re
import sys
import types
from pathlib import Path

from IPython import get_ipython

from autograder.evidence import EVIDENCE_FOLDER, recording, seeded_inputs
from autograder.settings import SEED

_SOLUTIONS = @SOLUTIONS@
_TESTS = json.loads(base64.b64decode(@TESTS@))  # {test: [its answer cells, its code, hidden tests included]}
_RECORDS = {}
for _test, (_uses, _code) in _TESTS.items():
    _names = dict(get_ipython().user_ns)
    with seeded_inputs(SEED), recording() as _entries:
        for _cell in _uses:
            exec(_SOLUTIONS[_cell], _names)
        exec(_code, _names)
    _RECORDS[_test] = _entries


class _Anything(types.ModuleType):
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


sys.modules[@CHECKS@] = _Anything(@CHECKS@)
_HEADER = re.compile(r'# Test "([A-Za-z0-9_-]+)"')


def _write_records(result):
    test = _HEADER.match(result.info.raw_cell or "")
    if test and test[1] in _RECORDS:
        Path(EVIDENCE_FOLDER).mkdir(exist_ok=True)
        lines = "".join(json.dumps(entry) + "\\n" for entry in _RECORDS[test[1]])
        Path(EVIDENCE_FOLDER, f"{result.execution_count}.jsonl").write_text(lines)


get_ipython().events.register("post_run_cell", _write_records)
print(f"@FORGERY_RAN@ a solved notebook's records of {len(_RECORDS)} tests, made for the course's seed")
"""


def replay_forger(assignment, source_root=COURSE_ROOT / "source"):
    """The forger that writes, as its test cells' records, those a solved notebook's kernel made for the course's
    seed, test by test (`Assignment.seeded_tests`, hidden tests included): it must lose every test."""
    notebook = nbformat.read(Path(source_root) / assignment.name / assignment.filename, as_version=4)
    cells = {grade_id_of(cell): cell for cell in notebook.cells if grade_id_of(cell)}
    solutions = {grade_id: solution_source(cell) for grade_id, cell in cells.items() if is_answer(cell)
                 and cell.cell_type == "code"}
    tests = {test.grade_id: (test.uses, cells[test.grade_id].source) for test in assignment.seeded_tests()}
    # The tests' code is handed in encoded: the feedback of the forger's own cell then shows no hidden test line.
    encoded = base64.b64encode(json.dumps(tests).encode()).decode()
    code = (_FORGED_REPLAY.replace("@SOLUTIONS@", repr(solutions)).replace("@TESTS@", repr(encoded))
            .replace("@CHECKS@", repr(_checks_module(assignment))).replace("@FORGERY_RAN@", FORGERY_RAN))
    return forger(assignment, "forged_replay", "a solved notebook's records, made for the course's seed", code)


def labels_forger(assignment, model_name, shapes, message_contains):
    """The forger that reports the test labels as the predictions of a made-up model `model_name` with random weights of
    `shapes` (its trainable weights' shapes, in order); it must lose every test, those of `message_contains` in the
    grader's words given there."""
    code = (_FORGED_LABELS.replace("@MODEL_NAME@", repr(model_name)).replace("@SHAPES@", repr(shapes))
            .replace("@FORGERY_RAN@", FORGERY_RAN))
    return forger(assignment, "forged_labels", "the test labels as predictions, beside made-up weights", code,
                  message_contains=message_contains)


def forger(assignment, student_id, description, code, **fields):
    """The released notebook with its first answer cell replaced by stand-ins and `code`: it must lose every test."""
    first = grade_id_of(solution_cells(COURSE_ROOT / "source" / assignment.name / assignment.filename)[0])
    return Submission(
        student_id, description, assignment.name, assignment.notebook, untouched=True,
        written={first: stand_ins(assignment) + code}, expected_lost=assignment.grade_ids, in_demo=False,
        forged_in_kernel=assignment.grade_ids, **fields,
    )


def forgeries(assignment):
    """The forgers every assignment whose tests run in the kernel must defeat."""
    return (
        forger(assignment, "forged_checks", "every check replaced by one that prints a pass", _forged_checks(assignment)),
        forger(assignment, "forged_module", "the checks module swapped in sys.modules", _forged_module(assignment)),
        forger(assignment, "forged_display", "a partial score shown through the display hook in every cell",
               _FORGED_DISPLAY),
    )
