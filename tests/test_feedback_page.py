"""The feedback page a student gets back (`nbgrader generate_feedback`): what it says, and what a browser shows.

What it says about each test is built from small in-memory notebooks (no kernel): the earlier
cell behind a cascade, one problem per root cause, the written answer not graded yet, no
instructor path; the course's template renders it as nbgrader's `GenerateFeedback` would, and
the page fetches nothing. Then a page of the graded class (tests/conftest.py) in Debian's
Chromium: every test named, no hidden code, no instructor path, the longest message readable
within the width of the page, and no request leaving the machine. Screenshots are kept in
`test-artifacts/browser-feedback/`.
"""

import html
import re
import sys
from pathlib import Path

import pytest
from nbconvert.exporters import HTMLExporter
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from traitlets.config.loader import PyFileConfigLoader

from autograder.assignments.fix_simplenet import ASSIGNMENT
from autograder.failures import CAUSE_HINT
from autograder.grading.student_feedback.feedback import EARLIER_CELL, NOT_GRADED_YET, CellGrade, feedback_page
from autograder.grading.student_feedback.paths import COURSE_CODE, PACKAGE, hide_paths_in_outputs, replacements
from autograder.settings import COURSE_ROOT

SITE_PACKAGES = next(path for path in sys.path if path.endswith("site-packages"))

# A long message, as the checks write them: it must wrap within the page.
LONG_MESSAGE = ("wrong number of parameters: expected 101,770, got 1,546 "
                + "(" + ", ".join(f"layer {index}: {index * 1000:,}" for index in range(30)) + ").")

# Each test's question and points, as the notebook holds them.
QUESTIONS = {test.grade_id: test.question for test in ASSIGNMENT.tests()}
POINTS = {test.grade_id: test.points for test in ASSIGNMENT.tests()}


# In-memory notebooks of assignment 1 ----------------------------------------------------------


def nbgrader_cell(cell, grade_id, solution=False, points=0):
    """`cell` with nbgrader's metadata: an answer (`solution`), a test (`points`), or a written answer (both)."""
    cell.metadata["nbgrader"] = {
        "grade_id": grade_id, "solution": solution, "grade": bool(points), "locked": not solution,
        "points": points, "schema_version": 3,
    }
    return cell


def error(ename, evalue=""):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def answer(grade_id, *outputs, execution_count=2):
    cell = new_code_cell("# the student's answer", execution_count=execution_count)
    cell.outputs = list(outputs)
    return nbgrader_cell(cell, grade_id, solution=True)


def graded_test_cell(grade_id, *outputs):
    cell = new_code_cell(f'# Test "{grade_id}"\n"""{QUESTIONS[grade_id]}"""\ncheck_{grade_id}(SimpleNet)')
    cell.outputs = list(outputs)
    return nbgrader_cell(cell, grade_id, points=POINTS[grade_id])


def written_answer():
    """The text cell that asks the question, and the written answer under it."""
    return [new_markdown_cell(f"## What the tutorial gets wrong\n\n**{QUESTIONS['tutorial_claims']}**"),
            nbgrader_cell(new_markdown_cell("The tutorial is wrong about ..."), "tutorial_claims", solution=True,
                          points=POINTS["tutorial_claims"])]


# As a student's kernel shows it: the cause appended (autograder/causes.py), which a page that names it strips.
NOT_DEFINED = error("NameError", "name 'SimpleNet' is not defined: the cell that should define it (In [2]) still raises NotImplementedError: answer it first")


def check_failure(message, hint):
    return error("CheckFailure", f"{message}\nHint: {hint}")


def grades(**scores):
    """{grade_id: CellGrade} with each test's points and the score given (None: not graded yet)."""
    return {grade_id: CellGrade(score or 0.0, POINTS[grade_id], needs_manual_grade=score is None)
            for grade_id, score in scores.items()}


def test_a_test_that_needs_an_unanswered_cell_names_it_on_its_first_line_and_the_cause_is_one_problem():
    nb = new_notebook(cells=[
        new_markdown_cell("# Fix the broken SimpleNet"),
        answer("simplenet", error("NotImplementedError")),
        graded_test_cell("simplenet_builds", NOT_DEFINED),
        graded_test_cell("simplenet_output_shape", NOT_DEFINED),
    ])
    page = feedback_page(nb, ASSIGNMENT, grades(simplenet_builds=0, simplenet_output_shape=0))
    for grade_id in ("simplenet_builds", "simplenet_output_shape"):
        test = page.tests[grade_id]
        assert test.first_line.startswith(EARLIER_CELL), test
        assert "`simplenet` (In [2]) is not answered yet" in test.first_line, test
        assert "NameError: name 'SimpleNet' is not defined" in test.lines[1] and test.hint == CAUSE_HINT
        assert "answer it first" not in test.lines[1]  # the kernel's appended cause: said once, on the first line
        assert test.problem == 1 and test.question == QUESTIONS[grade_id]
    (problem,) = page.problems
    assert problem.cell_id == "simplenet" and problem.text.startswith("The answer cell `simplenet` (In [2])")
    assert problem.grade_ids == ("simplenet_builds", "simplenet_output_shape") and problem.points_lost == 2


def test_a_check_that_failed_on_its_own_says_its_message_first_and_one_mistake_is_one_problem():
    flatten = "flatten the images before the first Dense layer"
    wrong_shape = "wrong output shape: expected (None, 10), got (None, 28, 28, 10)"
    nb = new_notebook(cells=[
        answer("simplenet"),
        graded_test_cell("simplenet_builds"),
        graded_test_cell("simplenet_output_shape", check_failure(wrong_shape, flatten)),
        graded_test_cell("simplenet_param_count", check_failure(LONG_MESSAGE, flatten)),
        graded_test_cell("simplenet_probabilities", check_failure("the outputs do not sum to 1", "use a softmax")),
    ])
    page = feedback_page(nb, ASSIGNMENT, grades(simplenet_builds=1, simplenet_output_shape=0,
                                                simplenet_param_count=0, simplenet_probabilities=0))
    assert page.tests["simplenet_builds"].passed and not page.tests["simplenet_builds"].lines
    shape = page.tests["simplenet_output_shape"]
    assert shape.first_line == wrong_shape and shape.hint == flatten
    assert not any(EARLIER_CELL in line for test in page.tests.values() for line in test.lines)
    assert [problem.grade_ids for problem in page.problems] == [
        ("simplenet_output_shape", "simplenet_param_count"), ("simplenet_probabilities",)
    ]
    assert page.autograded_score == 1 and page.autograded_points == 4


def test_a_written_answer_is_not_graded_yet_until_a_grader_has_graded_it():
    nb = new_notebook(cells=written_answer())
    pending = feedback_page(nb, ASSIGNMENT, grades(tutorial_claims=None)).tests["tutorial_claims"]
    assert pending.pending and pending.score_text == f"{NOT_GRADED_YET} (2 points)" and not pending.problem
    graded = feedback_page(nb, ASSIGNMENT, grades(tutorial_claims=1.5)).tests["tutorial_claims"]
    assert not graded.pending and graded.score_text == "1.5 / 2 points" and NOT_GRADED_YET not in graded.score_text


def test_outputs_keep_the_students_frames_and_lose_every_instructor_path(tmp_path):
    folder = tmp_path / "autograded" / "student" / "01_fix_simplenet"
    colour = "\x1b[32m{}\x1b[39m"
    cell = answer("train_simplenet", new_output(
        "error", ename="FileNotFoundError", evalue=f"No such file: '{folder}/tuned_model.keras'",
        traceback=[
            "Cell In[13], line 1\n----> 1 model = SimpleNet()",
            "File " + colour.format(f"{SITE_PACKAGES}/keras/src/layers/layer.py:294") + ", in Layer.__init__",
            # IPython writes a path under the kernel's home as ~/...: the sandbox's home may hold the venv.
            "File " + colour.format("~/ci/.venv/lib/python3.11/site-packages/keras/src/ops/nn.py:9") + ", in relu",
            "File " + colour.format(f"{PACKAGE}/assignments/tune_training/training.py:80") + ", in train_within_budget",
            f"FileNotFoundError: No such file: '{folder}/tuned_model.keras'",
        ],
    ), new_output("stream", name="stdout",
                  text=f"read {COURSE_ROOT}/source and {Path.home()}/.keras, {PACKAGE}/checks.py\n"))
    hide_paths_in_outputs(cell, replacements(folder, tmp_path))
    error_output, printed = cell.outputs
    shown = "\n".join([*error_output.traceback, error_output.evalue, printed.text])
    assert error_output.traceback[0].startswith("Cell In[13], line 1") and len(error_output.traceback) == 4
    assert "keras/src/ops/nn.py:9" in shown
    assert "keras/src/layers/layer.py:294" in shown and "No such file: 'tuned_model.keras'" in shown
    assert COURSE_CODE in printed.text and "training.py" not in shown
    for path in (str(tmp_path), str(COURSE_ROOT), str(Path.home()) + "/", SITE_PACKAGES, "autograder/", "site-packages"):
        assert path not in shown, (path, shown)


# The course's template, as nbgrader's GenerateFeedback configures it ------------------------------


def feedback_exporter():
    """nbconvert's HTML exporter configured as `nbgrader generate_feedback` configures it, from `nbgrader_config.py`."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    converter = GenerateFeedback(coursedir=CourseDirectory(config=config), config=config)
    return HTMLExporter(parent=converter, config=converter.config)


def links_of(page):
    """Every `src` and `href` of an HTML page, and of its CSS (`url(...)`, `@import`)."""
    return (re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
            + re.findall(r"""url\(\s*["']?([^"')\s]+)""", page) + re.findall(r"""@import\s+["']?([^"';\s]+)""", page))


def fetched(links):
    """The links of `links` a browser would fetch: all but the page's own anchors and embedded data."""
    return [link for link in links if not link.startswith(("#", "data:"))]


def test_the_template_lays_out_the_page_with_nothing_to_fetch():
    nb = new_notebook(cells=[
        answer("simplenet", error("NotImplementedError")),
        graded_test_cell("simplenet_builds", NOT_DEFINED),
        graded_test_cell("simplenet_param_count", check_failure(LONG_MESSAGE + " <lambda>", "count by hand")),
        *written_answer(),
    ])
    page = feedback_page(nb, ASSIGNMENT, grades(simplenet_builds=0, simplenet_param_count=0, tutorial_claims=None))
    resources = {"nbgrader": {"notebook": "fix_simplenet", "score": 0.0, "max_score": 4.0, "late_penalty": 0},
                 "feedback": page, "metadata": {"name": "fix_simplenet", "path": "."}}
    body, _ = feedback_exporter().from_notebook_node(nb, resources=resources)
    assert fetched(links_of(body)) == [] and "<script" not in body
    assert "Content-Security-Policy" in body and "default-src 'none'" in body
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    for grade_id in ("simplenet_builds", "simplenet_param_count", "tutorial_claims"):
        assert grade_id in text and QUESTIONS[grade_id] in text
    assert text.count("is not answered yet") == 2  # the problem at the top, the test's first line
    assert LONG_MESSAGE + " <lambda>" in text and "&lt;lambda&gt;" in body  # escaped, whole
    written = re.search(r'<tr class="test-pending" data-grade-id="tutorial_claims">(.*?)</tr>', body, re.S)[1]
    assert f"{NOT_GRADED_YET} (2 points)" in written and "0 / 2" not in written
    # The check of links finds what the stock nbgrader page fetches: MathJax from a CDN.
    assert fetched(links_of('<script src="https://cdnjs.cloudflare.com/mathjax.js"></script><a href="#top">')) == [
        "https://cdnjs.cloudflare.com/mathjax.js"
    ]


# A page of the graded class in Chromium ---------------------------------------------------------

STUDENT, FEEDBACK_OF = "no_flatten", "01_fix_simplenet"
NARROW = {"width": 390, "height": 844}  # a phone


def record_requests(page):
    """Every URL `page` requests from now on; any but file: and data: is aborted, so none leaves the machine."""
    requested = []

    def route(request_route):
        requested.append(request_route.request.url)
        if request_route.request.url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)
    page.on("request", lambda request: requested.append(request.url))
    return requested


def overflow(element):
    """How many pixels `element`'s content sticks out to the right, of itself or of the window."""
    return element.evaluate(
        "element => Math.max(element.scrollWidth - element.clientWidth,"
        " element.getBoundingClientRect().right - document.documentElement.clientWidth, 0)"
    )


@pytest.mark.slow
def test_a_feedback_page_in_chromium_names_every_test_and_fetches_nothing(graded_class, tmp_path):
    from playwright.sync_api import expect

    from tests.browser import ARTIFACTS, Screenshots, browser_page, chromium_path
    from tests.test_pipeline import feedback_results, hidden_lines

    chromium = chromium_path()
    submission = graded_class.submission(STUDENT, FEEDBACK_OF)
    path = graded_class.path("feedback", submission, ".html")
    results = {result.grade_id: result for result in graded_class.results[submission.key]}
    said = {grade_id: lines for grade_id, (status, lines) in feedback_results(path).items() if status == "failed"}
    longest = max(said, key=lambda grade_id: len(said[grade_id][0]))
    with browser_page(chromium, tmp_path / "home") as page:
        shots = Screenshots(page, ARTIFACTS.with_name("browser-feedback"))
        page.set_viewport_size(NARROW)
        requested = record_requests(page)
        page.goto(path.as_uri())
        shots.take("summary")

        for test in ASSIGNMENT.tests():
            row = page.locator(f'#tests tr[data-grade-id="{test.grade_id}"]')
            expect(row).to_be_visible()
            expect(row).to_contain_text(test.question)
            if not test.manual:
                result = results[test.grade_id]
                expect(row).to_contain_text(f"{result.points:g} / {result.max_points:g} point")
        expect(page.locator('#tests tr[data-grade-id="tutorial_claims"]')).to_contain_text(NOT_GRADED_YET)

        box = page.locator(f'.result[data-grade-id="{longest}"]')
        box.scroll_into_view_if_needed()
        shots.take(f"longest-message-{longest}")
        first_line = box.locator(".feedback-first-line")
        expect(first_line).to_be_visible()
        expect(first_line).to_have_text(said[longest][0])
        for line in said[longest]:
            expect(box).to_contain_text(line)
        assert overflow(first_line) == 0 and overflow(box) == 0
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert page.locator("#tests").evaluate("table => table.getBoundingClientRect().right") <= NARROW["width"]
        shown = page.locator("body").inner_text()
        assert not [line for line in hidden_lines() if line in shown]
        assert "oneDNN" not in shown and "absl::InitializeLog" not in shown  # TensorFlow's start-up notices
        for path_text in (str(COURSE_ROOT), str(graded_class.course(FEEDBACK_OF)), str(Path.home()) + "/",
                          "site-packages", "autograder/"):
            assert path_text not in shown, path_text
        attributes = page.evaluate("[...document.querySelectorAll('[src], [href]')]"
                                   ".map(element => element.getAttribute('src') || element.getAttribute('href'))")
        assert fetched(attributes) == []
        assert requested and all(url.startswith(("file:", "data:")) for url in requested), requested

        # The same measures fail where they should: an unwrapped line overflows, an image on the web is requested.
        page.add_style_tag(content=".feedback-line { white-space: pre; overflow-wrap: normal; }")
        assert overflow(first_line) > 0
        control = tmp_path / "control.html"
        control.write_text('<p>control</p><img src="http://192.0.2.1/pixel.png">')
        page.goto(control.as_uri())
        page.wait_for_load_state("load")
        assert "http://192.0.2.1/pixel.png" in requested


def test_the_formgraders_page_of_a_submission_fetches_nothing():
    """Does the Formgrader's exporter, configured by nbgrader_config.py, render nbgrader's page without MathJax from a
    CDN, where nbgrader's own template loads it (the check can fail)?"""
    from nbgrader.server_extensions.formgrader import handlers

    from autograder.grading.formgrader import TEMPLATE_FOLDERS

    assert TEMPLATE_FOLDERS[1] == handlers.template_path
    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    nb = new_notebook(cells=[*written_answer()])
    resources = {"base_url": "/", "index": 0, "total": 1, "notebook_id": "fix_simplenet", "assignment_id": "a",
                 "submission_id": "s", "student": "x", "last_name": "", "first_name": ""}
    page, _ = HTMLExporter(config=config).from_notebook_node(nb, resources=dict(resources))
    assert "cdnjs" not in page and [link for link in fetched(links_of(page)) if "://" in link] == []
    assert "formgrade.css" in page  # nbgrader's page, with its own assets (served by the Formgrader)
    stock = HTMLExporter(template_name="formgrade", extra_template_basedirs=[handlers.template_path])
    assert "cdnjs.cloudflare.com" in stock.from_notebook_node(nb, resources=dict(resources))[0]


def test_the_formgrader_shows_the_courses_answer_and_rubric_under_a_written_answer_and_a_student_never(tmp_path):
    """On the Formgrader's page of a submission (nbgrader's template, the course's configuration), is the course's own
    answer to `tutorial_claims` and its declared rubric shown under the student's answer? Is neither in the
    exporter generate_feedback configures?"""
    from nbgrader.server_extensions.formgrader import handlers  # noqa: F401  (the Formgrader's templates load)

    from autograder.grading.formgrader.reference_answers import REFERENCE_CELL

    notebook = "fix_simplenet"
    autograded = tmp_path / "autograded" / "ann" / ASSIGNMENT.name / f"{notebook}.ipynb"
    autograded.parent.mkdir(parents=True)
    autograded.write_text((COURSE_ROOT / "release" / ASSIGNMENT.name / f"{notebook}.ipynb").read_text())
    (tmp_path / "source" / ASSIGNMENT.name).mkdir(parents=True)
    (tmp_path / "source" / ASSIGNMENT.name / f"{notebook}.ipynb").write_text(
        (COURSE_ROOT / "source" / ASSIGNMENT.name / f"{notebook}.ipynb").read_text())
    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    resources = {"assignment_id": ASSIGNMENT.name, "notebook_id": notebook, "submission_id": "s1", "index": 0,
                 "total": 1, "base_url": "", "student": "ann", "last_name": "", "first_name": "", "notebook_path": ""}
    page, _ = HTMLExporter(config=config).from_filename(str(autograded), resources=resources)
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "the course's answer to tutorial_claims" in text and "SimpleNet has no convolution" in text
    assert ASSIGNMENT.test("tutorial_claims").rubric[:60] in " ".join(text.split())
    assert "YOUR ANSWER HERE" in text  # the student's answer stays, above it
    # generate_feedback's exporter, as nbgrader_config.py configures it, adds no such cell.
    feedback = feedback_exporter()
    assert not [preprocessor for preprocessor in feedback._preprocessors
                if type(preprocessor).__name__ == "ReferenceAnswers"]
    nb = nbformat.read(autograded, as_version=4)
    from autograder.grading.formgrader.reference_answers import ReferenceAnswers

    untouched, _ = ReferenceAnswers().preprocess(nb, {"metadata": {"path": str(autograded.parent)}})
    assert not [cell for cell in untouched.cells if REFERENCE_CELL in cell.metadata]  # no submission: no answer


# What a student writes cannot script, restyle or steer the page ----------------------------------

# An outside address nothing answers at (TEST-NET-1): the page must neither navigate to it nor fetch from it.
OUTSIDE = "http://192.0.2.1/"
FORGED = "Passed: 12 / 12 points"
HOSTILE_MARKDOWN = (
    f'<meta http-equiv="refresh" content="1;url={OUTSIDE}">\n\n'
    "<style>#totals, h4, table#tests, ol#problems { display: none !important; }</style>\n\n"
    f'<div style="position: fixed; top: 0; left: 0; width: 100%; height: 100%; background: white;">{FORGED}</div>\n\n'
    '<script>window.scripted = true;</script><img src="x" onerror="window.scripted = true">'
    f'<img src="{OUTSIDE}pixel.png"><iframe src="{OUTSIDE}"></iframe><base href="{OUTSIDE}">'
    '<a href="javascript:window.scripted = true">a link</a>'
)


# Each of HOSTILE_MARKDOWN's tags as a browser would act on it (its text, escaped, is harmless).
HOSTILE_TAGS = ('<meta http-equiv="refresh"', "<style>#totals", 'style="position: fixed', "<script>window.scripted",
                'onerror="window.scripted', f'<img src="{OUTSIDE}', f'<iframe src="{OUTSIDE}', f'<base href="{OUTSIDE}',
                'href="javascript:')


def hostile_tags(page):
    """The tags of HOSTILE_MARKDOWN that `page` holds as tags."""
    return [tag for tag in HOSTILE_TAGS if tag in page]


def hostile_feedback(tmp_path, clean_html="autograder.grading.student_html.clean_html"):
    """A feedback page whose markdown cell, written answer and HTML output are each HOSTILE_MARKDOWN, rendered as
    generate_feedback does, with `clean_html` as the template's cleaning filter; its file."""
    shown = answer("simplenet", new_output("display_data", data={"text/html": HOSTILE_MARKDOWN, "text/plain": "x"}))
    nb = new_notebook(cells=[new_markdown_cell(HOSTILE_MARKDOWN), shown,
                             graded_test_cell("simplenet_builds", NOT_DEFINED),
                             new_markdown_cell(f"**{QUESTIONS['tutorial_claims']}**"),
                             nbgrader_cell(new_markdown_cell(HOSTILE_MARKDOWN), "tutorial_claims", solution=True,
                                           points=POINTS["tutorial_claims"])])
    page = feedback_page(nb, ASSIGNMENT, grades(simplenet_builds=0, tutorial_claims=None))
    resources = {"nbgrader": {"notebook": "fix_simplenet", "score": 0.0, "max_score": 3.0, "late_penalty": 0},
                 "feedback": page, "metadata": {"name": "fix_simplenet", "path": "."}}
    exporter = feedback_exporter()
    exporter.filters = {**exporter.filters, "clean_html": clean_html}
    exporter._environment_cached = None  # nbconvert builds its Jinja environment, filters included, on first use
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    path = tmp_path / f"feedback-{clean_html.rsplit('.', 1)[-1]}.html"
    path.write_text(body)
    return path


def unchanged(html):
    """A cleaning filter that cleans nothing, to show the page's checks are not blind."""
    return html


def what_a_browser_shows(page, path):
    """Open `path`; return (did a script run, the URL after a while, the score heading shown, the requests made)."""
    requested = record_requests(page)
    page.goto(path.as_uri())
    page.wait_for_timeout(2500)  # past the refresh's second
    scripted = page.evaluate("() => window.scripted === true")
    heading = page.locator("h4").filter(has_text="points")
    shown = heading.count() == 1 and heading.is_visible() and page.locator("#totals").is_visible()
    on_top = shown and page.evaluate(
        "() => { const box = document.querySelector('h4').getBoundingClientRect();"
        " return document.elementFromPoint(box.left + 5, box.top + box.height / 2).closest('h4') !== null; }")
    return scripted, page.url, on_top, [url for url in requested if not url.startswith(("file:", "data:"))]


@pytest.mark.slow
def test_what_a_student_writes_cannot_script_restyle_or_steer_the_feedback_page(tmp_path):
    from tests.browser import browser_page, chromium_path

    cleaned = hostile_feedback(tmp_path)
    body = cleaned.read_text()
    assert hostile_tags(body) == []
    with browser_page(chromium_path(), tmp_path / "home") as page:
        scripted, url, score_on_top, outside = what_a_browser_shows(page, cleaned)
        assert not scripted and url == cleaned.as_uri() and score_on_top and outside == [], (scripted, url, outside)
        assert FORGED in page.locator("body").inner_text()  # the student's text stays, as text
        # The same page with nothing cleaned: the checks above see the script, the refresh and the forged score.
        raw = hostile_feedback(tmp_path, clean_html="tests.test_feedback_page.unchanged")
        scripted, url, score_on_top, outside = what_a_browser_shows(page, raw)
        assert scripted or url != raw.as_uri() or outside, "the hostile page did nothing: the test is blind"
        assert not score_on_top


def formgrader_page(nb, preprocessors=None):
    """The Formgrader's page of a submission of `nb`, its exporter configured by nbgrader_config.py."""
    from nbgrader.server_extensions.formgrader import handlers  # noqa: F401  (the Formgrader's templates load)

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    if preprocessors is not None:
        config.HTMLExporter.preprocessors = preprocessors
    resources = {"base_url": "/", "index": 0, "total": 1, "notebook_id": "fix_simplenet", "assignment_id": "a",
                 "submission_id": "s", "student": "x", "last_name": "", "first_name": ""}
    return HTMLExporter(config=config).from_notebook_node(nb, resources=resources)[0]




def test_the_formgraders_page_shows_a_students_markdown_and_outputs_cleaned():
    """Is a written answer's or an output's script, refresh or positioned box shown as text on the Formgrader's page
    of a submission, where it would run in the grader's browser? Without the cleaning step, it is not."""
    shown = answer("simplenet", new_output("display_data", data={"text/html": HOSTILE_MARKDOWN, "text/plain": "x"}))
    nb = new_notebook(cells=[new_markdown_cell(HOSTILE_MARKDOWN), shown,
                             nbgrader_cell(new_markdown_cell(HOSTILE_MARKDOWN + "\n\n`a < b` and **bold**"),
                                           "tutorial_claims", solution=True, points=POINTS["tutorial_claims"])])
    # Markdown a second rendering would see: after a blank line in a fence, a javascript: link; an image whose width
    # smuggles an event handler into nbconvert's unquoted attribute.
    nb.cells.append(nbgrader_cell(new_markdown_cell(
        "```text\nline\n\nmore\n```\n\n[plot](javascript:window.scripted=true)"), "plot_weights", solution=True))
    nb.cells[1].outputs.append(new_output("display_data", data={"image/png": "iVBORw0KGgo="},
                                          metadata={"image/png": {"width": "1 onerror=window.scripted=true"}}))
    page = formgrader_page(nb)
    assert hostile_tags(page) == [] and FORGED in page
    assert "onerror=window" not in page and "javascript:window" not in page
    assert "<code>a &lt; b</code>" in page and "<strong>bold</strong>" in page  # Markdown still rendered
    from autograder.grading.formgrader.reference_answers import ReferenceAnswers

    assert hostile_tags(formgrader_page(nb, preprocessors=[ReferenceAnswers])) != []
