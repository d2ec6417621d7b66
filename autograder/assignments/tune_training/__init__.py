"""Assignment 3, "Tune training": its tests, declared once. Both are graded outside the student's kernel."""

from autograder.assignments import Assignment, GradedTest, TrainingSummary
from autograder.assignments.tune_training import checks
from autograder.assignments.tune_training.trainer import GraderTraining
from autograder.assignments.tune_training.training import ARTIFACTS
from autograder.settings import TUNE_ACCURACY_TIERS, TUNE_MAX_PARAMS, TUNE_MAX_SAMPLES

_ANSWERS = ("build_model", "train")
_TIERS = ", ".join(f"{points} from {minimum:.1%}" for minimum, points in TUNE_ACCURACY_TIERS)

TESTS = (
    GradedTest(
        "tuned_model_budget", 1,
        f"Was the model trained through fit() within the budget: at most {TUNE_MAX_PARAMS:,} parameters and "
        f"{TUNE_MAX_SAMPLES:,} samples?",
        "The budget counts every sample train_step sees: epochs times the samples left after validation_split, "
        "augmented copies included; work it out before training, and check model.count_params() too.",
        (checks.check_training_budget,), _ANSWERS, grader=checks.check_training_budget, artifacts=ARTIFACTS,
    ),
    GradedTest(
        "tuned_accuracy", max(points for _, points in TUNE_ACCURACY_TIERS),
        f"What accuracy does the saved model reach on the MNIST test split, measured in a clean process? (points: {_TIERS})",
        "Read the training curves: a validation loss rising while the training loss falls is overfitting, and "
        "curves still falling at the last epoch mean the learning-rate schedule ends before the model settles.",
        (checks.grade_accuracy,), _ANSWERS, grader=checks.grade_accuracy, artifacts=ARTIFACTS,
    ),
)

ASSIGNMENT = Assignment(
    "03_tune_training", "tune_training", "Tune training", TESTS, __name__, kernel_reads_test_split=False,
    training=TrainingSummary(checks.measured_model, TUNE_ACCURACY_TIERS, TUNE_MAX_PARAMS), hooks=GraderTraining,
)
