"""A class for `keras-course similarity` (autograder/report/similarity.py): notebooks that all start from the
course's release, written without a kernel.

- Honest students: each assignment's declared submissions that are not forgeries (the reference, the untouched
  notebook, the demo's mistakes), one answer cell left as released each (`unanswered`), and the independently
  written correct variants of the test set (`tests/accuracy_variants.py`, `tests/test_fix_simplenet.py`,
  `tests/test_layers_and_cnn.py`) in their answer cell, plus a `DenseLayer` written here in another style.
- Planted copies of an honest student who wrote code of their own: verbatim, with every variable renamed, with
  the methods reordered, and with the comments and docstrings changed.

The variants' source is read from their files with `ast`, not imported: no Keras is loaded.
"""

import ast
import dataclasses
import re
from pathlib import Path

import nbformat

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import Submission, build_notebook, unanswered
from autograder.settings import COURSE_ROOT

TESTS = Path(__file__).resolve().parent
A1, A2, A3 = "01_fix_simplenet", "02_layers_and_cnn", "03_tune_training"
# A forger that is not marked as one (it patches Keras, NumPy and the grader in its kernel): not an honest student.
NOT_HONEST = {"faker"}


def definition(file, name):
    """The source text of the top-level class or function `name` of `tests/<file>`."""
    text = (TESTS / file).read_text()
    (node,) = [node for node in ast.parse(text).body if getattr(node, "name", None) == name]
    return ast.get_source_segment(text, node)


def _renamed(source, old, new):
    return re.sub(rf"\b{old}\b", new, source)


# An honest student's DenseLayer written in another style than the solution: keras.ops, weights named differently,
# the activation applied by name.
DENSE_LAYER_OTHER_STYLE = '''class DenseLayer(keras.layers.Layer):
    """A fully connected layer: `activation(inputs @ kernel + bias)`."""

    def __init__(self, units, activation=None, **kwargs):
        super(DenseLayer, self).__init__(**kwargs)
        self.activation_name = activation
        self.units = int(units)

    def build(self, input_shape):
        """Create `kernel` of shape (input_shape[-1], units) and `bias` of shape (units,)."""
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(name="kernel", shape=[fan_in, self.units], initializer="random_normal",
                                      trainable=True)
        self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros", trainable=True)
        super().build(input_shape)

    def call(self, inputs):
        """inputs: shape (batch, input_dim). Returns shape (batch, units)."""
        outputs = keras.ops.add(keras.ops.matmul(inputs, self.kernel), self.bias)
        if self.activation_name is None:
            return outputs
        return keras.activations.get(self.activation_name)(outputs)

    def get_config(self):
        base = super().get_config()
        return {**base, "units": self.units, "activation": self.activation_name}'''

# Variant answers: {assignment: {student: {answer cell: its source}}}.
VARIANTS = {
    A1: {
        "functional_inside": {"simplenet": _renamed(definition("accuracy_variants.py", "FunctionalSimpleNet"),
                                                    "FunctionalSimpleNet", "SimpleNet")},
        "keras_ops": {"simplenet": _renamed(definition("accuracy_variants.py", "OpsSimpleNet"),
                                            "OpsSimpleNet", "SimpleNet")},
        "wrapped": {"simplenet": _renamed(definition("test_fix_simplenet.py", "WrappedSimpleNet"),
                                          "WrappedSimpleNet", "SimpleNet")},
        "lazy": {"simplenet": _renamed(definition("test_fix_simplenet.py", "LazySimpleNet"), "LazySimpleNet",
                                       "SimpleNet")},
    },
    A2: {
        "grown_with_add": {"build_cnn": definition("accuracy_variants.py", "build_cnn_added").replace(
            "build_cnn_added", "build_cnn")},
        "functional": {"build_cnn": definition("test_layers_and_cnn.py", "build_cnn_functional").replace(
            "build_cnn_functional", "build_cnn")},
        "own_dense_layer": {"dense_layer": DENSE_LAYER_OTHER_STYLE},
    },
}

# Whose code each assignment's planted copies take, and the cell they change.
COPIED = {A1: ("keras_ops", "simplenet"), A2: ("own_dense_layer", "dense_layer")}


def renamed_variables(source):
    """Every variable and attribute a student chose renamed (a copier's first disguise)."""
    names = {"x": "hidden", "dense": "layer_", "pixels": "n_inputs", "hidden": "dense_stack", "drop": "dropper",
             "out": "head", "fan_in": "n_in", "outputs": "result", "activation_name": "act", "base": "cfg"}
    for old, new in names.items():
        source = _renamed(source, old, new)
    return source


def reordered_methods(source):
    """The class's methods in reverse order (the header and docstring stay first)."""
    header, *methods = re.split(r"\n(?=    def )", source)
    return "\n".join([header, *reversed([method.rstrip("\n") + "\n" for method in methods])]).rstrip("\n")


def changed_comments(source):
    """Every docstring and comment rewritten, a comment added above each method."""
    source = re.sub(r'"""[^"]*"""', '"""My own layer, written for this assignment."""', source)
    return re.sub(r"\n(    def )", r"\n    # a step of the model\n\1", source)


PLANTED = {"verbatim": lambda source: source, "renamed": renamed_variables, "reordered": reordered_methods,
           "comments_changed": changed_comments}


def _honest_submissions(owner):
    declared = [s for s in owner.submissions if not s.forged_in_kernel and s.student_id not in NOT_HONEST]
    return declared + list(unanswered(owner, COURSE_ROOT / "source"))


def submissions(name):
    """Every student of assignment `name`: {student_id: (Submission, planted copy of whom or None)}."""
    owner = find_assignment(name)
    students = {s.student_id: (s, None) for s in _honest_submissions(owner)}
    for student_id, written in VARIANTS.get(name, {}).items():
        students[student_id] = (Submission(student_id, "an independently written correct answer", owner.name,
                                           owner.notebook, written=written), None)
    if name in COPIED:
        original, cell = COPIED[name]
        source = VARIANTS[name][original][cell]
        for how, disguise in PLANTED.items():
            student_id = f"copy_{how}"
            students[student_id] = (Submission(student_id, f"{original}'s answer, {how}", owner.name,
                                               owner.notebook, written={cell: disguise(source)}), original)
    return students


def write_class(course, name, students=None):
    """Write the notebooks of assignment `name`'s class (default `submissions(name)`) into `course/submitted/`, and
    the course's release and source notebooks beside them; return {student_id: copied from whom or None}."""
    owner = find_assignment(name)
    release = COURSE_ROOT / "release" / owner.name / owner.filename
    source = COURSE_ROOT / "source" / owner.name / owner.filename
    for folder, path in (("release", release), ("source", source)):
        target = Path(course) / folder / owner.name / owner.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    students = submissions(name) if students is None else students
    for student_id, (submission, _) in students.items():
        target = Path(course) / "submitted" / student_id / owner.name / owner.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        submission = dataclasses.replace(submission, student_id=student_id)
        nbformat.write(build_notebook(submission, release, source), target)
    return {student_id: copied for student_id, (_, copied) in students.items()}
