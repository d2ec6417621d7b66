"""What a stub earns, measured through the real grading of a notebook: nothing.

A stub has the right layers and shapes and constant outputs: the facts a stub has (shapes,
parameter counts, outputs that are probabilities or repeat) are true of it, the values a correct
implementation computes are not, and every test of the answer it stands in for rests on those
values too (issue 28; docs/threat-model.md). Each stub below answers one answer cell and leaves the
others as released, and is graded by `keras-course check` (the sandboxed kernel, the judge outside
it): it passes no test.
"""

import json

import pytest

from autograder.assignments import assignment as find_assignment
from autograder.settings import COURSE_ROOT
from tests.test_check import check, edited_copy

pytestmark = pytest.mark.slow

SIMPLENET_STUB = """class SimpleNet(keras.models.Model):
    # A stub: the right layers and shapes, constant outputs.

    def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,)):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.hidden = [keras.layers.Dense(size) for size in hidden_layer_sizes]
        self.out = keras.layers.Dense(output_layer_sizes[0])

    def call(self, inputs, training=False):
        x = self.flatten(inputs)
        for dense in self.hidden:
            x = dense(x)
        x = self.out(x)
        return keras.ops.zeros_like(x) + 1.0 / x.shape[-1]
"""
DENSE_LAYER_STUB = """class DenseLayer(keras.layers.Layer):
    # A stub: the right weights, zero outputs.

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return keras.ops.zeros((keras.ops.shape(inputs)[0], self.units))

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": keras.activations.serialize(self.activation)}
"""
STUBS = {
    # assignment: (its notebook, the answer cell the stub answers, the stub)
    "01_fix_simplenet": ("fix_simplenet.ipynb", "simplenet", SIMPLENET_STUB),
    "02_layers_and_cnn": ("layers_and_cnn.ipynb", "dense_layer", DENSE_LAYER_STUB),
}


@pytest.mark.parametrize("assignment", STUBS)
def test_a_stub_earns_nothing(tmp_path, assignment):
    filename, cell_id, stub = STUBS[assignment]
    path = edited_copy(tmp_path / assignment, {cell_id: stub}, COURSE_ROOT / "release" / assignment / filename)
    report = json.loads(check(path, "--json").stdout)
    tests = {test["grade_id"]: test for test in report["tests"]}
    assert find_assignment(assignment).tests_using(cell_id) <= set(tests)
    assert [grade_id for grade_id, test in tests.items() if test["passed"]] == [], report
    assert report["points"] == 0, report
    # Each test says why: the values on fixed weights, or what the stub does not do (dropout, training).
    assert all(test["message"] for test in tests.values())
