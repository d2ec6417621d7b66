"""Grade one student's submission in a private course folder, from files that travel as bytes.

The one way a student is graded, whoever asks: `keras-course grade` on a Dask worker
(which shares no filesystem with the instructor's machine) and `keras-course check` on a
student's own. `CourseFiles` (the course's `nbgrader_config.py` and the assignment's
instructor notebooks) and `StudentFiles` (what the student handed in) arrive as bytes;
`grade_student` builds a private course from them (its own SQLite gradebook, made once
per course version by `nbgrader generate_assignment` and cached), runs the real
`nbgrader autograde` with the course's configuration (the sandbox, the course's
`Execute`), and returns the autograded folder as bytes with each test's result in a
`GradedStudent`, with what the student did to the notebook's nbgrader cells (or that a file is no
notebook) in one sentence (`autograder/submission_problems.py`), which is also the reason a student
nbgrader could not grade is not graded. Nothing here writes the instructor's course:
`autograder/grading/gradebook_writer.py` does that, in the instructor's process.
"""

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import nbformat

from autograder.course import CONFIG
from autograder.grading.nbgrader_commands import NbgraderFailed, run_nbgrader
from autograder.grading.results import read_results
from autograder.submission_problems import not_graded_sentence, problem_sentence

# What a prepared course was made with: a course made by another version of the package is made again.
PACKAGE_VERSION = version("keras-course-autograder")
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
    """What a private course needs to grade one assignment: the configuration and the instructor's notebooks."""

    assignment: str
    config: bytes
    source: dict  # {relative path: bytes} of source/ASSIGNMENT (or the one notebook a check grades against)

    @classmethod
    def of(cls, course_root, assignment):
        course_root = Path(course_root)
        return cls(assignment, (course_root / CONFIG).read_bytes(), read_folder(course_root / "source" / assignment))

    @property
    def digest(self):
        digest = hashlib.sha256(self.assignment.encode() + self.config + PACKAGE_VERSION.encode())
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
    results: dict = field(default_factory=dict)  # {notebook name: [TestResult] in notebook order}
    error: str = ""  # nbgrader could not grade the submission at all, in words
    problem: str = ""  # what the submission did to the course's nbgrader cells, or that it is no notebook: a sentence
    log: list = field(default_factory=list)  # nbgrader's log lines
    seconds: float = 0.0
    worker: str = ""

    @property
    def graded(self):
        return not self.error and any(name.endswith(".ipynb") for name in self.files)


def prepared_course(course, cache=None):
    """A course folder with the assignment generated into a SQLite gradebook, made once per `course.digest`.

    Raises `NbgraderFailed` when `nbgrader generate_assignment` cannot generate it.
    """
    cache = Path(cache or default_cache())
    cache.mkdir(parents=True, exist_ok=True)
    folder = cache / f"{course.assignment}-{course.digest}"
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


def handed_in_problem(course, submission, graded):
    """The sentence of each notebook of `submission` that changed the course's nbgrader cells or is no notebook, or ""."""
    said = []
    for name, content in sorted(course.source.items()):
        if name.endswith(".ipynb") and "/" not in name and name in submission.files:
            course_notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
            said.append(problem_sentence(name, submission.files[name], course_notebook, graded))
    return " ".join(sentence for sentence in said if sentence)


def _private_database(course_folder):
    """nbgrader options that keep a private course on its own gradebook, whatever the course's `db_url` says."""
    return [f"--CourseDirectory.db_url=sqlite:///{Path(course_folder) / 'gradebook.db'}",
            f"--CourseDirectory.root={course_folder}"]


def default_cache():
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "keras-course" / "grading"


def grade_student(course, submission, threads=None, cache=None, worker="", options=(), on_line=None):
    """Grade `submission` (`StudentFiles`) with `course` (`CourseFiles`) in a private course; return a `GradedStudent`.

    `threads` limits the kernel's TensorFlow and OpenMP threads (its share of the machine's
    cores); `options` are more nbgrader options, and `on_line` gets each line of its log.
    """
    started = time.monotonic()
    cache = Path(cache or default_cache())
    result = GradedStudent(submission.student, submission.assignment, worker=worker)
    env = {name: str(threads) for name in THREAD_VARIABLES} if threads else {}
    try:
        prepared = prepared_course(course, cache)
        with tempfile.TemporaryDirectory(prefix="grading-", dir=cache) as workdir:
            grading = Path(workdir) / "course"
            shutil.copytree(prepared, grading)
            write_folder(grading / "submitted" / submission.student / submission.assignment, submission.files)
            log = run_nbgrader(grading, "autograde", submission.assignment, "--student", submission.student,
                               "--force", *_private_database(grading), *options, check=False, env=env,
                               on_line=on_line)
            result.log = log[-500:]
            autograded = grading / "autograded" / submission.student / submission.assignment
            if autograded.is_dir():
                result.files = read_folder(autograded)
            for name in (name for name in course.source if name.endswith(".ipynb") and "/" not in name):
                notebook = name[:-len(".ipynb")]
                graded = read_results(grading, submission.assignment, notebook, submission.student)
                if graded is not None:
                    result.results[notebook] = graded
            result.problem = handed_in_problem(course, submission, result.graded)
            if not result.graded:
                result.error = result.problem or not_graded_sentence(log)
    except (NbgraderFailed, OSError, ValueError) as error:
        result.error = f"the submission could not be graded: {error}"[:2000]
    result.seconds = time.monotonic() - started
    return result
