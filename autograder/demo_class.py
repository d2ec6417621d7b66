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

_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.MULTILINE)


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
    # graded by `make demo` too, not only by the test suite
    in_demo: bool = True

    @property
    def key(self):
        """Results are keyed by student and assignment: a student hands in every assignment."""
        return (self.student_id, self.assignment)


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
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "SimpleNet"}, in_demo=False, **_A1,
    ),
    Submission(
        "layers_attribute", "the tutorial's `self.layers = ...`, which Keras reserves",
        edits={"simplenet": [("self.hidden_layers", "self.layers")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "`self.layers` is Keras's own"}, in_demo=False, **_A1,
    ),
    Submission(
        "overwritten_layers", "the hidden Dense layer overwritten by the output layer (same attribute)",
        edits={"simplenet": [(
            'self.hidden_layers = [keras.layers.Dense(size, activation="relu") for size in hidden_layer_sizes]',
            'self.hidden_layers = []\n'
            '        self.classifier = keras.layers.Dense(hidden_layer_sizes[0], activation="relu")',
        )]},
        expected_lost={"simplenet_param_count", "simplenet_forward_pass", "simplenet_other_sizes", "simplenet_accuracy"},
        message_contains={"simplenet_param_count": "assigning to the same attribute twice"}, in_demo=False, **_A1,
    ),
    Submission(
        "dropout_axis", "the tutorial's `Dropout(0.2, axis=0)`",
        edits={"simplenet": [("keras.layers.Dropout(0.2)", "keras.layers.Dropout(0.2, axis=0)")]},
        expected_lost=_A1_MODEL_TESTS, message_contains={"simplenet_builds": "no `axis` argument"}, in_demo=False, **_A1,
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
        expected_lost={"weight_plot"}, message_contains={"weight_plot": "no `plot_weights`"}, in_demo=False, **_A1,
    ),
)

_A2 = dict(assignment="02_layers_and_cnn", notebook="layers_and_cnn")
_A2_DENSE_TESTS = frozenset({
    "dense_layer_weights", "dense_layer_forward", "dense_layer_any_input", "dense_layer_config", "dense_layer_trains",
})
_A2_CONV_TESTS = frozenset({"conv_output_size_cases", "conv2d_forward_valid", "conv2d_forward_same"})
_A2_CNN_TESTS = frozenset({"cnn_layers", "cnn_accuracy"})
_A2_TESTS = _A2_DENSE_TESTS | _A2_CONV_TESTS | _A2_CNN_TESTS
_DENSE_BUILD = (
    'self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")'
)
_DENSE_CALL = "return self.activation(inputs @ self.kernel + self.bias)"

SUBMISSIONS += (
    Submission("reference", "the reference solution", **_A2),
    Submission("untouched", "the released notebook, unchanged", untouched=True, expected_lost=_A2_TESTS, **_A2),
    Submission(
        "alternative", "other correct choices: `keras.ops.matmul`, random-normal weights, a Functional CNN",
        edits={
            "dense_layer": [
                ('initializer="glorot_uniform"', 'initializer="random_normal"'),
                ("inputs @ self.kernel", "ops.matmul(inputs, self.kernel)"),
            ],
            "build_cnn": [(
                "return keras.Sequential([\n        keras.Input(shape=input_shape),",
                "inputs = keras.Input(shape=input_shape)\n    x = inputs\n    for layer in [",
            ), (
                '        layers.Dense(num_classes, activation="softmax"),\n    ])',
                '        layers.Dense(num_classes, activation="softmax"),\n    ]:\n        x = layer(x)\n'
                '    return keras.Model(inputs, x)',
            )],
        },
        in_demo=False, **_A2,
    ),
    Submission(
        "transposed_kernel", "a kernel of shape (units, input_dim), transposed again in `call`",
        edits={"dense_layer": [
            ("shape=(input_shape[-1], self.units)", "shape=(self.units, input_shape[-1])"),
            ("inputs @ self.kernel", "inputs @ ops.transpose(self.kernel)"),
        ]},
        expected_lost={"dense_layer_weights", "dense_layer_forward", "dense_layer_any_input"},
        message_contains={"dense_layer_weights": "transposed"}, in_demo=False, **_A2,
    ),
    Submission(
        "missing_bias", "a bias created but never added",
        edits={"dense_layer": [(_DENSE_CALL, "return self.activation(inputs @ self.kernel)")]},
        expected_lost={"dense_layer_forward", "dense_layer_any_input"},
        message_contains={"dense_layer_forward": "bias is not added"}, in_demo=False, **_A2,
    ),
    Submission(
        "ignored_activation", "`activation` stored but never applied",
        edits={"dense_layer": [(_DENSE_CALL, "return inputs @ self.kernel + self.bias")]},
        expected_lost={"dense_layer_forward", "dense_layer_any_input"},
        message_contains={"dense_layer_forward": "activation is not applied"}, in_demo=False, **_A2,
    ),
    Submission(
        "weights_in_init", "weights created in `__init__` for 784 inputs instead of in `build`",
        edits={"dense_layer": [
            ("self.activation = keras.activations.get(activation)",
             "self.activation = keras.activations.get(activation)\n"
             '        self.kernel = self.add_weight(shape=(784, units), initializer="glorot_uniform", name="kernel")\n'
             '        self.bias = self.add_weight(shape=(units,), initializer="zeros", name="bias")'),
            (_DENSE_BUILD + "\n        ", ""),
            ('self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")\n', "pass\n"),
        ]},
        expected_lost=_A2_DENSE_TESTS,
        message_contains={"dense_layer_weights": "before it has seen any input"}, in_demo=False, **_A2,
    ),
    Submission(
        "same_padding_arithmetic", "'same' output length computed as if the padding were kernel_size // 2 per side",
        edits={"conv_output_size": [
            ("return (size + stride - 1) // stride", "return (size + 2 * (kernel_size // 2) - kernel_size) // stride + 1"),
        ]},
        expected_lost={"conv_output_size_cases", "conv2d_forward_same"},
        message_contains={"conv_output_size_cases": "ceil(size / stride)"}, in_demo=False, **_A2,
    ),
    Submission(
        "flipped_kernel", "a true convolution: the kernel flipped, which Conv2D does not do",
        edits={"conv2d_forward": [("windows, kernel)", "windows, kernel[::-1, ::-1])")]},
        expected_lost={"conv2d_forward_valid", "conv2d_forward_same"},
        message_contains={"conv2d_forward_valid": "the kernel is flipped"}, **_A2,
    ),
    Submission(
        "padding_side", "the odd extra 'same' padding put before the image instead of after it",
        edits={"conv2d_forward": [("(total // 2, total - total // 2)", "(total - total // 2, total // 2)")]},
        expected_lost={"conv2d_forward_same"},
        message_contains={"conv2d_forward_same": "wrong side"}, in_demo=False, **_A2,
    ),
    Submission(
        "no_dropout", "the CNN without its Dropout layer",
        edits={"build_cnn": [("        layers.Dropout(0.5),\n", "")]},
        expected_lost={"cnn_layers"}, message_contains={"cnn_layers": "layer 5"}, in_demo=False, **_A2,
    ),
    Submission(
        "same_padding_cnn", "the first convolution with padding='same'",
        edits={"build_cnn": [('layers.Conv2D(32, 3, activation="relu")', 'layers.Conv2D(32, 3, padding="same", activation="relu")')]},
        expected_lost={"cnn_layers"}, message_contains={"cnn_layers": "output shape"}, in_demo=False, **_A2,
    ),
)
_A3 = dict(assignment="03_tune_training", notebook="tune_training")
_A3_TESTS = frozenset({"tuned_model_budget", "tuned_accuracy"})
_A3_FIT = "return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, validation_split=0.05, verbose=2)"
# Everything a notebook can do to its own kernel to report a perfect score. Nothing of it
# may reach the grade: autograde measures the saved model in a clean process.
_FAKE_SCORE = """
import sys

import autograder.checks
import autograder.evaluate
import autograder.tune_training


def _perfect(*args, **kwargs):
    print("Test accuracy 100.00% on 10,000 images (measured in a clean process).")
    return 3


keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
np.argmax = lambda array, axis=None, **kwargs: 0
autograder.checks.accuracy = lambda *args, **kwargs: 1.0
autograder.evaluate.evaluate_in_clean_process = lambda *args, **kwargs: {
    "accuracy": 1.0, "params": 1, "test_images": 10_000, "confusion": [[1_000 * (i == j) for j in range(10)] for i in range(10)],
}
autograder.tune_training.grade_accuracy = _perfect
sys.modules["autograder.tune_training"].grade_accuracy = _perfect
"""

SUBMISSIONS += (
    Submission("reference", "the reference solution", **_A3),
    Submission("untouched", "the released notebook, unchanged", untouched=True, expected_lost=_A3_TESTS, **_A3),
    Submission(
        "faker", "trains on 2,000 images, then patches keras, numpy and the grader in its kernel to report 100%",
        edits={"train": [(_A3_FIT, "history = model.fit(x_train[:2000], y_train[:2000], epochs=1, verbose=0)\n"
                                   + _FAKE_SCORE.replace("\n", "\n    ").rstrip() + "\n    return history")]},
        expected_lost={"tuned_accuracy"}, message_contains={"tuned_accuracy": "below the lowest tier"}, **_A3,
    ),
    Submission(
        "too_many_parameters", "a 256-unit Dense layer on the flattened features: over 100,000 parameters",
        edits={"build_model": [("x = layers.Dropout(0.4)(x)", 'x = layers.Dense(256, activation="relu")(x)\n    x = layers.Dropout(0.4)(x)')]},
        expected_lost=_A3_TESTS, message_contains={"tuned_model_budget": "parameter budget"}, **_A3,
    ),
    Submission(
        "fit_twice", "a small dense model trained by two `fit()` calls of 3 epochs: 360,000 samples",
        edits={
            "build_model": [("x = inputs\n", 'x = layers.Dense(64, activation="relu")(layers.Flatten()(inputs))\n    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))\n')],
            "train": [(_A3_FIT, "model.fit(x_train, y_train, epochs=3, batch_size=1000, verbose=2)\n"
                                "    return model.fit(x_train, y_train, epochs=3, batch_size=1000, verbose=2)")],
        },
        expected_lost=_A3_TESTS, message_contains={"tuned_model_budget": "more samples than the budget"}, in_demo=False,
        **_A3,
    ),
)
DEMO_CLASS = tuple(submission for submission in SUBMISSIONS if submission.in_demo)

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
    Submission(
        "no_dense_layer", "DenseLayer left as released", unanswered=frozenset({"dense_layer"}),
        expected_lost=_A2_DENSE_TESTS, **_A2,
    ),
    Submission(
        "no_conv_output_size", "conv_output_size left as released", unanswered=frozenset({"conv_output_size"}),
        expected_lost={"conv_output_size_cases", "conv2d_forward_same"}, **_A2,
    ),
    Submission(
        "no_conv2d_forward", "conv2d_forward left as released", unanswered=frozenset({"conv2d_forward"}),
        expected_lost={"conv2d_forward_valid", "conv2d_forward_same"}, **_A2,
    ),
    Submission(
        "no_cnn", "build_cnn left as released", unanswered=frozenset({"build_cnn"}),
        expected_lost=_A2_CNN_TESTS, **_A2,
    ),
    Submission(
        "no_cnn_training", "the CNN training cell left as released", unanswered=frozenset({"train_cnn"}),
        expected_lost={"cnn_accuracy"}, **_A2,
    ),
    Submission(
        "no_model", "build_model left as released", unanswered=frozenset({"build_model"}),
        expected_lost=_A3_TESTS, **_A3,
    ),
    Submission(
        "no_training", "train left as released", unanswered=frozenset({"train"}),
        expected_lost=_A3_TESTS, **_A3,
    ),
)
