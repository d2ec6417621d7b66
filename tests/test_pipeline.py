"""The whole nbgrader pipeline on the class of every assignment: real commands, kernels, training and MNIST.

The class (tests/conftest.py: every assignment's demo submissions, and one submission per
solution cell left unanswered) is graded once per session, by the `graded_class` fixture.
The reference submissions are the source notebooks' solutions, so their full marks here
also show that every source notebook passes its own tests, hidden ones included.
"""

import csv
import html
import re
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import all_assignments
from autograder.cells import autograded_cells
from autograder.demo import STUDENT_CACHE, format_class_table
from autograder.report.lms_export import CanvasExport, MoodleExport
from autograder.settings import COURSE_ROOT
from tests.conftest import the_class

CLASS = the_class()
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("submission", CLASS, ids=lambda submission: f"{submission.assignment}-{submission.student_id}")
def test_submission_loses_exactly_the_points_of_the_tests_that_catch_it(graded_class, submission):
    """Does each submission fail exactly its expected tests, with messages naming the cause?"""
    got = graded_class.results[submission.key]
    assert got is not None, f"{submission.student_id} was not graded"
    lost = {result.grade_id for result in got if not result.passed}
    assert lost == set(submission.expected_lost), submission.description
    for result in got:
        assert result.points in (0, result.max_points), result
    # What a student reads of a failure: its message, then its hint.
    messages = {result.grade_id: f"{result.message}\nHint: {result.hint}" for result in got}
    for grade_id, phrase in submission.message_contains.items():
        assert phrase in messages[grade_id], messages[grade_id]


@pytest.mark.parametrize("assignment", all_assignments(), ids=lambda assignment: assignment.name)
def test_reference_solution_gets_every_autograded_point(graded_class, assignment):
    """Does the source notebook's solution, graded as a submission with hidden tests, get every autograded point?"""
    reference = graded_class.results[("reference", assignment.name)]
    assert {result.grade_id for result in reference} == assignment.grade_ids
    assert all(result.passed for result in reference), [result for result in reference if not result.passed]


def test_every_solution_cell_is_tested(graded_class):
    """Does leaving out any single answer cost points?"""
    for submission in CLASS:
        if submission.unanswered:
            assert any(not result.passed for result in graded_class.results[submission.key]), submission.student_id


def test_no_graded_test_cell_writes_to_stderr(graded_class):
    """Are test cells silent on stderr (nbgrader scores such a cell 0), whatever the submission?"""
    noisy = []
    for path in sorted(path for submission in CLASS if (path := graded_class.path("autograded", submission)).is_file()):
        for cell in autograded_cells(nbformat.read(path, as_version=4)):
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    noisy.append((path.parts[-3], cell.metadata["nbgrader"]["grade_id"], output.text[:200]))
    assert noisy == []


def test_feedback_and_grades_are_written_for_every_student(graded_class):
    for submission in CLASS:
        feedback = graded_class.path("feedback", submission, ".html")
        assert feedback.is_file(), feedback
        grades = (graded_class.course(submission.assignment) / "grades.csv").read_text()
        assert f",{submission.student_id}," in grades


def test_the_lms_files_hold_every_student_with_nbgraders_scores(graded_class):
    """The class's Canvas and Moodle files (autograder/report/lms_export.py) agree with nbgrader's grades.csv."""
    for course in {graded_class.course(submission.assignment) for submission in CLASS}:
        with open(course / "grades.csv", newline="") as file:
            scores = {(row["student_id"], row["assignment"]): float(row["score"]) for row in csv.DictReader(file)}
        with open(course / CanvasExport.filename, newline="") as file:
            header, points, *canvas = list(csv.reader(file))
        with open(course / MoodleExport.filename, newline="") as file:
            moodle_header, *moodle = list(csv.reader(file))
        assignments = header[len(CanvasExport.HEADER):]
        assert {student for student, _ in scores} == {row[3] for row in canvas} == {row[0] for row in moodle}
        for row in canvas:
            for assignment, value in zip(assignments, row[len(CanvasExport.HEADER):]):
                if value:  # blank: a written answer not graded yet
                    assert float(value) == scores[(row[3], assignment)], (row[3], assignment)
        for row in moodle:
            for index, assignment in enumerate(assignments):
                value = row[len(MoodleExport.HEADER) + 2 * index]
                if value != MoodleExport.NO_GRADE:
                    assert float(value) == scores[(row[0], assignment)], (row[0], assignment)


def page_text(path):
    """The text a browser shows of an HTML page: tags dropped (code is split into highlighting spans), entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", Path(path).read_text()))


def feedback_test_cells(path, grade_ids):
    """{grade_id: the text the feedback page shows for that test cell (its code and outputs)} of the cells in `grade_ids`."""
    texts = {}
    for block in Path(path).read_text().split('<div class="cell border-box-sizing')[1:]:
        name = re.search(r'<a name="([^"]+)"></a>', block)
        if name and name[1] in grade_ids:
            texts[name[1]] = html.unescape(re.sub(r"<[^>]+>", "", block))
    return texts


def feedback_html(graded_class, student_id, assignment):
    """The text of a student's feedback page."""
    return page_text(graded_class.path("feedback", graded_class.submission(student_id, assignment), ".html"))


def hidden_lines():
    """Every line of every hidden-test block of the source notebooks (what no student may read)."""
    lines = set()
    for path in (COURSE_ROOT / "source").glob("*/*.ipynb"):
        for cell in autograded_cells(nbformat.read(path, as_version=4)):
            if "### BEGIN HIDDEN TESTS" in cell.source:
                block = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
                lines.update(line.strip() for line in block.splitlines() if len(line.strip()) > 3)
    return lines


def test_feedback_shows_the_failure_message_and_the_declared_hint(graded_class):
    """Does a failed test's feedback show its message and the test's hint, declared once in the assignment?"""
    from autograder.assignments import hint

    html = feedback_html(graded_class, "no_flatten", "01_fix_simplenet")
    assert "flatten them first" in html
    assert hint("weight_plot")[:60] in html


def test_no_feedback_shows_hidden_test_code_or_the_graders_traceback(graded_class):
    """Do the feedback pages show that a hidden test failed and why, without its code or the grader's files?"""
    secret = hidden_lines()
    assert secret, "the source notebooks have hidden tests"
    autograded = "".join(graded_class.path("autograded", submission).read_text()
                         for submission in CLASS if submission.student_id == "reference")
    assert all(line in autograded or line.replace('"', '\\"') in autograded for line in secret), (
        "the autograded notebooks, from which feedback is made, hold the hidden tests"
    )
    pages = [graded_class.path("feedback", submission, ".html") for submission in CLASS]
    tests = {test.grade_id for assignment in all_assignments() for test in assignment.autograded()}
    for page in pages:
        text = page_text(page)
        shown = [line for line in secret if line in text]
        assert not shown, (page, shown)
        cells = feedback_test_cells(page, tests)
        assert cells, page
        for grade_id, cell in cells.items():
            assert "Traceback (most recent call last)" not in cell and "autograder/" not in cell, (page, grade_id, cell)
    # A hidden case that fails is still reported: the even kernel only the hidden cases have.
    text = feedback_html(graded_class, "same_padding_arithmetic", "02_layers_and_cnn")
    assert "conv_output_size(28, 4, stride=1, padding='same')" in text


def feedback_results(path):
    """{grade_id: (status, lines)} of a feedback page: what it says under each graded cell's name.

    The status is "passed", "failed", "partial" or "pending"; the lines are what a student reads, the first first.
    """
    results = {}
    page = Path(path).read_text()
    for box in re.finditer(r'<div class="result result-(\w+)" data-grade-id="([^"]+)">(.*?)</div>', page, re.S):
        lines = re.findall(r'<p class="feedback-[^"]*">(.*?)</p>', box[3], re.S)
        results[box[2]] = (box[1], [html.unescape(re.sub(r"<[^>]+>", "", line)).strip() for line in lines])
    return results


def summary_rows(path):
    """[(status, grade_id, text)] of the rows of the summary at the top of a feedback page, in order."""
    rows = re.findall(r'<tr class="test-(\w+)" data-grade-id="([^"]+)">(.*?)</tr>', Path(path).read_text(), re.S)
    return [(status, grade_id, html.unescape(re.sub(r"<[^>]+>", " ", row))) for status, grade_id, row in rows]


def problems_of(path):
    """The text of each problem listed at the top of a feedback page ("What to fix"), in order."""
    items = re.findall(r'<li id="problem-\d+">(.*?)</li>', Path(path).read_text(), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


# "the answer cell `simplenet` (In [9]) is not answered yet", "the cell `simplenet` (In [9]) failed with SyntaxError":
# a cell is named by its prompt, as the notebook on the same page shows it
EARLIER_CELL_NAMED = re.compile(r"the (?:answer )?cell `([\w-]+)` \(In \[(\d+)\]\)")


def first_error(cell):
    """(ename, evalue) of the first error a cell's outputs hold, or None."""
    return next(((output.ename, output.evalue) for output in cell.outputs if output.output_type == "error"), None)


@pytest.mark.parametrize("submission", [submission for submission in CLASS if submission.expected_lost],
                         ids=lambda submission: f"{submission.assignment}-{submission.student_id}")
def test_feedback_says_first_why_each_lost_test_failed_and_each_cause_once(graded_class, submission):
    """Does the first line of each lost test's feedback name the earlier cell that failed and its error, or what
    the check found, and is each root cause listed once at the top with every test it costs?"""
    from autograder.assignments import assignment as find_assignment
    from autograder.cells import grade_id_of
    from autograder.errors import strip_ansi
    from autograder.failures import STOPPED

    owner = find_assignment(submission.assignment)
    page = graded_class.path("feedback", submission, ".html")
    said = feedback_results(page)
    results = graded_class.results[submission.key]
    lost = {result.grade_id for result in results if not result.passed}
    autograded = {result.grade_id for result in results}
    assert {grade_id for grade_id, (status, _) in said.items()
            if grade_id in autograded and status in ("failed", "partial")} == lost
    cells = nbformat.read(graded_class.path("autograded", submission), as_version=4).cells
    position_of = {grade_id_of(cell): position for position, cell in enumerate(cells, start=1)}
    by_prompt = {cell.get("execution_count"): cell for cell in cells if cell.cell_type == "code"}
    for grade_id in lost:
        lines = said[grade_id][1]
        first = lines[0]
        named = EARLIER_CELL_NAMED.search(first)
        if named:
            cell_id, cell = named[1], by_prompt[int(named[2])]
            assert grade_id_of(cell) == cell_id and position_of[cell_id] < position_of[grade_id], first
            ename, _ = first_error(cell)
            assert ename in first or (ename == "NotImplementedError" and "is not answered yet" in first), first
            if submission.unanswered:
                assert cell_id in submission.unanswered, first
            continue
        error = first_error(cells[position_of[grade_id] - 1])
        if error is None:  # partial credit: what the test printed
            assert first in "".join(output.get("text", "") for output in cells[position_of[grade_id] - 1].outputs)
        elif error[0] == "CheckFailure":
            assert first == strip_ansi(error[1]).strip().splitlines()[0].strip(), first
        elif error[0] == STOPPED:
            assert first in error[1], first
        else:
            # A missing name is put down to the cell that should have made it, never shown bare.
            assert error[0] not in ("NameError", "UnboundLocalError") and first.startswith(error[0]), first
        if any(grade_id in owner.tests_using(cell) for cell in submission.unanswered):
            # the answer's function is defined, and raises the placeholder's error when called
            assert "NotImplementedError" in first, first
        if grade_id in submission.message_contains:
            assert submission.message_contains[grade_id] in " ".join(lines), lines
    problems = problems_of(page)
    named_cells = [found[1] for problem in problems if (found := EARLIER_CELL_NAMED.search(problem))]
    assert len(named_cells) == len(set(named_cells)), problems
    costs = [re.findall(r"\b\w+\b", problem.rpartition("It costs")[2]) for problem in problems]
    assert sorted(grade_id for cost in costs for grade_id in cost if grade_id in lost) == sorted(lost), problems


def test_feedback_summary_names_every_test_with_its_question_and_points(graded_class):
    """Does the summary at the top of each page list every graded cell by grade id and question, with its points?"""
    by_name = {assignment.name: assignment for assignment in all_assignments()}
    for submission in CLASS:
        page = graded_class.path("feedback", submission, ".html")
        assignment = by_name[submission.assignment]
        rows = summary_rows(page)
        assert [grade_id for _, grade_id, _ in rows] == [test.grade_id for test in assignment.tests()], page
        results = {result.grade_id: result for result in graded_class.results[submission.key]}
        tests = {test.grade_id: test for test in assignment.tests()}
        for status, grade_id, text in rows:
            test = tests[grade_id]
            assert test.question in text, (page, grade_id)
            if not test.manual:
                result = results[grade_id]
                assert f"{result.points:g} / {result.max_points:g} point" in text, (page, grade_id, text)
                assert (status == "passed") == result.passed, (page, grade_id, status)
        cells = feedback_test_cells(page, {test.grade_id for test in assignment.tests()})
        questions = {test.grade_id: test.question for test in assignment.tests()}
        assert all(questions[grade_id] in cell for grade_id, cell in cells.items()), page
        assert "Test cell (Score" not in page_text(page)


def test_feedback_says_a_written_answer_is_not_graded_yet_until_it_is(graded_class):
    """Is assignment 1's written answer "not graded yet" exactly while the gradebook says it needs a manual grade?"""
    from nbgrader.api import Gradebook

    seen = set()
    for submission in CLASS:
        if submission.assignment != "01_fix_simplenet":
            continue
        course = graded_class.course(submission.assignment)
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            grade = gradebook.find_grade("tutorial_claims", submission.notebook, submission.assignment,
                                         submission.student_id)
            pending, score, points = grade.needs_manual_grade, grade.score, grade.max_score
        (text,) = [text for _, grade_id, text in summary_rows(graded_class.path("feedback", submission, ".html"))
                   if grade_id == "tutorial_claims"]
        if pending:
            assert "not graded yet" in text and f"{score:g} / {points:g}" not in text, text
        else:  # nbgrader gives an answer left as released 0 points itself
            assert f"{score:g} / {points:g} points" in text and "not graded yet" not in text, text
        seen.add(pending)
    assert seen == {True, False}, "the class has answers waiting for a grader and an answer left as released"


def test_no_feedback_shows_an_instructor_path(graded_class):
    """Do the pages hide the course folder, the grader's home and Python, and the files of the `autograder` package?"""
    import sys

    forbidden = {str(COURSE_ROOT), str(Path.home()) + "/", sys.prefix, sys.base_prefix, "site-packages", "autograder/"}
    autograded = "".join(graded_class.path("autograded", submission).read_text() for submission in CLASS)
    assert "site-packages" in autograded, "the autograded notebooks, from which feedback is made, hold such paths"
    for submission in CLASS:
        page = re.sub(r"data:[^\"')\s]+", "", graded_class.path("feedback", submission, ".html").read_text())
        course = str(graded_class.course(submission.assignment))
        shown = [path for path in (*forbidden, course) if path in page]
        assert not shown, (submission.key, shown)
        assert "For the grader" not in page  # the course's answer and rubric are the Formgrader's only


def test_no_feedback_page_needs_the_network(graded_class):
    """Does every page load nothing from outside itself: no script, no link or source but its anchors and data?"""
    for submission in CLASS:
        page = graded_class.path("feedback", submission, ".html").read_text()
        links = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
        links += re.findall(r"""url\(\s*["']?([^"')\s]+)""", page) + re.findall(r"""@import\s+["']?([^"';\s]+)""", page)
        assert all(link.startswith(("#", "data:")) for link in links), (submission.key, links)
        assert "<script" not in page and "default-src 'none'" in page, submission.key


def test_class_table_has_a_row_per_student_and_a_column_per_test(graded_class):
    table = format_class_table(graded_class.results, CLASS)
    assert "reference" in table and "12/12" in table
    assert "no_flatten, simplenet_output_shape: CheckFailure: wrong output shape" in table
    # What the totals count: assignment 1's written answer is graded by hand, the others have none.
    assert table.count("The totals count autograded points. 2 more points (written answers)") == 1


def test_submissions_went_through_the_exchange(graded_class):
    """Were the notebooks submitted with `nbgrader submit` and gathered with `nbgrader collect`?"""
    for submission in CLASS:
        course = graded_class.course(submission.assignment)
        inbound = [path.name for path in (course / "exchange" / "keras-course" / "inbound").iterdir()]
        assert any(name.startswith(f"{submission.student_id}+{submission.assignment}+") for name in inbound)
        assert graded_class.path("submitted", submission).with_name("timestamp.txt").is_file()


def test_the_class_submits_into_its_own_cache_never_the_users(graded_class):
    """Does each student's `nbgrader submit` record its submission in the class's course folder, and never in the
    user's own nbgrader cache, which the Assignment List of `make lab` shows as "Submitted"?"""
    from jupyter_core.paths import jupyter_data_dir

    users_cache = Path(jupyter_data_dir()) / "nbgrader_cache" / "keras-course"
    for submission in CLASS:
        course = graded_class.course(submission.assignment)
        records = [path.name for path in (course / STUDENT_CACHE / "keras-course").iterdir()
                   if path.name.startswith(f"{submission.student_id}+{submission.assignment}+")]
        assert len(records) == 1, (submission.key, records)
        assert not (users_cache / records[0]).exists()


def test_reference_reaches_the_top_accuracy_tier_and_the_faker_gets_no_accuracy_points(graded_class):
    """Is assignment 3's accuracy scored from the clean process, whatever the kernel reported?"""
    by_student = {
        submission.student_id: {result.grade_id: result for result in graded_class.results[submission.key]}
        for submission in CLASS if submission.assignment == "03_tune_training"
    }
    assert by_student["reference"]["tuned_accuracy"].points == 3
    faker = by_student["faker"]
    assert faker["tuned_model_budget"].passed and faker["tuned_accuracy"].points == 0
    assert "100.00%" not in faker["tuned_accuracy"].message
    assert "measured in a clean process" in feedback_html(graded_class, "reference", "03_tune_training")


def test_the_faker_fools_its_own_kernel_only(tmp_path):
    """In its own kernel (nbgrader validate) the faking notebook passes the accuracy test that autograde fails."""
    from nbgrader.validator import Validator
    from traitlets.config import Config

    from autograder.assignments.submission import build_notebook
    from autograder.settings import CELL_TIMEOUT_SECONDS

    (faker,) = [submission for submission in CLASS
                if submission.student_id == "faker" and submission.assignment == "03_tune_training"]
    path = tmp_path / faker.filename
    nbformat.write(build_notebook(
        faker, COURSE_ROOT / "release" / faker.assignment / faker.filename,
        COURSE_ROOT / "source" / faker.assignment / faker.filename,
    ), path)
    config = Config()
    config.Execute.timeout = CELL_TIMEOUT_SECONDS
    results = Validator(config=config).validate(str(path))
    failed = [cell["source"] for cell in results.get("failed", [])]
    assert not any("grade_accuracy" in source for source in failed), failed


# The reference solutions, wrong answers of each assignment (a syntax error, a partly right CNN, a faker, a budget
# breaker) and an untouched notebook; assignment 3's reference is left out only because it trains for minutes.
CHECKED = [("reference", "01_fix_simplenet"), ("syntax_error", "01_fix_simplenet"),
           ("reference", "02_layers_and_cnn"), ("untouched", "02_layers_and_cnn"), ("flipped_kernel", "02_layers_and_cnn"),
           ("faker", "03_tune_training"), ("fit_twice", "03_tune_training")]


@pytest.mark.parametrize("key", CHECKED, ids=lambda key: f"{key[1]}-{key[0]}")
def test_check_gives_the_score_that_nbgrader_autograde_gave(graded_class, key):
    """Does `keras-course check` on a submitted notebook score each test exactly as `nbgrader autograde` did?"""
    from autograder.selfcheck.command import run_check
    from tests.grading_runs import timed

    submission = graded_class.submission(*key)
    notebook = graded_class.path("submitted", submission)
    with timed(f"keras-course check {submission.assignment} {submission.student_id}"):
        report = run_check(notebook, course=graded_class.course(submission.assignment))
    assert report.hidden_tests and report.graded
    assert {test.grade_id: test.points for test in report.tests} == {
        result.grade_id: result.points for result in graded_class.results[key]
    }
    for test in report.tests:
        assert test.passed or test.message, test
        # `--json` gives every failure the same fields: the message without its hint, the hint apart, the cause.
        assert "Hint:" not in test.message and (test.passed or test.hint or "NotebookStopped" in test.message), test
    if submission.student_id == "syntax_error":
        assert all("`simplenet`" in test.cause and "SyntaxError" in test.cause for test in report.tests
                   if not test.passed and test.message.startswith("NameError")), report.tests
    assert report.passed == (not submission.expected_lost)


@pytest.mark.parametrize("submission", [s for s in CLASS if s.unanswered],
                         ids=lambda submission: f"{submission.assignment}-{submission.student_id}")
def test_a_test_that_needs_an_unanswered_cell_says_so(graded_class, submission):
    """Does each test a student lost by leaving an answer cell as released name that cell, or the placeholder?"""
    (cell,) = submission.unanswered
    results = {result.grade_id: result for result in graded_class.results[submission.key]}
    for grade_id in all_assignments_by_name()[submission.assignment].tests_using(cell):
        result = results[grade_id]
        assert not result.passed
        assert f"`{cell}`" in result.cause or "placeholder" in result.message, result


def all_assignments_by_name():
    return {assignment.name: assignment for assignment in all_assignments()}
