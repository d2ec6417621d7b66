"""Assignment 2, "Build dense and CNN layers": its tests, declared once."""

from autograder.assignments import Assignment, GradedTest
from autograder.assignments.layers_and_cnn import checks
from autograder.settings import CNN_MIN_ACCURACY

_DENSE = ("dense_layer",)

TESTS = (
    GradedTest(
        "dense_layer_weights", 1,
        "Does build() create a trainable (input_dim, units) kernel and a (units,) bias, and no weights before?",
        "Weights whose size depends on the input belong in build(input_shape), which Keras calls on the first "
        "call with the real shape; self.add_weight creates trainable variables.",
        (checks.check_dense_weights,), _DENSE,
    ),
    GradedTest(
        "dense_layer_forward", 2,
        "With fixed weights, does DenseLayer compute activation(inputs @ kernel + bias)? (more activations are hidden)",
        "A dense layer is a matrix product, then the bias, then the activation: check the order of the operands "
        "and that the function from keras.activations.get is applied to the result.",
        (checks.check_dense_forward, checks.check_dense_activations), _DENSE,
    ),
    GradedTest(
        "dense_layer_any_input", 1,
        "Does DenseLayer work inside keras.Sequential for any batch size? (other input sizes are hidden)",
        "Inside keras.Sequential, build() receives an input_shape whose batch axis is None: only the last axis "
        "is known, and call() must work for any number of rows.",
        (checks.check_dense_in_sequential, checks.check_dense_other_sizes), _DENSE,
    ),
    GradedTest(
        "dense_layer_config", 1, "Can a model with a DenseLayer be rebuilt from get_config(), saved and loaded again?",
        "Keras rebuilds a saved layer by passing the dict from get_config() back to the constructor, so it holds "
        "every constructor argument as a plain value; keras.activations.serialize converts a function.",
        (checks.check_dense_config,), _DENSE,
    ),
    GradedTest(
        "dense_layer_trains", 1, "Does a model of two DenseLayers learn under fit(): does its loss go down?",
        "fit() differentiates call() through the backend, so the computation must use Keras tensors (Python "
        "operators or keras.ops), not NumPy, on the variables created by add_weight.",
        (checks.check_dense_trains,), _DENSE,
    ),
    GradedTest(
        "conv_output_size_cases", 2,
        "Does conv_output_size agree with Keras's Conv2D and MaxPooling2D? (even kernels and other strides are hidden)",
        "Count the positions where the window can start: with valid padding it must fit inside the input, with "
        "same padding only the stride matters; MaxPooling2D's stride defaults to its pool size.",
        (checks.check_conv_output_size,), ("conv_output_size",),
    ),
    GradedTest(
        "conv2d_forward_valid", 2,
        'Does conv2d_forward match keras.layers.Conv2D with padding="valid"? (strides and other kernels are hidden)',
        "Keras's Conv2D is a cross-correlation: output (i, j, o) sums input times kernel over the window starting "
        "at (i*stride, j*stride) and over all input channels, plus bias[o]; the kernel is not flipped.",
        (checks.check_conv2d_forward,), ("conv2d_forward",),
    ),
    GradedTest(
        "conv2d_forward_same", 2,
        'Does conv2d_forward match keras.layers.Conv2D with padding="same"? (strides and even kernels are hidden)',
        "Same padding is zero padding followed by a valid convolution: compute the total padding per axis from "
        "the formula in the instructions, put the smaller half before the image, then reuse the valid case.",
        (checks.check_conv2d_forward,), ("conv_output_size", "conv2d_forward"),
    ),
    GradedTest(
        "cnn_layers", 2,
        "Does build_cnn() match the table, layer by layer (class, output shape, parameters, activation)? "
        "(other input shapes are hidden)",
        "Compare model.summary() with the table row by row: a Conv2D holds (3*3*C_in + 1)*filters parameters, "
        "pooling halves sizes rounding down, and the shapes follow input_shape and num_classes.",
        (checks.check_cnn_layers, checks.check_cnn_other_inputs), ("build_cnn",),
    ),
    GradedTest(
        "cnn_accuracy", 2,
        f"Does the briefly trained CNN reach {CNN_MIN_ACCURACY:.0%} on the MNIST test split within the epoch budget? "
        "(the accuracy is checked by a hidden test)",
        "Keep the History that fit() returns, train on the first CNN_TRAIN_IMAGES images for CNN_EPOCH_BUDGET "
        "epoch, and match the loss to integer labels; Adam reaches about 95% in that one epoch.",
        (checks.check_cnn_epoch_budget, checks.check_cnn_accuracy), ("build_cnn", "train_cnn"),
    ),
)

ASSIGNMENT = Assignment("02_layers_and_cnn", "layers_and_cnn", "Build dense and CNN layers", TESTS, __name__)
