"""nbgrader configuration of the Keras course. Run nbgrader from this folder.

Everything below is an ordinary nbgrader setting; change it to fit your course.
"""

from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    Execute,
    GetGrades,
    IgnorePattern,
    IncludeHeaderFooter,
    InstantiateTests,
    LimitOutput,
    LockCells,
    SaveAutoGrades,
    SaveCells,
)

from autograder.assignments import grading_files
from autograder.grading.formgrader import TEMPLATE_FOLDERS as FORMGRADER_TEMPLATE_FOLDERS
from autograder.grading.formgrader import TEMPLATE_NAME as FORMGRADER_TEMPLATE_NAME
from autograder.grading.formgrader.clean_markdown import CleanMarkdownCells
from autograder.grading.formgrader.reference_answers import ReferenceAnswers
from autograder.grading.stages.apply_extensions import ApplyExtensions
from autograder.grading.stages.due_date import DueDate
from autograder.grading.stages.feedback_for_students import FeedbackForStudents
from autograder.grading.stages.judge_outside_kernel import JudgeOutsideKernel
from autograder.grading.stages.name_test_cells import NameTestCells
from autograder.grading.stages.remove_grading_files import RemoveGradingFiles
from autograder.grading.stages.sandboxed_execute import SandboxedExecute
from autograder.grading.stages.starting_code import StartingCode
from autograder.grading.student_feedback import TEMPLATE_FOLDER as FEEDBACK_TEMPLATE_FOLDER
from autograder.grading.student_feedback import TEMPLATE_NAME as FEEDBACK_TEMPLATE_NAME
from autograder.settings import CELL_TIMEOUT_SECONDS

COURSE_ROOT = Path(__file__).resolve().parent

# Importing `autograder` above set the environment that kernels started by nbgrader inherit: quiet
# TensorFlow logs, since nbgrader scores a test cell that writes to stderr 0 (autograder/environment.py).

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

# Course and folders. `source/` holds the instructor notebooks (solutions and hidden
# tests), `release/` what students get; the others are made by nbgrader.
c.CourseDirectory.course_id = "keras-course"
c.CourseDirectory.root = str(COURSE_ROOT)
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.db_url = f"sqlite:///{COURSE_ROOT / 'gradebook.db'}"
# Submissions larger than this (in kB) are skipped with a warning, not copied.
c.CourseDirectory.max_file_size = 100_000
# Never copied between folders: what grading writes in a notebook's folder, as each assignment declares it
# (a copy handed in with a submission must not be graded), besides nbgrader's own.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", *grading_files()]

# The exchange lives in the course folder so release/fetch/submit/collect work
# without root; point it at a shared folder on a multi-user JupyterHub.
c.Exchange.root = str(COURSE_ROOT / "exchange")

# What students see in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Cells train Keras models (up to about 200 s here); a hanging cell is stopped after this
# many seconds, scored 0, and the following cells still run.
c.Execute.timeout = CELL_TIMEOUT_SECONDS
c.Execute.interrupt_on_timeout = True

# The path of one submission through autograde, one step per line (autograder/grading/stages/, a module
# each): handed-in grading files removed; the notebook run in its sandboxed kernel, with the assignment's own
# step after each cell (assignment 3: the grader trains the planned model); every test decided outside the
# kernel, by the assignment's grader or by replaying the test cell on what the kernel observed; then
# nbgrader's own steps.
c.Autograde.autograde_preprocessors = [
    RemoveGradingFiles,
    SandboxedExecute,
    JudgeOutsideKernel,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    ApplyExtensions,
    AssignLatePenalties,
    CheckCellMetadata,
]

# Due dates are nbgrader's: `nbgrader db assignment add NAME --duedate="2027-01-15 23:59 UTC"` (or the Formgrader)
# before `generate_assignment`, which writes the date and the rule below into the student version's first cell.
# An extension for one student is a line of extensions.csv (autograder/deadlines.py says how): `ApplyExtensions`
# sets it in the gradebook, and nbgrader's `AssignLatePenalties` counts it. The penalty is nbgrader's own:
# "zero" scores late work 0, "none" only marks it late (students read the rule in words).
c.LateSubmissionPlugin.penalty_method = "zero"

# Every student's kernel runs in a sandbox (autograder/isolation/sandbox.py: bubblewrap, cgroups, an
# unprivileged user, no network, none of the course's files but the `autograder` package). A
# limit reached costs that student the cells it stops, with the reason in words; grading refuses
# to start on a machine that cannot run the sandbox. `enabled = False` only where every notebook
# is trusted: without the sandbox a notebook can forge grades and change the course.
c.SandboxSettings.enabled = True
# Its limits, each per notebook (the defaults, in autograder/isolation/sandbox.py, in brackets):
# c.SandboxSettings.memory_bytes = ...           # its processes together [a quarter of the machine, at most 4 GiB]
# c.SandboxSettings.processes = ...              # processes and threads at once [256]
# c.SandboxSettings.disk_bytes = ...             # its private writable folder [1 GiB]
# c.SandboxSettings.output_bytes_per_cell = ...  # output kept per cell; the rest is cut [1 MiB]
# c.SandboxSettings.notebook_seconds = ...       # the whole notebook, besides the cell timeout [3600]

# A test cell a student deleted is put back and graded instead of needing a manual grade.
c.OverwriteCells.add_missing_cells = True

# Grades out to the LMS: `nbgrader export --exporter=autograder.report.lms_export.CanvasExport` (or MoodleExport) writes
# the file Canvas's (or Moodle's) grade import reads (docs/instructors.md: Grades into the LMS). Submissions excused
# from an assignment, as "student_id/assignment", go out as excused instead of a score.
c.LmsExport.excused = []

# Answers alike between students (`keras-course similarity ASSIGNMENT`, and the class report's "Similar answers"):
# every pair who handed in is compared on the code of their answer cells, the released and solution code left out.
# A pair is flagged when one of the two shares at least this part of the code they wrote themselves with the other,
# names and comments aside (1.0: all of it). Only flagged, for you to look at; grades are not changed.
c.Similarity.threshold = 0.7

# Keep huge outputs (a print in a loop) from bloating the autograded notebook.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# The student version names each test at the top of its cell (from its metadata), for `check(...)`, its first cell
# says when it is due (when the gradebook has a due date: autograder/grading/stages/due_date.py), and an answer
# cell with a `### BEGIN STARTING CODE` block starts with that code instead of the stub
# (autograder/grading/stages/starting_code.py). nbgrader's own steps otherwise, in its order.
c.GenerateAssignment.preprocessors = [
    NameTestCells,
    DueDate,
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    ClearSolutions,
    StartingCode,
    ClearOutput,
    CheckCellMetadata,
    ComputeChecksums,
    SaveCells,
    ClearHiddenTests,
    ClearMarkScheme,
    ComputeChecksums,
    CheckCellMetadata,
]

# Published solutions leave out the hidden tests, so they can be reused next term.
c.GenerateSolution.preprocessors = [
    NameTestCells,
    IncludeHeaderFooter,
    LockCells,
    ClearOutput,
    ClearMarkScheme,
    ClearHiddenTests,
    Execute,
]

# Returned feedback names each test (grade id, question, points) and says why it lost points: the
# earlier cell that failed, or its message, then the hint; never the hidden tests' code, the grader's
# traceback or an instructor's path; a written answer is "not graded yet" until graded by hand.
# The course's template lays it out (autograder/grading/student_feedback/): a page that fetches
# nothing, offline.
c.GenerateFeedback.preprocessors = [GetGrades, FeedbackForStudents, CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [FEEDBACK_TEMPLATE_FOLDER]
c.GenerateFeedback.HTMLExporter.template_name = FEEDBACK_TEMPLATE_NAME
# What the student wrote (Markdown, written answers, HTML and SVG outputs) is cleaned to an allow-list before it
# reaches a page (autograder/grading/student_html.py): no script, style, meta refresh, frame or remote image.
c.GenerateFeedback.HTMLExporter.sanitize_html = True
c.GenerateFeedback.HTMLExporter.filters = {"clean_html": "autograder.grading.student_html.clean_html"}

# The Formgrader's page of a submission: nbgrader's template, without the MathJax it would fetch from a CDN
# (autograder/grading/formgrader/). Only the Formgrader's exporter reads the plain `HTMLExporter` settings;
# generate_feedback's are its own, above.
c.HTMLExporter.template_name = FORMGRADER_TEMPLATE_NAME
c.HTMLExporter.extra_template_basedirs = FORMGRADER_TEMPLATE_FOLDERS
# The student's Markdown cleaned as on their feedback, so none of it runs in the grader's browser; then, under each
# answer graded by hand, the course's own answer and the declared rubric, which a student's feedback never shows
# (its exporter has preprocessors of its own, neither of these). HTML and SVG outputs are cleaned alike.
c.HTMLExporter.preprocessors = [CleanMarkdownCells, ReferenceAnswers]
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"clean_html": "autograder.grading.student_html.clean_html"}
c.GenerateFeedback.HTMLExporter.preprocessors = []
