"""One hint per graded cell of the course, shown beside a failure when a student checks an answer.

A failure message says what is wrong (expected, got, and the usual cause); the hint
says how to think about it: the concept, the formula or the Keras API to read about.
It never gives the solution code. Hints are plain text of one or two sentences, keyed
by the cell's nbgrader `grade_id` and listed in notebook order.
"""

HINTS: dict[str, str] = {
    # 01_fix_simplenet: "Fix the broken SimpleNet"
    "data_prepared": (
        "Layers expect float inputs on a small scale with an explicit channel axis: change the dtype, rescale the "
        "0-255 pixels and add a last axis of length 1, keeping every image next to its label."
    ),
    "simplenet_builds": (
        "A subclassed keras.Model creates its layers once in __init__, each under its own attribute "
        "(self.layers is Keras's own list), and chains them in call(); read the traceback from its first line."
    ),
    "simplenet_output_shape": (
        "A Dense layer acts on the last axis only, so a 28x28x1 image must become a vector of 784 values first "
        "(keras.layers.Flatten); the width of the last Dense layer sets the number of outputs."
    ),
    "simplenet_param_count": (
        "A Dense layer from n inputs to m units holds n*m weights plus m biases; count 784 -> 128 -> 10 by hand "
        "and compare with model.summary() to find the missing or extra layer."
    ),
    "simplenet_probabilities": (
        "The loss reads each output row as a probability distribution: non-negative values that sum to 1. "
        "Which activation of the last Dense layer guarantees that?"
    ),
    "simplenet_dropout": (
        "Keras calls a model with training=True inside fit() and training=False in predict() and evaluate(); "
        "a Dropout layer that receives this flag is active only while training."
    ),
    "simplenet_other_sizes": (
        "The constructor's arguments are the specification: one hidden layer per entry of hidden_layer_sizes and "
        "output_layer_sizes[0] classes; any 128 or 10 written in the class breaks other sizes."
    ),
    "simplenet_inference_deterministic": (
        "At inference a model must be a pure function of its input: randomness only where training is True, and "
        "every layer created once in __init__, never inside call()."
    ),
    "simplenet_forward_pass": (
        "The reference is softmax(relu(x W1 + b1) W2 + b2) on the image flattened row by row: check each layer's "
        "activation, and that no other layer changes the values at inference."
    ),
    "simplenet_accuracy": (
        "Keep the History that fit() returns and stay within SIMPLENET_EPOCH_BUDGET epochs; a dense network with "
        "Adam on scaled images passes 97% in a few, so a low score points at the data or the loss."
    ),
    "weight_plot": (
        "The first Dense kernel has shape (784, units): column j holds what hidden unit j responds to, and "
        "reshaped to 28x28 it is an image; plt.subplots gives one axis per picture for imshow."
    ),
    "tutorial_claims": (
        "Check each claim against the Keras documentation: the backends Keras 3 runs on, the arguments of "
        "Dropout, the methods of keras.Model, and whether SimpleNet has any convolution at all."
    ),
    # 02_layers_and_cnn: "Build dense and CNN layers"
    "dense_layer_weights": (
        "Weights whose size depends on the input belong in build(input_shape), which Keras calls on the first "
        "call with the real shape; self.add_weight creates trainable variables."
    ),
    "dense_layer_forward": (
        "A dense layer is a matrix product, then the bias, then the activation: check the order of the operands "
        "and that the function from keras.activations.get is applied to the result."
    ),
    "dense_layer_any_input": (
        "Inside keras.Sequential, build() receives an input_shape whose batch axis is None: only the last axis "
        "is known, and call() must work for any number of rows."
    ),
    "dense_layer_config": (
        "Keras rebuilds a saved layer by passing the dict from get_config() back to the constructor, so it holds "
        "every constructor argument as a plain value; keras.activations.serialize converts a function."
    ),
    "dense_layer_trains": (
        "fit() differentiates call() through the backend, so the computation must use Keras tensors (Python "
        "operators or keras.ops), not NumPy, on the variables created by add_weight."
    ),
    "conv_output_size_cases": (
        "Count the positions where the window can start: with valid padding it must fit inside the input, with "
        "same padding only the stride matters; MaxPooling2D's stride defaults to its pool size."
    ),
    "conv2d_forward_valid": (
        "Keras's Conv2D is a cross-correlation: output (i, j, o) sums input times kernel over the window starting "
        "at (i*stride, j*stride) and over all input channels, plus bias[o]; the kernel is not flipped."
    ),
    "conv2d_forward_same": (
        "Same padding is zero padding followed by a valid convolution: compute the total padding per axis from "
        "the formula in the instructions, put the smaller half before the image, then reuse the valid case."
    ),
    "cnn_layers": (
        "Compare model.summary() with the table row by row: a Conv2D holds (3*3*C_in + 1)*filters parameters, "
        "pooling halves sizes rounding down, and the shapes follow input_shape and num_classes."
    ),
    "cnn_accuracy": (
        "Keep the History that fit() returns, train on the first CNN_TRAIN_IMAGES images for CNN_EPOCH_BUDGET "
        "epoch, and match the loss to integer labels; Adam reaches about 95% in that one epoch."
    ),
    # 03_tune_training: "Tune training"
    "tuned_model_budget": (
        "The budget counts every sample train_step sees: epochs times the samples left after validation_split, "
        "augmented copies included; work it out before training, and check model.count_params() too."
    ),
    "tuned_accuracy": (
        "Read the training curves: a validation loss rising while the training loss falls is overfitting, and "
        "curves still falling at the last epoch mean the learning-rate schedule ends before the model settles."
    ),
}


def hint(grade_id):
    """The hint for the test cell `grade_id`, or "" for a grade id the course does not have."""
    return HINTS.get(grade_id, "")
