"""What a stub earns: the points that rest on facts a stub has, measured through the real grading of a notebook.

A known gap of the course (issue 28, docs/threat-model.md: What a student can still do): a test
whose points rest on a fact a stub has (shapes, parameter counts, outputs that are probabilities or
repeat) rewards a stub, written honestly or made up in a record. Each stub below answers one
answer cell with the right layers and shapes and constant outputs, leaves the others as released,
and is graded by `keras-course check` (the sandboxed kernel, the judge outside it). The test pins
exactly which tests it passes: the threat model names them, and a change that closes one of them
changes this test and that text together.
"""

import json

import pytest

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
    # assignment: (its notebook, the answer cell, the stub, the tests it passes, its points of all)
    "01_fix_simplenet": ("fix_simplenet.ipynb", "simplenet", SIMPLENET_STUB, {
        "simplenet_builds", "simplenet_output_shape", "simplenet_param_count", "simplenet_probabilities",
        "simplenet_other_sizes", "simplenet_inference_deterministic"}, (6, 12)),
    "02_layers_and_cnn": ("layers_and_cnn.ipynb", "dense_layer", DENSE_LAYER_STUB, {
        "dense_layer_weights", "dense_layer_config"}, (2, 16)),
}


@pytest.mark.parametrize("assignment", STUBS)
def test_a_stub_earns_exactly_the_points_of_the_facts_a_stub_has(tmp_path, assignment):
    filename, cell_id, stub, passes, (points, possible) = STUBS[assignment]
    path = edited_copy(tmp_path / assignment, {cell_id: stub}, COURSE_ROOT / "release" / assignment / filename)
    report = json.loads(check(path, "--json").stdout)
    passed = {test["grade_id"] for test in report["tests"] if test["passed"]}
    assert passed == passes, report
    assert (sum(test["points"] for test in report["tests"]), sum(test["max_points"] for test in report["tests"])) == (
        points, possible)
