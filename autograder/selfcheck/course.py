"""Which course notebook a student's notebook is, and the instructor's version of it, prepared for grading.

A notebook is recognised by its test cells (their nbgrader ids). The instructor's notebook
comes from the course's `source/` when the checkout has it (hidden tests included),
otherwise from `release/`; `autograder/grading/one_student.py` prepares it for grading.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.cells import autograded_cells, grade_id_of, is_graded_by_hand, points_of
from autograder.course import CONFIG
from autograder.settings import COURSE_ROOT
from autograder.submission_problems import unreadable_reason, unreadable_sentence


class CheckError(Exception):
    """A notebook that cannot be checked: the message says why and what to do."""


@dataclass(frozen=True)
class CourseNotebook:
    """One notebook of the course, as the instructor wrote it (`source/`) or as students get it (`release/`)."""

    assignment: str
    name: str
    path: Path
    hidden_tests: bool
    tests: tuple
    points: tuple
    kernel: str
    manual_points: float = 0.0  # the points of the answers a person grades (written answers)

    @property
    def filename(self):
        return f"{self.name}.ipynb"


def find_course_root(start):
    """The course folder holding `start`: the nearest parent with `nbgrader_config.py` and `source/` or `release/`.

    A notebook kept outside the course (a download, a copy in the home folder) is checked against the
    course this package was installed from.
    """
    for folder in [Path(start).resolve(), *Path(start).resolve().parents]:
        if is_course_root(folder):
            return folder
    if is_course_root(COURSE_ROOT):
        return COURSE_ROOT
    raise CheckError(f"found no course folder (with {CONFIG} and release/) above {start}; pass --course FOLDER")


def is_course_root(folder):
    return (folder / CONFIG).is_file() and ((folder / "source").is_dir() or (folder / "release").is_dir())


def copy_released(folder, root=COURSE_ROOT):
    """Copy each released notebook of the course at `root` to `folder/ASSIGNMENT/`, keeping any already there.

    Yields `(path, copied)` per notebook, in order.
    """
    for notebook in sorted((Path(root) / "release").glob("*/*.ipynb")):
        target = Path(folder) / notebook.parent.name / notebook.name
        copied = not target.exists()
        if copied:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, target)
        yield target, copied


def course_notebooks(root):
    """Every notebook of the course at `root`: the `source/` version where it exists (hidden tests), else `release/`."""
    paths = {}
    for kind in ("release", "source"):
        for path in sorted((Path(root) / kind).glob("*/*.ipynb")):
            paths[(path.parent.name, path.stem)] = path
    notebooks = []
    for (assignment, name), path in paths.items():
        nb = nbformat.read(path, as_version=4)
        tests = autograded_cells(nb)
        notebooks.append(CourseNotebook(
            assignment, name, path, path.parts[-3] == "source",
            tuple(grade_id_of(cell) for cell in tests), tuple(points_of(cell) for cell in tests),
            nb.metadata.get("kernelspec", {}).get("name", "python3"),
            sum(points_of(cell) for cell in nb.cells if is_graded_by_hand(cell)),
        ))
    return notebooks


def read_notebook(path):
    """The notebook at `path`, or a CheckError saying why it cannot be one."""
    path = Path(path)
    if not path.exists():
        raise CheckError(f"{path}: no such file")
    if path.is_dir():
        raise CheckError(f"{path} is a folder: give the path of a notebook (.ipynb file)")
    if path.suffix != ".ipynb":
        raise CheckError(f"{path} is not a Jupyter notebook (.ipynb file)")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as error:
        raise CheckError(unreadable_sentence(path, unreadable_reason(error))) from None
    return nb


def identify(nb, path, notebooks, assignment=None):
    """The course notebook that `nb` is a copy of, and notes for the report; a CheckError if there is none.

    A notebook is recognised by its test cells (their nbgrader ids), whatever its file name. Its
    assignment is the one given, or the folder it is in when that folder is named after one.
    """
    path = Path(path)
    assignments = sorted({notebook.assignment for notebook in notebooks})
    if assignment is not None and assignment not in assignments:
        raise CheckError(f"no assignment {assignment!r} in this course: its assignments are {', '.join(assignments)}")
    expected = assignment or (path.resolve().parent.name if path.resolve().parent.name in assignments else None)
    ids = {grade_id_of(cell) for cell in nb.cells} - {None}
    overlap = {notebook: len(ids & set(notebook.tests)) for notebook in notebooks}
    best = max(notebooks, key=lambda notebook: overlap[notebook], default=None)
    if best is None or overlap[best] == 0:
        same_name = [notebook for notebook in notebooks if notebook.filename == path.name]
        if same_name:
            raise CheckError(
                f"{path} has none of the test cells of {same_name[0].assignment}/{path.name}: their nbgrader "
                "metadata is gone (a tool that cleans notebooks can remove it), so nbgrader cannot grade it. "
                f"Copy your answers into a fresh copy of release/{same_name[0].assignment}/{path.name}."
            )
        raise CheckError(
            f"{path} is not a notebook of this course: none of its cells is a test of "
            + ", ".join(f"{notebook.assignment}/{notebook.filename}" for notebook in notebooks)
        )
    if expected is not None and best.assignment != expected:
        raise CheckError(
            f"{path} is the notebook of assignment {best.assignment} ({best.filename}), not of {expected}: "
            f"check it as {best.assignment}, or open {expected}'s own notebook"
        )
    notes = []
    if path.name != best.filename:
        notes.append(
            f"checked as {best.assignment}/{best.filename}: nbgrader collects it only under that name, "
            "so rename it before you submit"
        )
    if not best.hidden_tests:
        notes.append(
            "hidden tests not included (this checkout has no source/ notebooks): the instructor's grading "
            "runs more cases, so the score here can be higher than the final one"
        )
    return best, notes


def check_kernel(notebook):
    """A CheckError if the Jupyter kernel that grades `notebook` is not installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    name = notebook.kernel
    manager = KernelSpecManager()
    try:
        manager.get_kernel_spec(name)
    except NoSuchKernel:
        installed = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise CheckError(
            f"{notebook.filename} runs in the Jupyter kernel {name!r}, which is not installed here "
            f"(installed: {installed}). Run the course's set-up (`make setup`) and check again from its "
            "environment (.venv/bin/keras-course check ...)."
        ) from None
