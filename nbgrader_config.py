"""nbgrader configuration of the Keras course. Run nbgrader from this folder.

Everything below is an ordinary nbgrader setting; change it to fit your course.
"""

import os
from pathlib import Path

from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    Execute,
    IncludeHeaderFooter,
    LockCells,
)

from autograder.settings import CELL_TIMEOUT_SECONDS

COURSE_ROOT = Path(__file__).resolve().parent

# Kernels started by nbgrader inherit this: TensorFlow's C++ INFO and WARNING logs
# would reach stderr, and nbgrader scores a test cell that writes to stderr 0.
# Errors are still shown.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

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

# The exchange lives in the course folder so release/fetch/submit/collect work
# without root; point it at a shared folder on a multi-user JupyterHub.
c.Exchange.root = str(COURSE_ROOT / "exchange")

# What students see in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Cells train Keras models (about 15-30 s here); a hanging cell is stopped after this
# many seconds, scored 0, and the following cells still run.
c.Execute.timeout = CELL_TIMEOUT_SECONDS
c.Execute.interrupt_on_timeout = True

# A test cell a student deleted is put back and graded instead of needing a manual grade.
c.OverwriteCells.add_missing_cells = True

# Keep huge outputs (a print in a loop) from bloating the autograded notebook.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Published solutions leave out the hidden tests, so they can be reused next term.
c.GenerateSolution.preprocessors = [
    IncludeHeaderFooter,
    LockCells,
    ClearOutput,
    ClearMarkScheme,
    ClearHiddenTests,
    Execute,
]
