"""The whole nbgrader pipeline on a demo class: real commands, kernels, training and MNIST."""

import nbformat
import pytest
from nbgrader.validator import Validator
from traitlets.config import Config

from autograder.course import COURSE_ROOT, copy_course, graded_code_cells
from autograder.demo import format_report, grade_class
from autograder.demo_class import SUBMISSIONS, UNANSWERED, build_notebook
from autograder.settings import CELL_TIMEOUT_SECONDS

CLASS = SUBMISSIONS + UNANSWERED
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("course"))
    return course, grade_class(course, CLASS, echo=lambda line: None)


@pytest.mark.parametrize("submission", CLASS, ids=lambda submission: submission.student_id)
def test_submission_loses_exactly_the_points_of_the_tests_that_catch_it(graded, submission):
    """Does each submission fail exactly its expected tests, with messages naming the cause?"""
    _, results = graded
    got = results[submission.key]
    assert got is not None, f"{submission.student_id} was not graded"
    lost = {result.grade_id for result in got if not result.passed}
    assert lost == set(submission.expected_lost), submission.description
    for result in got:
        assert result.score in (0, result.max_score), result
    messages = {result.grade_id: result.message for result in got}
    for grade_id, phrase in submission.message_contains.items():
        assert phrase in messages[grade_id], messages[grade_id]


def test_reference_solution_gets_every_autograded_point(graded):
    _, results = graded
    for submission in CLASS:
        if submission.student_id == "reference":
            reference = results[submission.key]
            assert sum(result.score for result in reference) == sum(result.max_score for result in reference) > 0


def test_every_solution_cell_is_tested(graded):
    """Does leaving out any single answer cost points?"""
    _, results = graded
    for submission in UNANSWERED:
        assert any(not result.passed for result in results[submission.key]), submission.student_id


def test_no_graded_test_cell_writes_to_stderr(graded):
    """Are test cells silent on stderr (nbgrader scores such a cell 0), whatever the submission?"""
    course, _ = graded
    noisy = []
    for path in sorted((course / "autograded").glob("*/*/*.ipynb")):
        for cell in graded_code_cells(path):
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    noisy.append((path.parts[-3], cell.metadata["nbgrader"]["grade_id"], output.text[:200]))
    assert noisy == []


def test_feedback_and_grades_are_written_for_every_student(graded):
    course, _ = graded
    for submission in CLASS:
        feedback = course / "feedback" / submission.student_id / submission.assignment / f"{submission.notebook}.html"
        assert feedback.is_file(), feedback
    grades = (course / "grades.csv").read_text()
    for submission in CLASS:
        assert f",{submission.student_id}," in grades


def test_feedback_shows_the_failure_message(graded):
    course, _ = graded
    html = (course / "feedback" / "no_flatten" / "01_fix_simplenet" / "fix_simplenet.html").read_text()
    assert "flatten them first" in html


def test_report_has_a_row_per_student_and_a_column_per_test(graded):
    _, results = graded
    report = format_report(results, CLASS)
    assert "reference" in report and "12/12" in report
    assert "no_flatten, simplenet_output_shape: CheckFailure: wrong output shape" in report


def test_submissions_went_through_the_exchange(graded):
    """Were the notebooks submitted with `nbgrader submit` and gathered with `nbgrader collect`?"""
    course, _ = graded
    inbound = [path.name for path in (course / "exchange" / "keras-course" / "inbound").iterdir()]
    for submission in CLASS:
        assert any(name.startswith(f"{submission.student_id}+{submission.assignment}+") for name in inbound)
        assert (course / "submitted" / submission.student_id / submission.assignment / "timestamp.txt").is_file()


def test_reference_reaches_the_top_accuracy_tier_and_the_faker_gets_no_accuracy_points(graded):
    """Is assignment 3's accuracy scored from the clean process, whatever the kernel reported?"""
    _, results = graded
    by_student = {
        submission.student_id: {result.grade_id: result for result in results[submission.key]}
        for submission in CLASS if submission.assignment == "03_tune_training"
    }
    assert by_student["reference"]["tuned_accuracy"].score == 3
    assert "measured in a clean process" in by_student["reference"]["tuned_accuracy"].message
    faker = by_student["faker"]
    assert faker["tuned_model_budget"].passed and faker["tuned_accuracy"].score == 0
    assert "100.00%" not in faker["tuned_accuracy"].message


def test_the_faker_fools_its_own_kernel_only(tmp_path):
    """In its own kernel (nbgrader validate) the faking notebook passes the accuracy test that autograde fails."""
    (faker,) = [submission for submission in CLASS
                if submission.student_id == "faker" and submission.assignment == "03_tune_training"]
    path = tmp_path / "tune_training.ipynb"
    nbformat.write(build_notebook(
        faker, COURSE_ROOT / "release" / faker.assignment / "tune_training.ipynb",
        COURSE_ROOT / "source" / faker.assignment / "tune_training.ipynb",
    ), path)
    config = Config()
    config.Execute.timeout = CELL_TIMEOUT_SECONDS
    results = Validator(config=config).validate(str(path))
    failed = [cell["source"] for cell in results.get("failed", [])]
    assert not any("grade_accuracy" in source for source in failed), failed


# The reference solutions, wrong answers of each assignment (a syntax error, a partly right CNN, a faker, a budget
# breaker) and an untouched notebook; assignment 3's reference is left out only because it trains for 3 minutes.
CHECKED = [("reference", "01_fix_simplenet"), ("syntax_error", "01_fix_simplenet"),
           ("reference", "02_layers_and_cnn"), ("untouched", "02_layers_and_cnn"), ("flipped_kernel", "02_layers_and_cnn"),
           ("faker", "03_tune_training"), ("fit_twice", "03_tune_training")]


@pytest.mark.parametrize("key", CHECKED, ids=lambda key: f"{key[1]}-{key[0]}")
def test_check_gives_the_score_that_nbgrader_autograde_gave(graded, key):
    """Does `keras-course check` on a submitted notebook score each test exactly as `nbgrader autograde` did?"""
    from autograder.checker import run_check

    course, results = graded
    submission = next(submission for submission in CLASS if submission.key == key)
    notebook = course / "submitted" / submission.student_id / submission.assignment / f"{submission.notebook}.ipynb"
    report = run_check(notebook, course=course)
    assert report.hidden_tests and report.graded
    assert {test.grade_id: test.points for test in report.tests} == {
        result.grade_id: result.score for result in results[key]
    }
    for test in report.tests:
        assert test.passed or test.message, test
    assert report.passed == (not submission.expected_lost)
