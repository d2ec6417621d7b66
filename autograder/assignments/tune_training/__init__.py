"""Assignment 3, "Tune training": what its tests need besides the notebook, declared once.

Both tests are graded outside the student's kernel, on the model the grader trains.
"""

from autograder.assignments import Assignment, GradedTest, TrainingSummary
from autograder.assignments.tune_training import checks
from autograder.assignments.tune_training.training import ARTIFACTS
from autograder.settings import TUNE_ACCURACY_TIERS, TUNE_MAX_PARAMS

_ANSWERS = ("build_model", "train")

TESTS = (
    GradedTest(
        "tuned_model_budget",
        hint=(
            "The budget counts every sample train_step sees: epochs times the samples left after validation_split, "
            "augmented copies included; work it out before training, and check model.count_params() too."
        ),
        checks=(checks.check_training_budget,),
        uses=_ANSWERS,
        grader=checks.check_training_budget,
        artifacts=ARTIFACTS,
    ),
    GradedTest(
        "tuned_accuracy",
        hint=(
            "Read the training curves: a validation loss rising while the training loss falls is overfitting, and "
            "curves still falling at the last epoch mean the learning-rate schedule ends before the model settles."
        ),
        checks=(checks.grade_accuracy,),
        uses=_ANSWERS,
        grader=checks.grade_accuracy,
        artifacts=ARTIFACTS,
    ),
)

ASSIGNMENT = Assignment(
    "03_tune_training", "tune_training", "Tune training", TESTS, __name__, kernel_reads_test_split=False,
    training=TrainingSummary(checks.measured_model, TUNE_ACCURACY_TIERS, TUNE_MAX_PARAMS), hooks="autograder.assignments.tune_training.grader.trainer:GraderTraining",
)
