"""`keras-course check NOTEBOOK`: clear errors (exit 2) for what cannot be checked, real grades otherwise.

The error paths stop before nbgrader runs and go through Click's `CliRunner`. The `slow` tests run
the real `nbgrader autograde` on one test each (`--question`), through `CliRunner`, `python -m
autograder` and the installed `keras-course` script, to pin the exit codes: 0 = every test passed,
1 = a test failed or the kernel died, 2 = cannot be checked.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.assignments import hint
from autograder.cells import grade_id_of
from autograder.cli import main
from autograder.failures import CAUSE_HINT
from autograder.grading.nbgrader_commands import copy_course
from autograder.grading.one_student import GradedStudent
from autograder.grading.results import TestResult, result_of
from autograder.selfcheck.command import CheckReport, answer_notes, not_graded_reason
from autograder.selfcheck.course import CheckError, course_notebooks, identify
from autograder.selfcheck.report import format_report
from autograder.settings import COURSE_ROOT

ASSIGNMENT = "02_layers_and_cnn"
NOTEBOOK = "layers_and_cnn.ipynb"
RELEASE = COURSE_ROOT / "release" / ASSIGNMENT / NOTEBOOK
SOLUTION = COURSE_ROOT / "solutions" / ASSIGNMENT / NOTEBOOK
FIX_SIMPLENET = COURSE_ROOT / "release" / "01_fix_simplenet" / "fix_simplenet.ipynb"
QUESTION = "conv_output_size_cases"
KERAS_COURSE = Path(sys.executable).parent / "keras-course"


def check(*args):
    """`keras-course check ARGS` through Click's runner (stdout and stderr kept apart)."""
    return CliRunner().invoke(main, ["check", *map(str, args)])


def copy_to(folder, source=RELEASE, name=NOTEBOOK):
    """A copy of the notebook `source` as `folder/name`."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(source, folder / name))


def edited_copy(folder, edits, source=RELEASE):
    """A copy of `source` in `folder` whose cells named in `edits` (grade id -> new source) are rewritten."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if grade_id_of(cell) in edits:
            cell.source = edits[grade_id_of(cell)]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / source.name)
    return folder / source.name


def release_source(grade_id):
    """The source of the release cell `grade_id`."""
    return next(cell.source for cell in nbformat.read(RELEASE, as_version=4).cells if grade_id_of(cell) == grade_id)


def course_without_source(folder):
    """A course at `folder` as a student checkout may have it: nbgrader_config.py and release/, no source/."""
    folder.mkdir(parents=True)
    shutil.copy2(COURSE_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(COURSE_ROOT / "release", folder / "release")
    return folder


def assert_cannot_check(result, *words):
    """Exit 2, `error: ...` on stderr with all of `words`, nothing on stdout."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    for word in words:
        assert word in result.stderr, result.stderr
    assert result.stdout == ""


# What cannot be checked: exit 2 and a message that says why ---------------------------------


def test_a_missing_path_is_no_such_file(tmp_path):
    """Does a path that does not exist say so?"""
    assert_cannot_check(check(tmp_path / "nothing.ipynb"), "nothing.ipynb", "no such file")


def test_a_folder_asks_for_a_notebook(tmp_path):
    """Does a folder say it is a folder and ask for a notebook's path?"""
    assert_cannot_check(check(tmp_path), "is a folder", ".ipynb")


def test_a_file_that_is_no_notebook_is_refused():
    """Is a file that is not an .ipynb (the README) refused as not a Jupyter notebook?"""
    assert_cannot_check(check(COURSE_ROOT / "README.md"), "README.md", "is not a Jupyter notebook")


def test_corrupt_json_is_not_a_valid_notebook(tmp_path):
    """Does a truncated notebook (broken JSON) say it is not valid and how to recover?"""
    text = RELEASE.read_text()
    (tmp_path / NOTEBOOK).write_text(text[: len(text) // 2])
    assert_cannot_check(check(tmp_path / NOTEBOOK), "is not a valid notebook", "Revert Notebook to Checkpoint")


def test_json_that_is_no_notebook_is_not_a_valid_notebook(tmp_path):
    """Is well-formed JSON without a notebook's structure refused as an invalid notebook?"""
    (tmp_path / NOTEBOOK).write_text(json.dumps({"answers": [1, 2, 3]}))
    assert_cannot_check(check(tmp_path / NOTEBOOK), "is not a valid notebook")


def test_a_notebook_of_no_course_is_refused(tmp_path):
    """Does a fresh notebook (no test cells) say it is not a notebook of this course, naming the course's notebooks?"""
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), tmp_path / "mine.ipynb")
    assert_cannot_check(check(tmp_path / "mine.ipynb"), "is not a notebook of this course", f"{ASSIGNMENT}/{NOTEBOOK}")


def test_stripped_nbgrader_metadata_is_explained(tmp_path):
    """Does a course notebook whose nbgrader metadata a cleaning tool removed say so, and what to do?"""
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    nbformat.write(nb, tmp_path / NOTEBOOK)
    assert_cannot_check(
        check(tmp_path / NOTEBOOK), "has none of the test cells", "metadata is gone", f"release/{ASSIGNMENT}/{NOTEBOOK}"
    )


def test_a_notebook_in_another_assignments_folder_is_refused(tmp_path):
    """Is assignment 1's notebook in a folder named after assignment 2 refused, naming both assignments?"""
    path = copy_to(tmp_path / ASSIGNMENT, FIX_SIMPLENET, FIX_SIMPLENET.name)
    assert_cannot_check(check(path), "is the notebook of assignment 01_fix_simplenet", f"not of {ASSIGNMENT}")


def test_a_notebook_of_another_assignment_is_refused_with_assignment_option(tmp_path):
    """Is assignment 1's notebook refused when `--assignment` names assignment 2?"""
    path = copy_to(tmp_path, FIX_SIMPLENET, FIX_SIMPLENET.name)
    assert_cannot_check(
        check(path, "--assignment", ASSIGNMENT), "is the notebook of assignment 01_fix_simplenet", f"not of {ASSIGNMENT}"
    )


def test_an_unknown_assignment_lists_the_assignments():
    """Does an unknown `--assignment` name the course's assignments?"""
    assert_cannot_check(
        check(RELEASE, "--assignment", "04_transformers"),
        "no assignment '04_transformers'", "01_fix_simplenet", ASSIGNMENT, "03_tune_training",
    )


def test_an_unknown_question_lists_the_tests():
    """Does an unknown `--question` name the notebook's tests?"""
    assert_cannot_check(
        check(RELEASE, "--question", "conv_output"), "'conv_output' is not a test of", QUESTION, "cnn_accuracy"
    )


def test_a_course_option_that_is_no_course_is_refused(tmp_path):
    """Does `--course` pointing at a folder without nbgrader_config.py and release/ say it is no course?"""
    assert_cannot_check(check(RELEASE, "--course", tmp_path), "is not a course folder", "nbgrader_config.py")


def test_a_missing_kernel_names_it_and_the_installed_ones(tmp_path):
    """Does a course notebook whose kernel is not installed name that kernel, the installed ones and the fix?"""
    course = copy_course(tmp_path / "course")
    source = course / "source" / ASSIGNMENT / NOTEBOOK
    nb = nbformat.read(source, as_version=4)
    nb.metadata.kernelspec.name = "python-nowhere"
    nbformat.write(nb, source)
    result = check(course / "release" / ASSIGNMENT / NOTEBOOK, "--course", course)
    assert_cannot_check(result, "'python-nowhere'", "not installed", "python3", "make setup")


def test_json_errors_are_printed_as_json(tmp_path):
    """With `--json`, is an error also printed on stdout as `{"error": ...}`?"""
    result = check(tmp_path / "nothing.ipynb", "--json")
    assert result.exit_code == 2
    assert "no such file" in json.loads(result.stdout)["error"]
    assert result.stderr.startswith("error: ")


def test_a_timeout_below_one_second_is_a_usage_error():
    """Is `--timeout 0` refused by the option parser (exit 2) before anything runs?"""
    result = check(RELEASE, "--timeout", "0")
    assert result.exit_code == 2
    assert "--timeout" in result.stderr


def test_python_m_autograder_exits_2_on_errors(tmp_path):
    """Does `python -m autograder check` exit 2 with the error on stderr (a real process, not Click's runner)?"""
    process = subprocess.run(
        [sys.executable, "-m", "autograder", "check", str(tmp_path / "nothing.ipynb")],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert process.returncode == 2
    assert process.stderr.startswith("error: ") and "no such file" in process.stderr
    assert process.stdout == ""


def test_a_machine_without_the_sandbox_refuses_a_check_that_asks_for_it(tmp_path):
    """Without bubblewrap (here: not on PATH), does `--sandbox` refuse, saying what is missing and how to fix it?"""
    path = copy_to(tmp_path / ASSIGNMENT)
    process = subprocess.run(
        [sys.executable, "-m", "autograder", "check", "--sandbox", str(path)],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PATH": str(Path(sys.executable).parent)},
    )
    assert process.returncode == 2, process.stdout + process.stderr
    assert "bubblewrap is not installed: `apt-get install bubblewrap`" in process.stderr
    assert "--no-sandbox" in process.stderr


# Pure functions of the check command ---------------------------------------------------------


def test_identify_recognises_a_renamed_copy_by_its_tests():
    """Is a renamed copy identified by its test cells, with a note to rename it and no hidden-test note?"""
    notebooks = course_notebooks(COURSE_ROOT)
    nb = nbformat.read(RELEASE, as_version=4)
    reference, notes = identify(nb, Path("/anywhere/my_copy.ipynb"), notebooks)
    assert (reference.assignment, reference.filename, reference.hidden_tests) == (ASSIGNMENT, NOTEBOOK, True)
    assert QUESTION in reference.tests
    assert len(notes) == 1 and "rename it before you submit" in notes[0]


def test_identify_refuses_an_assignment_the_notebook_is_not_of():
    """Does identify() raise CheckError when the given assignment is not the notebook's?"""
    nb = nbformat.read(RELEASE, as_version=4)
    with pytest.raises(CheckError, match="not of 01_fix_simplenet"):
        identify(nb, RELEASE, course_notebooks(COURSE_ROOT), "01_fix_simplenet")


def test_format_report_shows_scores_messages_hints_and_total():
    """Does the text report give each test's status and points, a failure's message and hint, notes and the total?"""
    report = CheckReport("nb.ipynb", ASSIGNMENT, False, None, notes=["a note"], seconds=12.3)
    report.tests = [
        TestResult("first_test", 1.0, 1.0),
        TestResult("second_test", 0.0, 2.0, "CheckFailure: expected 3, got 4.", "count the windows"),
    ]
    lines = format_report(report).splitlines()
    assert lines[0] == f"nb.ipynb: assignment {ASSIGNMENT} (visible tests only)"
    assert "  PASS  first_test   1/1" in lines
    assert "  FAIL  second_test  0/2" in lines
    assert "        CheckFailure: expected 3, got 4." in lines
    assert "        Hint: count the windows" in lines
    assert "Note: a note" in lines
    assert lines[-1] == "Total: 1/3 autograded points; 1 of 2 tests failed (12 s)"


def test_the_total_says_how_many_points_are_left_to_the_instructor():
    """Does a whole notebook's report end with the points of its written answers, graded by hand, and a notebook
    without any not?"""
    report = CheckReport("nb.ipynb", "01_fix_simplenet", True, None, seconds=3, manual_points=2.0)
    report.tests = [TestResult("first_test", 1.0, 1.0)]
    lines = format_report(report).splitlines()
    assert lines[-2] == "Total: 1/1 autograded points; all 1 tests passed (3 s)"
    assert lines[-1] == "2 more points (written answers) are graded by hand by your instructor, not by the autograder."
    assert report.to_json()["manual_points"] == 2.0
    report.manual_points = 0.0
    assert format_report(report).splitlines()[-1].startswith("Total: ")


def test_the_course_knows_the_points_graded_by_hand_of_each_notebook():
    """Are a course notebook's written answers' points counted (assignment 1's claims), and 0 where it has none?"""
    manual = {notebook.assignment: notebook.manual_points for notebook in course_notebooks(COURSE_ROOT)}
    assert manual == {"01_fix_simplenet": 2.0, "02_layers_and_cnn": 0, "03_tune_training": 0}


def test_a_cause_comes_first_and_is_said_once():
    """Does a test that failed because of an earlier cell start with that cell, and the next one refer back to it?"""
    cause = "the answer cell `simplenet` (In [9]) is not answered yet (it still raises NotImplementedError)"
    report = CheckReport("nb.ipynb", ASSIGNMENT, True, None)
    report.tests = [
        TestResult("builds", 0.0, 1.0, "NameError: name 'SimpleNet' is not defined", CAUSE_HINT, cause),
        TestResult("shape", 0.0, 1.0, "NameError: name 'SimpleNet' is not defined", CAUSE_HINT, cause),
    ]
    lines = format_report(report).splitlines()
    first = lines.index("  FAIL  builds  0/1")
    assert lines[first + 1] == f"        Cause: {cause}."
    assert lines[first + 3] == f"        Hint: {CAUSE_HINT}"
    assert lines[lines.index("  FAIL  shape   0/1") + 1] == "        Cause: the same as builds's (above)."
    assert sum(cause in line for line in lines) == 1


def test_a_result_keeps_the_hint_apart_from_the_message():
    """Is a check's own hint split from its message, the declared hint used otherwise, and a cause's hint first?"""
    from nbformat.v4 import new_code_cell, new_output

    def test_cell(ename, evalue):
        error = new_output("error", ename=ename, evalue=evalue, traceback=[])
        return new_code_cell("", metadata={"nbgrader": {"grade_id": QUESTION, "grade": True, "points": 2}},
                             outputs=[error])

    own = result_of(test_cell("CheckFailure", "expected 12, got 13.\nHint: count the windows"), 0, 2)
    assert (own.message, own.hint, own.cause) == ("CheckFailure: expected 12, got 13.", "count the windows", "")
    declared = result_of(test_cell("ValueError", "bad padding"), 0, 2)
    assert declared.message == "ValueError: bad padding" and declared.hint == hint(QUESTION) != ""
    caused = result_of(test_cell("NameError", "name 'x' is not defined"), 0, 2, cause="the cell `x` failed")
    assert (caused.hint, caused.cause) == (CAUSE_HINT, "the cell `x` failed")
    assert set(caused.to_json()) == {"grade_id", "points", "max_points", "message", "hint", "cause", "passed"}


def test_a_report_with_no_tests_or_no_grades_does_not_pass():
    """Is a report with no tests, or not graded, never a pass (the CLI would exit 0 otherwise)?"""
    assert not CheckReport("nb.ipynb", ASSIGNMENT, True, None).passed
    ungraded = CheckReport("nb.ipynb", ASSIGNMENT, True, None, tests=[TestResult("t", 1.0, 1.0)], graded=False)
    assert not ungraded.passed
    assert CheckReport("nb.ipynb", ASSIGNMENT, True, None, tests=[TestResult("t", 1.0, 1.0)]).passed


def test_answer_notes_name_timeouts_and_errors_of_answer_cells_only():
    """Are answer cells that ran out of time (CellTimeoutError, even after the interrupt's KeyboardInterrupt) or
    raised named in notes, and test cells and cells without errors left out?"""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    def cell(count, grade_id, test, *errors):
        nbgrader = {"grade_id": grade_id, "grade": test, "solution": not test, "points": 1 if test else 0}
        outputs = [new_output("error", ename=name, evalue=value, traceback=[]) for name, value in errors]
        return new_code_cell("pass", metadata={"nbgrader": nbgrader}, outputs=outputs, execution_count=count)

    nb = new_notebook(cells=[
        cell(1, "hangs", False, ("KeyboardInterrupt", ""), ("CellTimeoutError", "")),
        cell(2, "stub", False, ("NotImplementedError", "")),
        cell(3, "fine", False),
        cell(4, "a_test", True, ("NameError", "name 'x' is not defined")),
    ])
    assert answer_notes(nb, 7) == [
        "`hangs` (In [1]) did not finish within 7 s, the time limit for one cell, and was stopped; "
        "the cells after it ran without its results",
        "`stub` (In [2]) stopped with NotImplementedError (the `raise NotImplementedError()` placeholder is still "
        "there); the tests that use what it defines fail",
    ]
    # A cell already named as a failed test's cause gets no note of its own.
    assert len(answer_notes(nb, 7, said={"the answer cell `stub` (In [2]) is not answered yet"})) == 1


def test_not_graded_reason_names_a_dead_kernel_and_never_quotes_the_log():
    """Does a log with nbclient's DeadKernelError give the kernel-died reason, and no log line, traceback or not?"""
    died = ["[AutogradeApp | ERROR] Traceback (most recent call last):",
            "    nbclient.exceptions.DeadKernelError: Kernel died"]
    reason = not_graded_reason(GradedStudent("you", "01_fix_simplenet", log=died, error="nbgrader could not grade"))
    assert "kernel died" in reason and "every test scores 0" in reason and "Traceback" not in reason
    other = GradedStudent("you", "01_fix_simplenet", log=["[AutogradeApp | ERROR] something else"],
                          error="nbgrader could not grade this notebook (RuntimeError: something).")
    assert not_graded_reason(other) == other.error


# Real nbgrader runs, one test each -------------------------------------------------------------


@pytest.mark.slow
def test_untouched_release_fails_with_the_placeholder_message(tmp_path):
    """Does `python -m autograder check` exit 1 on the untouched release, naming the placeholder, with progress?"""
    path = copy_to(tmp_path / ASSIGNMENT)
    process = subprocess.run(
        [sys.executable, "-m", "autograder", "check", str(path), "--question", QUESTION],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert process.returncode == 1, process.stdout + process.stderr
    assert f"FAIL  {QUESTION}  0/2" in process.stdout
    assert "NotImplementedError" in process.stdout and "placeholder" in process.stdout
    assert "hidden tests included" in process.stdout
    assert "Total: 0/2 autograded points; 1 of 1 tests failed" in process.stdout
    # The check ran and names the placeholder itself; a note names the answer cell that stopped with it.
    assert "Cause:" not in process.stdout
    assert re.search(r"`conv_output_size` \(In \[\d+\]\) stopped with NotImplementedError \(the `raise NotImplementedError\(\)`",
                     process.stdout), process.stdout
    assert f"running 4/4: {QUESTION}" in process.stderr


@pytest.mark.slow
def test_published_solution_passes_with_json_shape(tmp_path):
    """Does the installed `keras-course` script exit 0 on the published solution, printing the documented JSON?"""
    path = copy_to(tmp_path / ASSIGNMENT, SOLUTION)
    process = subprocess.run(
        [str(KERAS_COURSE), "check", str(path), "--question", QUESTION, "--json"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    report = json.loads(process.stdout)
    assert report["tests"] == [
        {"grade_id": QUESTION, "points": 2.0, "max_points": 2.0, "passed": True, "message": "", "hint": "", "cause": ""}
    ]
    assert (report["points"], report["max_points"], report["passed"], report["graded"]) == (2.0, 2.0, True, True)
    assert (report["assignment"], report["question"], report["hidden_tests"]) == (ASSIGNMENT, QUESTION, True)
    assert report["notes"] == []


@pytest.mark.slow
def test_a_hanging_notebook_is_stopped_at_the_time_limit(tmp_path):
    """Are a hanging answer cell and a hanging test stopped after `--timeout` s, with a note and a message, exit 1?"""
    path = edited_copy(tmp_path / ASSIGNMENT, {
        "dense_layer": "import time; time.sleep(3600)\n" + release_source("dense_layer"),
        "conv_output_size": (
            'def conv_output_size(size, kernel_size, stride=1, padding="valid"):\n'
            "    while True:\n"
            "        pass\n"
        ),
    })
    started = time.monotonic()
    result = check(path, "--question", QUESTION, "--timeout", 12, "--json")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert time.monotonic() - started < 120
    report = json.loads(result.stdout)
    [test] = report["tests"]
    assert test["points"] == 0 and "did not finish within 12 s" in test["message"]
    assert "course's" not in test["message"]  # 12 s is the limit asked for, not the course's 600 s
    [note] = report["notes"]
    assert re.search(r"`dense_layer` \(In \[\d+\]\) did not finish within 12 s", note), note


@pytest.mark.slow
def test_a_dead_kernel_scores_zero_with_a_note(tmp_path):
    """Does an answer cell that kills the kernel (`os._exit`) give exit 1, 0 points, and say why, in the test and a note?"""
    path = edited_copy(tmp_path / ASSIGNMENT, {"dense_layer": "import os\nos._exit(1)\n"})
    result = check(path, "--question", QUESTION, "--json")
    assert result.exit_code == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["graded"] is True and report["passed"] is False
    [test] = report["tests"]
    assert (test["grade_id"], test["points"]) == (QUESTION, 0.0)
    assert "not run: the notebook's kernel died" in test["message"]
    assert re.search(r"`dense_layer`( \(In \[\d+\]\))? stopped with NotebookStopped: stopped: the notebook's kernel died",
                     report["notes"][0]), report["notes"]


@pytest.mark.slow
def test_a_course_without_source_checks_visible_tests_only(tmp_path):
    """In a checkout without source/ (found above the notebook), does the report say "visible tests only"?"""
    course = course_without_source(tmp_path / "course")
    path = copy_to(course / "my_work" / ASSIGNMENT, SOLUTION)
    result = check(path, "--question", QUESTION)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "(visible tests only)" in result.stdout.splitlines()[0]
    assert "hidden tests not included" in result.stdout
    assert f"PASS  {QUESTION}  2/2" in result.stdout


@pytest.mark.slow
def test_a_course_without_source_reports_hidden_tests_false_in_json(tmp_path):
    """Does `--json` on a course without source/ report `hidden_tests: false` (checked with `--course`)?"""
    course = course_without_source(tmp_path / "course")
    path = copy_to(tmp_path / "elsewhere", SOLUTION)
    result = check(path, "--question", QUESTION, "--course", course, "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["hidden_tests"] is False
    assert any("hidden tests not included" in note for note in report["notes"])


@pytest.mark.slow
def test_a_renamed_copy_is_checked_as_the_course_notebook(tmp_path):
    """Is `my_copy.ipynb` graded as layers_and_cnn.ipynb (it passes), with a note to rename it before submitting?"""
    path = copy_to(tmp_path, SOLUTION, "my_copy.ipynb")
    result = check(path, "--question", QUESTION)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"PASS  {QUESTION}  2/2" in result.stdout
    assert f"Note: checked as {ASSIGNMENT}/{NOTEBOOK}" in result.stdout
    assert "rename it before you submit" in result.stdout


def test_keras_course_notebooks_copies_the_release_and_keeps_answers(tmp_path):
    """Does `keras-course notebooks` copy every released notebook, and keep one already there on a second run?"""
    first = subprocess.run([str(KERAS_COURSE), "notebooks", str(tmp_path / "work")], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    released = sorted(path.relative_to(COURSE_ROOT / "release") for path in (COURSE_ROOT / "release").glob("*/*.ipynb"))
    assert sorted(path.relative_to(tmp_path / "work") for path in (tmp_path / "work").glob("*/*.ipynb")) == released
    answered = tmp_path / "work" / released[0]
    answered.write_text(answered.read_text().replace("YOUR CODE HERE", "my answer"))
    second = subprocess.run([str(KERAS_COURSE), "notebooks", str(tmp_path / "work")], capture_output=True, text=True)
    assert f"{answered} (kept: it was already there)" in second.stdout
    assert "my answer" in answered.read_text()
