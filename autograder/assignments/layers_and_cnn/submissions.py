"""Demo submissions of assignment 2: other correct answers, and one usual mistake each."""

from autograder.assignments.forgeries import forgeries, labels_forger, replay_forger
from autograder.assignments.layers_and_cnn import ASSIGNMENT
from autograder.assignments.layers_and_cnn.grader.references import cnn_weight_shapes
from autograder.assignments.submission import FORGERY_RAN, Submission, reference, untouched

_A2 = dict(assignment=ASSIGNMENT.name, notebook=ASSIGNMENT.notebook)
_A2_DENSE_TESTS = ASSIGNMENT.tests_using("dense_layer")
# Mistakes whose tests are all decided before the CNN's training leave its cell as released, which loses the accuracy
# test as well, put down to that cell: training the CNN would add its seconds of processor time to each such
# notebook's grading and prove nothing they look at; the reference, the alternative and the demo's flipped kernel
# show the accuracy test passing.
_UNTRAINED = dict(unanswered=frozenset({"train_cnn"}))
_ACCURACY = frozenset({"cnn_accuracy"})
_DENSE_BUILD = (
    'self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")'
)
_DENSE_CALL = "return self.activation(inputs @ self.kernel + self.bias)"
_FLIPPED = ("windows, kernel)", "windows, kernel[::-1, ::-1])")
_CONV2D_END = "windows, kernel[::-1, ::-1]) + bias"
# Wrong answers (a flipped kernel, a CNN without Dropout) that change, in their own kernel, what the
# checks compare with: each must lose what the wrong answer alone loses.
_FORGED_HELPERS = """
import autograder.shared_checks
autograder.shared_checks.relative_error = lambda *args, **kwargs: 0.0
autograder.shared_checks.compare_layer_summary = lambda *args, **kwargs: None
"""
_FORGED_KERAS = """
_keras_conv2d_call = keras.layers.Conv2D.__call__


def _student_conv2d(self, inputs, *args, **kwargs):
    # The checks' reference: Keras's Conv2D called on a NumPy array. Answer with the student's convolution.
    if not isinstance(inputs, np.ndarray) or not self.built:
        return _keras_conv2d_call(self, inputs, *args, **kwargs)
    kernel, bias = self.get_weights()
    return conv2d_forward(inputs, kernel, bias, stride=self.strides[0], padding=self.padding)


keras.layers.Conv2D.__call__ = _student_conv2d
"""
_FORGED_NUMPY = """
np.max = lambda *args, **kwargs: 0.0
"""


def _forged_wrong_answer(student_id, description, code, forged_in_kernel):
    # What these forge is decided before the CNN's training (`_UNTRAINED`).
    return Submission(
        student_id, description, forged_in_kernel=forged_in_kernel,
        edits={"conv2d_forward": [_FLIPPED, (_CONV2D_END, f"{_CONV2D_END}\n{code}print({f'{FORGERY_RAN} {description}'!r})\n")],
               "build_cnn": [("        layers.Dropout(0.5),\n", "")]},
        expected_lost={"conv2d_forward_valid", "conv2d_forward_same", "cnn_layers"} | _ACCURACY, **_UNTRAINED,
        message_contains={"conv2d_forward_valid": "the kernel is flipped", "cnn_layers": "layer 5"}, in_demo=False,
        **_A2,
    )

SUBMISSIONS = (
    reference(ASSIGNMENT),
    untouched(ASSIGNMENT),
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
        expected_lost=_A2_DENSE_TESTS | _ACCURACY,
        message_contains={"dense_layer_weights": "transposed", "dense_layer_config": "transposed"}, in_demo=False,
        **_UNTRAINED, **_A2,
    ),
    Submission(
        "missing_bias", "a bias created but never added",
        edits={"dense_layer": [(_DENSE_CALL, "return self.activation(inputs @ self.kernel)")]},
        # Its weights, configuration and training are right, the values it computes are not, which all rest on too.
        expected_lost=_A2_DENSE_TESTS | _ACCURACY,
        message_contains={"dense_layer_forward": "bias is not added", "dense_layer_weights": "bias is not added"},
        in_demo=False, **_UNTRAINED, **_A2,
    ),
    Submission(
        "ignored_activation", "`activation` stored but never applied",
        edits={"dense_layer": [(_DENSE_CALL, "return inputs @ self.kernel + self.bias")]},
        expected_lost={"dense_layer_forward", "dense_layer_any_input"} | _ACCURACY,
        message_contains={"dense_layer_forward": "activation is not applied"}, in_demo=False, **_UNTRAINED, **_A2,
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
        expected_lost=_A2_DENSE_TESTS | _ACCURACY,
        message_contains={"dense_layer_weights": "before it has seen any input"}, in_demo=False, **_UNTRAINED, **_A2,
    ),
    Submission(
        "same_padding_arithmetic", "'same' output length computed as if the padding were kernel_size // 2 per side",
        edits={"conv_output_size": [
            ("return (size + stride - 1) // stride", "return (size + 2 * (kernel_size // 2) - kernel_size) // stride + 1"),
        ]},
        expected_lost={"conv_output_size_cases", "conv2d_forward_same"} | _ACCURACY,
        message_contains={"conv_output_size_cases": "ceil(size / stride)"}, in_demo=False, **_UNTRAINED, **_A2,
    ),
    Submission(
        "flipped_kernel", "a true convolution: the kernel flipped, which Conv2D does not do",
        edits={"conv2d_forward": [_FLIPPED]},
        expected_lost={"conv2d_forward_valid", "conv2d_forward_same"},
        message_contains={"conv2d_forward_valid": "the kernel is flipped"}, late_hours=5, **_A2,
    ),
    Submission(
        "padding_side", "the odd extra 'same' padding put before the image instead of after it",
        edits={"conv2d_forward": [("(total // 2, total - total // 2)", "(total - total // 2, total // 2)")]},
        expected_lost={"conv2d_forward_same"} | _ACCURACY,
        message_contains={"conv2d_forward_same": "wrong side"}, in_demo=False, **_UNTRAINED, **_A2,
    ),
    Submission(
        "no_dropout", "the CNN without its Dropout layer",
        edits={"build_cnn": [("        layers.Dropout(0.5),\n", "")]},
        expected_lost={"cnn_layers"}, message_contains={"cnn_layers": "layer 5"}, in_demo=False, **_A2,
    ),
    Submission(
        "same_padding_cnn", "the first convolution with padding='same'",
        edits={"build_cnn": [('layers.Conv2D(32, 3, activation="relu")', 'layers.Conv2D(32, 3, padding="same", activation="relu")')]},
        # Its accuracy too, whatever its training: the grader computes the trained CNN as the table's, which it is not.
        expected_lost={"cnn_layers"} | _ACCURACY, message_contains={"cnn_layers": "output shape"}, in_demo=False,
        **_UNTRAINED, **_A2,
    ),
    _forged_wrong_answer("forged_helpers", "a flipped kernel and no Dropout, the comparison helpers patched",
                         _FORGED_HELPERS, {"conv2d_forward_valid", "conv2d_forward_same", "cnn_layers"}),
    _forged_wrong_answer("forged_keras", "a flipped kernel and no Dropout, Keras's Conv2D answering with the "
                         "student's convolution", _FORGED_KERAS, {"conv2d_forward_valid", "conv2d_forward_same"}),
    _forged_wrong_answer("forged_numpy", "a flipped kernel and no Dropout, np.max patched to make every "
                         "relative error 0", _FORGED_NUMPY, {"conv2d_forward_valid", "conv2d_forward_same"}),
    *forgeries(ASSIGNMENT),
    replay_forger(ASSIGNMENT),
    labels_forger(ASSIGNMENT, "cnn", cnn_weight_shapes(), {
        "cnn_accuracy": "not those of the model's own trained weights"}),
)
