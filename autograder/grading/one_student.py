"""Grade one student's submission in a private course folder, from files that travel as bytes.

The step `keras-course grade` runs on a Dask worker, which shares no filesystem with the
instructor's machine: `CourseFiles` (the course's `nbgrader_config.py` and the
assignment's `source/` folder) and `StudentFiles` (what the student handed in) arrive as
bytes; `grade_student` builds a private course from them (its own SQLite gradebook, made
once per worker by `nbgrader generate_assignment`), runs the real `nbgrader autograde`
with the course's configuration (the sandbox, the course's `Execute`), and returns the
autograded folder as bytes in a `GradedStudent`. Nothing here writes the instructor's
course: `autograder/grading/gradebook_writer.py` does that, in the instructor's process.
"""

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.nbgrader import NbgraderFailed, run_nbgrader

CONFIG = "nbgrader_config.py"
# The thread settings a kernel takes its share of the cores from (passed into the sandbox).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def read_folder(folder):
    """{relative path: bytes} of every file under `folder`."""
    folder = Path(folder)
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()
    }


def write_folder(folder, files):
    """Write {relative path: bytes} under `folder`, refusing paths that leave it."""
    folder = Path(folder)
    for name, content in files.items():
        target = (folder / name).resolve()
        if folder.resolve() not in target.parents:
            raise ValueError(f"{name!r} is outside the folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


@dataclass(frozen=True)
class CourseFiles:
    """What a private course needs to grade one assignment: the configuration and the assignment's source folder."""

    assignment: str
    config: bytes
    source: dict  # {relative path: bytes} of source/ASSIGNMENT

    @classmethod
    def of(cls, course_root, assignment):
        course_root = Path(course_root)
        return cls(assignment, (course_root / CONFIG).read_bytes(), read_folder(course_root / "source" / assignment))

    @property
    def digest(self):
        digest = hashlib.sha256(self.assignment.encode() + self.config)
        for name, content in sorted(self.source.items()):
            digest.update(name.encode() + hashlib.sha256(content).digest())
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class StudentFiles:
    """One student's submission of one assignment: `submitted/STUDENT/ASSIGNMENT/*` as bytes (timestamp.txt included)."""

    student: str
    assignment: str
    files: dict

    @classmethod
    def of(cls, course_root, assignment, student):
        return cls(student, assignment, read_folder(Path(course_root) / "submitted" / student / assignment))


@dataclass
class GradedStudent:
    """What grading one student gives back: `autograded/STUDENT/ASSIGNMENT/*` as bytes, or why there is none."""

    student: str
    assignment: str
    files: dict = field(default_factory=dict)
    error: str = ""  # nbgrader could not grade the submission at all, in words
    seconds: float = 0.0
    worker: str = ""

    @property
    def graded(self):
        return not self.error and any(name.endswith(".ipynb") for name in self.files)


def _prepared_course(course, cache):
    """A course folder with the assignment generated into a SQLite gradebook, made once per `course.digest`."""
    folder = Path(cache) / f"{course.assignment}-{course.digest}"
    if (folder / "gradebook.db").is_file():
        return folder
    building = Path(tempfile.mkdtemp(prefix="building-", dir=cache))
    try:
        (building / CONFIG).write_bytes(course.config)
        write_folder(building / "source" / course.assignment, course.source)
        run_nbgrader(building, "generate_assignment", course.assignment, "--force", *_private_database(building))
        try:
            building.rename(folder)
        except OSError:  # another task on this worker made it first
            pass
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


def _private_database(course_folder):
    """nbgrader options that keep a private course on its own gradebook, whatever the course's `db_url` says."""
    return [f"--CourseDirectory.db_url=sqlite:///{Path(course_folder) / 'gradebook.db'}",
            f"--CourseDirectory.root={course_folder}"]


def default_cache():
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "keras-course" / "grading"


def grade_student(course, submission, threads=None, cache=None, worker=""):
    """Grade `submission` (`StudentFiles`) with `course` (`CourseFiles`) in a private course; return a `GradedStudent`.

    `threads` limits the kernel's TensorFlow and OpenMP threads (its share of the machine's cores).
    """
    started = time.monotonic()
    cache = Path(cache or default_cache())
    cache.mkdir(parents=True, exist_ok=True)
    result = GradedStudent(submission.student, submission.assignment, worker=worker)
    env = {name: str(threads) for name in THREAD_VARIABLES} if threads else {}
    try:
        prepared = _prepared_course(course, cache)
        with tempfile.TemporaryDirectory(prefix="grading-", dir=cache) as workdir:
            grading = Path(workdir) / "course"
            shutil.copytree(prepared, grading)
            write_folder(grading / "submitted" / submission.student / submission.assignment, submission.files)
            log = run_nbgrader(grading, "autograde", submission.assignment, "--student", submission.student,
                               "--force", *_private_database(grading), check=False, env=env)
            autograded = grading / "autograded" / submission.student / submission.assignment
            if autograded.is_dir():
                result.files = read_folder(autograded)
            if not result.graded:
                errors = [line for line in log if "ERROR" in line or "Error" in line][-5:]
                result.error = "nbgrader could not grade the submission" + (": " + " ".join(errors) if errors else "")
    except (NbgraderFailed, OSError, ValueError) as error:
        result.error = f"the submission could not be graded: {error}"[:2000]
    result.seconds = time.monotonic() - started
    return result
