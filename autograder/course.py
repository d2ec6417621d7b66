"""Drive the real nbgrader commands on a course folder and read back what they graded."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

COURSE_ROOT = Path(__file__).resolve().parent.parent


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error."""


def nbgrader_env():
    """The environment nbgrader needs: this interpreter's scripts on PATH (it runs `alembic`) and quiet TensorFlow."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    return env


def nbgrader(course_dir, *args, check=True):
    """Run `nbgrader ARGS` in `course_dir`; return the completed process (output captured)."""
    process = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course_dir, env=nbgrader_env(),
        capture_output=True, text=True,
    )
    if check and process.returncode != 0:
        raise NbgraderFailed(f"`nbgrader {' '.join(args)}` exited {process.returncode}:\n{process.stderr[-3000:]}")
    return process


@dataclass(frozen=True)
class TestResult:
    """One autograded test cell of one student."""

    grade_id: str
    score: float | None
    max_score: float
    message: str = ""

    @property
    def passed(self):
        return self.score is not None and self.score >= self.max_score


def failure_message(cell):
    """The text a failed test cell shows: its error (name and message), what it wrote to stderr, or else what it printed.

    A cell that scores partial credit fails without an error; what it printed says why.
    """
    printed = []
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}".strip()
        if output.output_type == "stream" and output.name == "stderr":
            return f"wrote to stderr: {output.text.strip()[:300]}"
        if output.output_type == "stream":
            printed.append(output.text)
    return "".join(printed).strip()[-600:]


def graded_code_cells(path):
    """The autograded test cells (graded code cells) of the notebook at `path`, in order."""
    return [cell for cell in nbformat.read(path, as_version=4).cells
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code"]


def read_results(course_dir, assignment, notebook, student):
    """The autograded test results of one student, in notebook order, or None if they were not graded."""
    from nbgrader.api import Gradebook, MissingEntry

    path = Path(course_dir) / "autograded" / student / assignment / f"{notebook}.ipynb"
    if not path.is_file():
        return None
    cells = graded_code_cells(path)
    with Gradebook(f"sqlite:///{Path(course_dir) / 'gradebook.db'}") as gradebook:
        results = []
        for cell in cells:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            try:
                grade = gradebook.find_grade(grade_id, notebook, assignment, student)
            except MissingEntry:
                return None
            results.append(TestResult(grade_id, grade.score, grade.max_score, failure_message(cell)))
    return results


def copy_course(destination):
    """Copy the course (config, source and release) to `destination`, for grading runs that must not touch this one."""
    import shutil

    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(COURSE_ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    for folder in ("source", "release"):
        shutil.copytree(COURSE_ROOT / folder, destination / folder, dirs_exist_ok=True)
    return destination
