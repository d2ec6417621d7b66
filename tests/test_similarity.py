"""Answers alike between students (autograder/report/similarity.py): planted copies are flagged, honest students
who all started from the same release are not, and the report and `keras-course similarity` show the pairs.

The class is real notebooks written without a kernel (tests/similarity_class.py); nothing is graded. Run with
`-s` to see each assignment's distribution of pair scores (it is in the assertion messages too).
"""

import csv
import dataclasses
import json
import re
import shutil
from datetime import datetime

import nbformat
import pytest
from click.testing import CliRunner
from nbgrader.api import Gradebook

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import Submission, reference, untouched
from autograder.cli import main
from autograder.report import write_report
from autograder.report.similarity import (
    MIN_OWN_CHARACTERS,
    Similarity,
    configured_threshold,
    similarity_of,
)
from autograder.settings import COURSE_ROOT
from tests.browser import browser_page, chromium_path
from tests.similarity_class import A1, A2, A3, COPIED, DENSE_LAYER_OTHER_STYLE, VARIANTS, write_class

THRESHOLD = Similarity().threshold


def new_course(folder):
    """An empty course folder with the course's own nbgrader_config.py (its gradebook and settings, in `folder`)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The class of every assignment: {assignment: {student: copied from whom, or None}}, and the folder."""
    folder = new_course(tmp_path_factory.mktemp("similarity") / "course")
    return folder, {name: write_class(folder, name) for name in (A1, A2, A3)}


def distribution(found, copied):
    """Each pair's score, planted (a copy and its original, or two copies of one) and honest, highest first."""
    planted, honest = [], []
    for (first, second), score in zip(_pairs(found), found.scores):
        group = {copied[first] or first, copied[second] or second}
        (planted if len(group) == 1 else honest).append((round(score, 2), first, second))
    return sorted(planted, reverse=True), sorted(honest, reverse=True)


def _pairs(found):
    # `ClassSimilarity.scores` follows itertools.combinations over the students in the order they were read.
    import itertools

    return list(itertools.combinations(found.student_ids, 2))


@pytest.mark.parametrize("name", [A1, A2, A3])
def test_planted_copies_are_flagged_and_no_honest_pair_is(course, name):
    """Is every planted copy (verbatim, renamed, reordered, comments changed) flagged above the threshold, and no
    pair of honest students (the demo's mistakes, answers left out, independently written correct answers)?"""
    folder, classes = course
    found = similarity_of(folder, find_assignment(name))
    planted, honest = distribution(found, classes[name])
    said = (f"{name}: threshold {found.threshold}; planted pairs {[score for score, *_ in planted]}; highest "
            f"honest pairs {honest[:5]}; honest scores: {_histogram([score for score, *_ in honest])}")
    print(f"\n{said}")
    assert found.compared == len(classes[name]) * (len(classes[name]) - 1) // 2
    if name in COPIED:
        assert len(planted) == 10, said  # the original and its 4 copies: 10 pairs
    assert all(score >= found.threshold for score, *_ in planted), said
    assert all(score < found.threshold for score, *_ in honest), said
    flagged = {(pair.first.student_id, pair.second.student_id) for pair in found.pairs}
    assert flagged == {(first, second) for _, first, second in planted}, said


def _histogram(scores):
    """How many scores fall in each tenth: {"0.0-0.1": n, ...}."""
    bins = {}
    for score in scores:
        low = min(int(score * 10), 9) / 10
        bins[f"{low:.1f}-{low + 0.1:.1f}"] = bins.get(f"{low:.1f}-{low + 0.1:.1f}", 0) + 1
    return dict(sorted(bins.items()))


def _class_of(folder, name, students):
    students = {student_id: (dataclasses.replace(submission, student_id=student_id), None)
                for student_id, submission in students.items()}
    return write_class(new_course(folder), name, students)


def test_untouched_notebooks_are_not_similar(tmp_path):
    """Do students who hand in the released notebook unchanged, or with one answer only, share nothing?"""
    owner = find_assignment(A2)
    _class_of(tmp_path, A2, {f"untouched_{number}": untouched(owner) for number in range(3)})
    found = similarity_of(tmp_path, owner)
    assert found.compared == 3 and found.highest == 0.0 and found.pairs == ()


def test_two_copies_of_the_published_solution_share_only_the_courses_code(tmp_path):
    """Is the solution handed in by two students (a copy of the published solution) not flagged as copying each
    other, while their own code on top of it still is?"""
    owner = find_assignment(A2)
    own = Submission("own", "the solution, with its own DenseLayer", owner.name, owner.notebook,
                     written={"dense_layer": DENSE_LAYER_OTHER_STYLE})
    _class_of(tmp_path, A2, {"solution_1": reference(owner), "solution_2": reference(owner), "own_1": own,
                             "own_2": own})
    found = similarity_of(tmp_path, owner)
    scores = dict(zip(_pairs(found), found.scores))
    assert scores[("solution_1", "solution_2")] == 0.0
    assert scores[("own_1", "own_2")] == 1.0
    assert [(pair.first.student_id, pair.second.student_id) for pair in found.pairs] == [("own_1", "own_2")]


def test_a_copy_moved_out_of_its_answer_cell_is_still_compared(tmp_path):
    """Is a copy still flagged when the copier strips its answer cell of nbgrader's metadata, or moves the code into a
    cell of their own? The student's copy of the metadata decides nothing: every code cell but the tests is theirs."""
    owner = find_assignment(A2)
    own = Submission("own", "the solution, with its own DenseLayer", owner.name, owner.notebook,
                     written={"dense_layer": DENSE_LAYER_OTHER_STYLE})
    _class_of(tmp_path, A2, {"original": own, "stripped": own, "moved": reference(owner)})
    stripped = tmp_path / "submitted" / "stripped" / owner.name / owner.filename
    notebook = nbformat.read(stripped, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            del cell.metadata["nbgrader"]
    nbformat.write(notebook, stripped)
    moved = tmp_path / "submitted" / "moved" / owner.name / owner.filename
    notebook = nbformat.read(moved, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(DENSE_LAYER_OTHER_STYLE))
    nbformat.write(notebook, moved)
    found = similarity_of(tmp_path, owner)
    assert sorted((pair.first.student_id, pair.second.student_id) for pair in found.pairs) == [
        ("moved", "original"), ("moved", "stripped"), ("original", "stripped")], found.scores


def test_a_line_or_two_in_common_is_not_a_copy(tmp_path):
    """Do two students who put the same one-line mistake into the solution (a line of their own, shared) score below
    the threshold? Their own code counts as at least MIN_OWN_CHARACTERS tokens (copydetect alone would say 1.0)."""
    owner = find_assignment(A2)
    (no_dropout,) = [s for s in owner.submissions if s.student_id == "no_dropout"]
    _class_of(tmp_path, A2, {"first": no_dropout, "second": no_dropout})
    found = similarity_of(tmp_path, owner)
    assert 0 < found.highest < THRESHOLD, (found.highest, MIN_OWN_CHARACTERS)


def test_the_threshold_is_the_courses_setting(tmp_path):
    """Is `c.Similarity.threshold` of nbgrader_config.py the threshold, and the default where the course sets none?"""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.Similarity.threshold = 0.95\n")
    assert configured_threshold(tmp_path) == 0.95
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert configured_threshold(tmp_path) == Similarity.threshold.default_value
    assert 0 < configured_threshold(COURSE_ROOT) < 1


# The report page ---------------------------------------------------------------------------------------------------

HOSTILE_ID = "=HYPERLINK(1)"
HOSTILE_CODE = ('    # </pre><script>alert(1)</script><img src="http://example.invalid/pixel.png">\n'
                '    message = "</pre><script>document.title = \'pwned\'</script>"\n')


@pytest.fixture(scope="module")
def page_course(tmp_path_factory):
    """Assignment 2's class, plus a student whose id a spreadsheet would run, who copied `own_dense_layer` and
    wrote hostile HTML into it; a gradebook that knows the assignment (nobody graded). The report is written."""
    folder = new_course(tmp_path_factory.mktemp("similarity-page") / "course")
    owner = find_assignment(A2)
    hostile = DENSE_LAYER_OTHER_STYLE.replace("    def build(", HOSTILE_CODE + "\n    def build(")
    students = {student_id: (Submission(student_id, "", owner.name, owner.notebook, written=written), None)
                for student_id, written in VARIANTS[A2].items()}
    students[HOSTILE_ID] = (Submission(HOSTILE_ID, "", owner.name, owner.notebook,
                                       written={"dense_layer": hostile}), "own_dense_layer")
    write_class(folder, A2, students)
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        gradebook.add_assignment(A2, duedate=datetime(2026, 12, 1))
    return folder, write_report(folder, [A2])


def test_the_report_lists_the_pairs_and_writes_them_as_csv(page_course):
    """Does the page say what was compared and list the flagged pair, and the CSV hold it, the id as text?"""
    folder, page_path = page_course
    page = page_path.read_text()
    assert re.search(r'data-similar="1" data-compared="6" data-highest="1.00"', page)
    assert "<script" not in page and "<img" not in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    with open(page_path.parent / f"{A2}-similarity.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0][:3] == ["first_student", "second_student", "score"]
    assert [row[:3] for row in rows[1:]] == [[f"'{HOSTILE_ID}", "own_dense_layer", "1.0"]]


def test_the_report_shows_a_flagged_pair_side_by_side_in_chromium(page_course, tmp_path):
    """Does Chromium show the pair's code side by side, shared passages marked, hostile code as text, with no
    script run and no request leaving the machine?"""
    chromium = chromium_path()
    _, page_path = page_course
    with browser_page(chromium, tmp_path) as page:
        outside, dialogs, problems = [], [], []
        page.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: (outside.append(route.request.url),
                                                                        route.abort()))
        page.on("request", lambda request: request.url.startswith(("file:", "data:")) or outside.append(request.url))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(page_path.as_uri())
        view = page.locator(f'[data-pair-view="{HOSTILE_ID} own_dense_layer"]')
        sides = view.locator("pre")
        assert sides.count() == 2
        hostile_side = sides.nth(0).inner_text()
        assert "</pre><script>alert(1)</script>" in hostile_side and "document.title" in hostile_side
        assert view.locator("mark").count() >= 2
        assert "self.add_weight" in " ".join(view.locator("mark").all_inner_texts())
        boxes = [sides.nth(index).bounding_box() for index in range(2)]
        assert boxes[0]["x"] < boxes[1]["x"] and abs(boxes[0]["y"] - boxes[1]["y"]) < 1  # side by side
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0
        assert page.title().startswith("Class report") and dialogs == [] and problems == []
        page.set_viewport_size({"width": 390, "height": 844})  # a phone: the two stack, nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert outside == []


# keras-course similarity -------------------------------------------------------------------------------------------


def test_the_command_prints_the_flagged_pairs(course):
    folder, classes = course
    result = CliRunner().invoke(main, ["similarity", A1, "--course", str(folder)])
    assert result.exit_code == 0, result.output
    original, _ = COPIED[A1]
    assert f"pairs of {len(classes[A1])} students compared" in result.output
    assert re.search(rf"^1\.00  copy_verbatim  {original}", result.output, re.M)
    as_json = json.loads(CliRunner().invoke(main, ["similarity", A1, "--course", str(folder), "--json"]).output)
    assert len(as_json["pairs"]) == 10 and as_json["threshold"] == THRESHOLD
    assert all(pair["score"] >= THRESHOLD for pair in as_json["pairs"])


def test_the_command_refuses_an_unknown_assignment_and_a_class_without_submissions(course, tmp_path):
    folder, _ = course
    result = CliRunner().invoke(main, ["similarity", "04_nothing", "--course", str(folder)])
    assert result.exit_code == 2 and "no assignment 04_nothing in this course" in result.output
    empty = new_course(tmp_path / "empty")
    result = CliRunner().invoke(main, ["similarity", A1, "--course", str(empty)])
    assert result.exit_code == 2 and f"nobody has handed in {A1}" in result.output
