"""`keras-course check NOTEBOOK`: the score `nbgrader autograde` gives one notebook, on the student's own machine.

The check runs the real `nbgrader autograde`, with the course's own `nbgrader_config.py`,
in a private temporary course made for that one notebook: the test cells are restored to
the instructor's version and the hidden tests put back (when the course's `source/` is in
the checkout; otherwise the `release/` version, visible tests only, and the report says
so). Nothing of an nbgrader set-up is needed or touched: no course folder, gradebook or
exchange of the user's. The gradebook made from each instructor notebook is cached, so a
check costs one `nbgrader autograde` run.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder import __version__
from autograder.course import COURSE_ROOT, NbgraderFailed, nbgrader, nbgrader_env, read_results
from autograder.errors import error_summary
from autograder.hints import hint
from autograder.nbgrader_plugins import PROGRESS_PREFIX, grade_id_of, is_test

STUDENT = "you"
CONFIG = "nbgrader_config.py"


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

    @property
    def filename(self):
        return f"{self.name}.ipynb"


@dataclass
class TestReport:
    """One test of a check: what nbgrader scored, why it failed, and a hint."""

    grade_id: str
    points: float
    max_points: float
    message: str = ""
    hint: str = ""

    @property
    def passed(self):
        return self.points >= self.max_points


@dataclass
class CheckReport:
    """The result of checking one notebook."""

    notebook: str
    assignment: str
    hidden_tests: bool
    question: str | None
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    graded: bool = True
    seconds: float = 0.0

    @property
    def points(self):
        return sum(test.points for test in self.tests)

    @property
    def max_points(self):
        return sum(test.max_points for test in self.tests)

    @property
    def passed(self):
        return self.graded and bool(self.tests) and all(test.passed for test in self.tests)

    def to_json(self):
        return {
            "notebook": self.notebook,
            "assignment": self.assignment,
            "hidden_tests": self.hidden_tests,
            "question": self.question,
            "graded": self.graded,
            "tests": [{**asdict(test), "passed": test.passed} for test in self.tests],
            "points": self.points,
            "max_points": self.max_points,
            "passed": self.passed,
            "notes": self.notes,
            "seconds": round(self.seconds, 1),
        }


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


def course_notebooks(root):
    """Every notebook of the course at `root`: the `source/` version where it exists (hidden tests), else `release/`."""
    paths = {}
    for kind in ("release", "source"):
        for path in sorted((Path(root) / kind).glob("*/*.ipynb")):
            paths[(path.parent.name, path.stem)] = path
    notebooks = []
    for (assignment, name), path in paths.items():
        nb = nbformat.read(path, as_version=4)
        tests = [cell for cell in nb.cells if is_test(cell)]
        notebooks.append(CourseNotebook(
            assignment, name, path, path.parts[-3] == "source",
            tuple(grade_id_of(cell) for cell in tests), tuple(float(cell.metadata.nbgrader["points"]) for cell in tests),
            nb.metadata.get("kernelspec", {}).get("name", "python3"),
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
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CheckError(
            f"{path} is not a valid notebook ({reason[:200]}): Jupyter cannot open it either. "
            "Restore it (JupyterLab: File > Revert Notebook to Checkpoint) or copy your answers into a fresh "
            "copy of the notebook from release/."
        ) from None
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


def cache_folder():
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "keras-course" / "check"


def prepared_course(notebook, config):
    """A course folder with `notebook` generated into a gradebook by `nbgrader generate_assignment` (cached)."""
    digest = hashlib.sha256()
    for part in (notebook.path.read_bytes(), Path(config).read_bytes(), __version__.encode()):
        digest.update(hashlib.sha256(part).digest())
    folder = cache_folder() / f"{notebook.assignment}-{notebook.name}-{digest.hexdigest()[:16]}"
    if (folder / "gradebook.db").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=folder.parent))
    try:
        shutil.copy2(config, building / CONFIG)
        (building / "source" / notebook.assignment).mkdir(parents=True)
        shutil.copy2(notebook.path, building / "source" / notebook.assignment / notebook.filename)
        try:
            nbgrader(building, "generate_assignment", notebook.assignment, "--force")
        except NbgraderFailed as error:
            raise CheckError(str(error)) from None
        try:
            building.rename(folder)
        except OSError:  # another check finished the same folder first
            pass
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


def run_nbgrader(course, *args, on_line):
    """Run `nbgrader ARGS` in `course`, passing each line it logs to `on_line` as it comes; return its log lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "nbgrader", *args], cwd=course, env=nbgrader_env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        on_line(lines[-1])
    process.wait()  # a failed autograde leaves no grades: run_check reports that from the log
    return lines


def progress_reader(on_progress):
    """A log-line reader that calls `on_progress(position, total, name)` for each cell nbgrader starts to run.

    (`run_check` also reports its own steps as `on_progress(0, 0, what)`.)
    """
    pattern = re.compile(rf"{PROGRESS_PREFIX} (\d+)/(\d+) (\S+)")

    def read(line):
        match = pattern.search(line)
        if match and on_progress:
            on_progress(int(match[1]), int(match[2]), match[3])

    return read


TIMEOUT_MESSAGE = "did not finish within {timeout} s, the time limit for one cell, and was stopped"


def errors_of(cell):
    """The error outputs of a code cell."""
    return [output for output in cell.get("outputs", []) if output.output_type == "error"]


def timed_out(cell):
    """Was the cell stopped at the time limit?

    Such a cell holds nbgrader's CellTimeoutError, often after the KeyboardInterrupt that the
    interrupt raised in the kernel.
    """
    return any(error.ename == "CellTimeoutError" for error in errors_of(cell))


def test_reports(results, autograded, timeout):
    """The tests of a check, with hints, and the timeout message in place of nbgrader's terse one."""
    late = {grade_id_of(cell) for cell in autograded.cells if timed_out(cell)}
    reports = []
    for result in results:
        message = result.message
        if result.grade_id in late:
            message = "this test " + TIMEOUT_MESSAGE.format(timeout=timeout)
        points = result.score or 0.0
        failed = points < result.max_score
        reports.append(TestReport(
            result.grade_id, points, result.max_score, message if failed else "",
            course_hint(result.grade_id, message) if failed else "",
        ))
    return reports


def course_hint(grade_id, message):
    """The course's hint for a failed test, unless the failure message already gives one."""
    return "" if "Hint:" in message else hint(grade_id)


def course_timeout(root):
    """The time limit per cell (seconds) that the course's nbgrader_config.py sets; nbgrader's default otherwise."""
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG, path=str(root)).load_config()
    return config.Execute.get("timeout", Execute.timeout.default_value)


def run_check(path, course=None, assignment=None, question=None, timeout=None, on_progress=None):
    """Check the notebook at `path` as `nbgrader autograde` grades it; return a CheckReport.

    `question` runs one test only (with the cells before it); `timeout` (seconds per cell) defaults
    to the course's. Raises CheckError when the notebook cannot be checked.
    """
    started = time.monotonic()
    path = Path(path)
    nb = read_notebook(path)
    root = Path(course).resolve() if course else find_course_root(path.parent)
    if not is_course_root(root):
        raise CheckError(f"{root} is not a course folder: it needs {CONFIG} and source/ or release/")
    reference, notes = identify(nb, path, course_notebooks(root), assignment)
    if question is not None and question not in reference.tests:
        raise CheckError(
            f"{question!r} is not a test of {reference.filename}; its tests are {', '.join(reference.tests)}"
        )
    check_kernel(reference)
    timeout = timeout or course_timeout(root)
    say = on_progress or (lambda position, total, name: None)
    say(0, 0, f"{reference.assignment}/{reference.filename}: preparing the instructor's tests")
    prepared = prepared_course(reference, root / CONFIG)
    say(0, 0, "starting nbgrader autograde")
    report = CheckReport(str(path), reference.assignment, reference.hidden_tests, question, notes=notes)
    with tempfile.TemporaryDirectory(prefix="keras-course-check-") as workdir:
        grading = Path(workdir) / "course"
        shutil.copytree(prepared, grading)
        submitted = grading / "submitted" / STUDENT / reference.assignment
        submitted.mkdir(parents=True)
        shutil.copyfile(path, submitted / reference.filename)
        args = [
            "autograde", reference.assignment, "--student", STUDENT, "--force",
            "--ExecuteThenGradeInCleanProcess.progress=True", f"--Execute.timeout={int(timeout)}",
        ]
        if question:
            args.append(f"--ExecuteThenGradeInCleanProcess.only_grade_id={question}")
        log = run_nbgrader(grading, *args, on_line=progress_reader(on_progress))
        results = read_results(grading, reference.assignment, reference.name, STUDENT)
        if results is None:
            report.graded = False
            report.notes.append(not_graded_reason(log))
            report.tests = [
                TestReport(grade_id, 0.0, points, "not graded: see the note below")
                for grade_id, points in zip(reference.tests, reference.points) if question in (None, grade_id)
            ]
        else:
            autograded = nbformat.read(
                grading / "autograded" / STUDENT / reference.assignment / reference.filename, as_version=4
            )
            if question:
                results = [result for result in results if result.grade_id == question]
            report.tests = test_reports(results, autograded, timeout)
            report.notes.extend(answer_notes(autograded, timeout))
    report.seconds = time.monotonic() - started
    return report


def answer_notes(nb, timeout):
    """A note for each cell other than a test that stopped with an error or ran out of time.

    A test that fails with a NameError usually fails because the answer cell above it
    stopped: the note names that cell and its error, which is where to look.
    """
    notes = []
    for index, cell in enumerate(nb.cells):
        errors = errors_of(cell)
        if cell.cell_type != "code" or is_test(cell) or not errors:
            continue
        name = f"cell {index + 1}" + (f" ({grade_id_of(cell)})" if grade_id_of(cell) else "")
        if timed_out(cell):
            notes.append(f"{name} {TIMEOUT_MESSAGE.format(timeout=timeout)}; the cells after it ran without its results")
        else:
            error = errors[0]
            summary = error_summary(error.ename, error.get("evalue", ""), error.ename == "NotImplementedError")
            notes.append(f"{name} stopped with {summary[:250]}; the tests that use what it defines fail")
    return notes


def not_graded_reason(log):
    """Why nbgrader gave no grades at all, from its log."""
    text = "\n".join(log)
    if "DeadKernelError" in text or "Kernel died" in text or "kernel died" in text:
        reason = ("the notebook's kernel died while it ran (it ran out of memory, crashed, or exited), "
                  "so nbgrader records no grade for it: every test scores 0")
    else:
        reason = "nbgrader could not grade the notebook, so every test scores 0"
    errors = [line for line in log if "ERROR" in line or "Error" in line][-5:]
    return reason + ("\n" + "\n".join(errors) if errors else "")


def format_points(points):
    return f"{points:g}"


def format_report(report):
    """The report as text for a terminal: one line per test, its message and hint when it failed, the total."""
    scope = "hidden tests included, as in the instructor's grading" if report.hidden_tests else "visible tests only"
    lines = [f"{report.notebook}: assignment {report.assignment} ({scope})", ""]
    width = max((len(test.grade_id) for test in report.tests), default=0)
    for test in report.tests:
        status = "PASS" if test.passed else "FAIL"
        score = f"{format_points(test.points)}/{format_points(test.max_points)}"
        lines.append(f"  {status}  {test.grade_id:<{width}}  {score}")
        if not test.passed:
            lines.extend(f"        {line}" for line in test.message.splitlines() or ["(no message)"])
            if test.hint:
                lines.append(f"        Hint: {test.hint}")
    lines.append("")
    for note in report.notes:
        lines.append(f"Note: {note}")
    failed = sum(not test.passed for test in report.tests)
    lines.append(
        f"Total: {format_points(report.points)}/{format_points(report.max_points)} points; "
        + (f"{failed} of {len(report.tests)} tests failed" if failed else f"all {len(report.tests)} tests passed")
        + f" ({report.seconds:.0f} s)"
    )
    return "\n".join(lines)
