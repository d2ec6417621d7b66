"""A demo class: realistic submissions made from the released and source notebooks.

Each submission is the released notebook with its solution cells filled in the way a
student would: the reference solution, nothing at all, or the reference solution with
one tutorial bug put back or one answer left out. `expected_lost` names the autograded
tests each one must lose, and `message_contains` what their failure messages must say;
the test suite holds the real pipeline to both.
"""

import re
from dataclasses import dataclass, field

import nbformat

_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", re.MULTILINE)


@dataclass(frozen=True)
class Submission:
    """One student's notebook, as changes to the reference solution."""

    student_id: str
    description: str
    assignment: str
    notebook: str
    # grade_id -> [(text in the reference solution, text the student wrote instead)]
    edits: dict = field(default_factory=dict)
    # solution cells the student left as released
    unanswered: frozenset = frozenset()
    untouched: bool = False
    expected_lost: frozenset = frozenset()
    # grade_id -> a phrase its failure message must contain
    message_contains: dict = field(default_factory=dict)


def solution_source(cell):
    """A source solution cell as the student would write it: the solution without its markers."""
    return _SOLUTION_MARKERS.sub("", cell.source)


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def build_notebook(submission, release_path, source_path):
    """Return the submitted notebook: the released one with solution cells filled in."""
    released = nbformat.read(release_path, as_version=4)
    if submission.untouched:
        return released
    reference = {_grade_id(cell): cell for cell in nbformat.read(source_path, as_version=4).cells}
    for cell in released.cells:
        grade_id = _grade_id(cell)
        if not cell.metadata.get("nbgrader", {}).get("solution") or grade_id in submission.unanswered:
            continue
        source = solution_source(reference[grade_id])
        for old, new in submission.edits.get(grade_id, ()):
            if old not in source:
                raise ValueError(f"{submission.student_id}: {old!r} is not in the solution of {grade_id}")
            source = source.replace(old, new)
        cell.source = source
    return released


_A1 = dict(assignment="01_fix_simplenet", notebook="fix_simplenet")
_A1_MODEL_TESTS = frozenset({
    "simplenet_builds", "simplenet_output_shape", "simplenet_param_count", "simplenet_probabilities",
    "simplenet_dropout", "simplenet_other_sizes", "simplenet_inference_deterministic",
    "simplenet_forward_pass", "simplenet_accuracy", "weight_plot",
})
_A1_TESTS = _A1_MODEL_TESTS | {"data_prepared"}

SUBMISSIONS = (
    Submission("reference", "the reference solution", **_A1),
    Submission("untouched", "the released notebook, unchanged", untouched=True, expected_lost=_A1_TESTS, **_A1),
    Submission(
        "syntax_error", "the tutorial's missing parenthesis in the constructor signature",
        edits={"simplenet": [("output_layer_sizes=(10,)):", "output_layer_sizes=(10,):")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "SimpleNet"}, **_A1,
    ),
    Submission(
        "layers_attribute", "the tutorial's `self.layers = ...`, which Keras reserves",
        edits={"simplenet": [("self.hidden_layers", "self.layers")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "`self.layers` is Keras's own"}, **_A1,
    ),
    Submission(
        "overwritten_layers", "the hidden Dense layer overwritten by the output layer (same attribute)",
        edits={"simplenet": [(
            'self.hidden_layers = [keras.layers.Dense(size, activation="relu") for size in hidden_layer_sizes]',
            'self.hidden_layers = []\n'
            '        self.classifier = keras.layers.Dense(hidden_layer_sizes[0], activation="relu")',
        )]},
        expected_lost={"simplenet_param_count", "simplenet_forward_pass", "simplenet_other_sizes", "simplenet_accuracy"},
        message_contains={"simplenet_param_count": "assigning to the same attribute twice"}, **_A1,
    ),
    Submission(
        "dropout_axis", "the tutorial's `Dropout(0.2, axis=0)`",
        edits={"simplenet": [("keras.layers.Dropout(0.2)", "keras.layers.Dropout(0.2, axis=0)")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "no `axis` argument"}, **_A1,
    ),
    Submission(
        "no_flatten", "the tutorial's Dense layer fed 28x28x1 images without Flatten",
        edits={"simplenet": [("x = self.flatten(inputs)", "x = inputs")]},
        expected_lost={
            "simplenet_output_shape", "simplenet_param_count", "simplenet_forward_pass", "simplenet_other_sizes",
            "simplenet_accuracy", "weight_plot",
        },
        message_contains={"simplenet_output_shape": "flatten them first"}, **_A1,
    ),
    Submission(
        "plot_weights", "the tutorial's nonexistent `model.plot_weights(show_shapes=True)`",
        edits={"plot_weights": [(
            "kernel = model.get_weights()[0]",
            "return model.plot_weights(show_shapes=True)",
        )]},
        expected_lost={"weight_plot"}, message_contains={"weight_plot": "no `plot_weights`"}, **_A1,
    ),
)

# One per solution cell: leaving any answer out must cost points.
UNANSWERED = (
    Submission(
        "no_data", "the data never prepared, as in the tutorial", unanswered=frozenset({"prepare_data"}),
        expected_lost={"data_prepared", "simplenet_accuracy"}, **_A1,
    ),
    Submission(
        "no_model", "SimpleNet left as released", unanswered=frozenset({"simplenet"}),
        expected_lost=_A1_MODEL_TESTS, **_A1,
    ),
    Submission(
        "no_training", "the training cell left as released", unanswered=frozenset({"train_simplenet"}),
        expected_lost={"simplenet_accuracy", "weight_plot"}, **_A1,
    ),
    Submission(
        "no_plot", "the weight plot left as released", unanswered=frozenset({"plot_weights"}),
        expected_lost={"weight_plot"}, **_A1,
    ),
)
