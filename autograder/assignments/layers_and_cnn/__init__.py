"""Assignment 2, "Build dense and CNN layers": what its tests need besides the notebook, declared once."""

from autograder.assignments import Assignment, GradedTest
from autograder.assignments.layers_and_cnn import checks

_DENSE = ("dense_layer",)

TESTS = (
    GradedTest(
        "dense_layer_weights",
        hint=(
            "Weights whose size depends on the input belong in build(input_shape), which Keras calls on the first "
            "call with the real shape; self.add_weight creates trainable variables."
        ),
        checks=(checks.check_dense_weights,),
        uses=_DENSE,
    ),
    GradedTest(
        "dense_layer_forward",
        hint=(
            "A dense layer is a matrix product, then the bias, then the activation: check the order of the operands "
            "and that the function from keras.activations.get is applied to the result."
        ),
        checks=(checks.check_dense_forward, checks.check_dense_activations),
        uses=_DENSE,
    ),
    GradedTest(
        "dense_layer_any_input",
        hint=(
            "Inside keras.Sequential, build() receives an input_shape whose batch axis is None: only the last axis "
            "is known, and call() must work for any number of rows."
        ),
        checks=(checks.check_dense_in_sequential, checks.check_dense_other_sizes),
        uses=_DENSE,
    ),
    GradedTest(
        "dense_layer_config",
        hint=(
            "Keras rebuilds a saved layer by passing the dict from get_config() back to the constructor, so it holds "
            "every constructor argument as a plain value; keras.activations.serialize converts a function."
        ),
        checks=(checks.check_dense_config,),
        uses=_DENSE,
    ),
    GradedTest(
        "dense_layer_trains",
        hint=(
            "fit() differentiates call() through the backend, so the computation must use Keras tensors (Python "
            "operators or keras.ops), not NumPy, on the variables created by add_weight."
        ),
        checks=(checks.check_dense_trains,),
        uses=_DENSE,
    ),
    GradedTest(
        "conv_output_size_cases",
        hint=(
            "Count the positions where the window can start: with valid padding it must fit inside the input, with "
            "same padding only the stride matters; MaxPooling2D's stride defaults to its pool size."
        ),
        checks=(checks.check_conv_output_size,),
        uses=("conv_output_size",),
    ),
    GradedTest(
        "conv2d_forward_valid",
        hint=(
            "Keras's Conv2D is a cross-correlation: output (i, j, o) sums input times kernel over the window starting "
            "at (i*stride, j*stride) and over all input channels, plus bias[o]; the kernel is not flipped."
        ),
        checks=(checks.check_conv2d_forward,),
        uses=("conv2d_forward",),
    ),
    GradedTest(
        "conv2d_forward_same",
        hint=(
            "Same padding is zero padding followed by a valid convolution: compute the total padding per axis from "
            "the formula in the instructions, put the smaller half before the image, then reuse the valid case."
        ),
        checks=(checks.check_conv2d_forward,),
        uses=("conv_output_size", "conv2d_forward"),
    ),
    GradedTest(
        "cnn_layers",
        hint=(
            "Compare model.summary() with the table row by row: a Conv2D holds (3*3*C_in + 1)*filters parameters, "
            "pooling halves sizes rounding down, and the shapes follow input_shape and num_classes."
        ),
        checks=(checks.check_cnn_layers, checks.check_cnn_other_inputs),
        uses=("build_cnn",),
    ),
    GradedTest(
        "cnn_accuracy",
        hint=(
            "Keep the History that fit() returns, train on the first CNN_TRAIN_IMAGES images for CNN_EPOCH_BUDGET "
            "epoch, and match the loss to integer labels; Adam reaches about 95% in that one epoch."
        ),
        checks=(checks.check_cnn_epoch_budget, checks.check_cnn_accuracy),
        uses=("build_cnn", "train_cnn"),
    ),
)

ASSIGNMENT = Assignment("02_layers_and_cnn", "layers_and_cnn", "Build dense and CNN layers", TESTS, __name__,
                        training_cells=("train_cnn",))
