"""The one writer of a course: a student graded elsewhere, recorded by nbgrader's own autograde.

`GradebookWriter(course_root).record(graded)` runs nbgrader's `Autograde` converter (through
`NbGraderAPI.autograde`) in this process, with the course's `nbgrader_config.py`, except
that the stages that ran the notebook and decided its tests (`RunStage`s, and nbgrader's `Execute`)
are replaced by one `ReplayOutputs`: the submitted notebook is
sanitized as nbgrader always does (test cells restored from the gradebook), then each code
cell takes the outputs that grading the student on a worker gave, and nbgrader's own
`SaveAutoGrades` and `AssignLatePenalties` write the grades. The gradebook rows (the
course's `db_url`: SQLite or PostgreSQL), the autograded notebook and the late penalty are
what `nbgrader autograde` writes; the other files the notebook wrote (assignment 3's saved
model and training record) are put next to it. Only the instructor's process writes.
"""

import tempfile
import warnings
from pathlib import Path

import nbformat
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from sqlalchemy.exc import SAWarning
from traitlets import Unicode
from traitlets.config.loader import PyFileConfigLoader

from autograder.course import CONFIG
from autograder.grading.one_student import write_folder
from autograder.grading.stages import RunStage


class WriterError(RuntimeError):
    """nbgrader could not record a graded student; the message says why."""


class ReplayOutputs(NbGraderPreprocessor):
    """In place of `Execute`: give each code cell the outputs of the run on the worker (`graded_folder/STUDENT/`)."""

    graded_folder = Unicode("", help="Folder holding STUDENT/NOTEBOOK.ipynb as graded on a worker.").tag(config=True)

    def preprocess(self, nb, resources):
        nbgrader = resources["nbgrader"]
        path = Path(self.graded_folder) / nbgrader["student"] / f"{nbgrader['notebook']}.ipynb"
        graded = nbformat.read(path, as_version=4)
        if [cell.source for cell in nb.cells] != [cell.source for cell in graded.cells]:
            raise WriterError(f"{path.name} as graded does not match the submission: its cells differ")
        for cell, ran in zip(nb.cells, graded.cells):
            if cell.cell_type != "code":
                continue
            cell.outputs = ran.get("outputs", [])
            cell.execution_count = ran.get("execution_count")
            if "execution" in ran.metadata:
                cell.metadata["execution"] = ran.metadata["execution"]
        return nb, resources


def _is_run(step):
    return isinstance(step, type) and issubclass(step, (RunStage, Execute))


def replaying_the_run(steps):
    """The autograde `steps` with the stages of the run replaced by one `ReplayOutputs`, where the first of them was."""
    first = next((index for index, step in enumerate(steps) if _is_run(step)), 0)
    kept = [step for step in steps if not _is_run(step)]
    return [*kept[:first], ReplayOutputs, *kept[first:]]


def course_config(course_root):
    """The course's nbgrader configuration, as `nbgrader` loads it from `nbgrader_config.py`."""
    return PyFileConfigLoader(CONFIG, path=str(course_root)).load_config()


class GradebookWriter:
    """Records graded students in one course (its `autograded/` and its gradebook), one at a time."""

    def __init__(self, course_root):
        self.course_root = Path(course_root).resolve()
        self.config = course_config(self.course_root)
        steps = self.config.Autograde.get("autograde_preprocessors")
        if not steps:
            from nbgrader.converters import Autograde

            steps = Autograde.autograde_preprocessors.default_value
        self.config.Autograde.autograde_preprocessors = replaying_the_run(steps)

    @property
    def db_url(self):
        return CourseDirectory(config=self.config).db_url

    def record(self, graded):
        """Write `graded` (a `GradedStudent` with its autograded files) into the course, as nbgrader autograde would."""
        with tempfile.TemporaryDirectory(prefix="keras-course-record-") as folder:
            write_folder(Path(folder) / graded.student, graded.files)
            self.config.ReplayOutputs.graded_folder = folder
            coursedir = CourseDirectory(config=self.config)
            api = NbGraderAPI(coursedir=coursedir, config=self.config)
            with warnings.catch_warnings():
                # nbgrader's own autoflush quirk on a resubmission ("not in session"): harmless, and not ours to show.
                warnings.simplefilter("ignore", SAWarning)
                outcome = api.autograde(graded.assignment, graded.student, force=True, create=True)
        if not outcome.get("success"):
            reason = (outcome.get("error") or outcome.get("log") or "no log").strip().splitlines()
            raise WriterError(f"nbgrader could not record {graded.student}: {reason[-1] if reason else ''}")
        autograded = self.course_root / "autograded" / graded.student / graded.assignment
        written = {name: content for name, content in graded.files.items()
                   if not name.endswith(".ipynb") and not (autograded / name).exists()}
        write_folder(autograded, written)
