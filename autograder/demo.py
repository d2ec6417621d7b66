"""`make demo`: a whole class graded by nbgrader, from student versions to feedback and grades, in a copy of the course."""

import csv
import os
import shutil
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat

from autograder.assignments import all_assignments
from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import build_notebook
from autograder.deadlines import EXTENSION_COLUMNS, EXTENSIONS_FILE, when
from autograder.grading import batch
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.grading.results import read_results
from autograder.report import write_report
from autograder.report.lms_export import CanvasExport, MoodleExport
from autograder.selfcheck.report import failure_lines
from autograder.settings import COURSE_ROOT

# The files each LMS imports, written at the end of the demo's term (docs/instructors.md: Grades into the LMS).
LMS_EXPORTS = {"Canvas": CanvasExport, "Moodle": MoodleExport}


def demo_class():
    """The submissions `make demo` grades: each assignment's submissions marked for the demo."""
    return tuple(
        submission for assignment in all_assignments() for submission in assignment.submissions if submission.in_demo
    )


def write_submissions(course_dir, submissions, root=None):
    """Write each submission to ROOT/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb (ROOT defaults to the course's submitted/).

    Earlier submitted, autograded and feedback copies of these students are removed.
    """
    course_dir = Path(course_dir)
    root = course_dir / "submitted" if root is None else Path(root)
    for submission in submissions:
        for stage in ("submitted", "autograded", "feedback"):
            shutil.rmtree(course_dir / stage / submission.student_id / submission.assignment, ignore_errors=True)
        folder = root / submission.student_id / submission.assignment
        folder.mkdir(parents=True)
        notebook = build_notebook(
            submission,
            course_dir / "release" / submission.assignment / f"{submission.notebook}.ipynb",
            course_dir / "source" / submission.assignment / f"{submission.notebook}.ipynb",
        )
        nbformat.write(notebook, folder / f"{submission.notebook}.ipynb")


# `nbgrader submit` works in the current folder, which all threads of a process share.
_WORKING_FOLDER = threading.Lock()


# Where the simulated students' `nbgrader submit` keeps its record of what was submitted (nbgrader's cache): in the
# class's course folder, never the user's own cache, which the Assignment List of `make lab` reads.
STUDENT_CACHE = "student-cache"


def nbgrader_submit(folder, assignment, student_id, exchange_root, cache):
    """`nbgrader submit ASSIGNMENT` from `folder`, as the student `student_id` runs it, recorded in `cache`.

    nbgrader's own SubmitApp, run in this process: a class of 40 submits in a second instead
    of two minutes of Python start-ups.
    """
    from nbgrader.apps import SubmitApp

    with _WORKING_FOLDER:
        here = os.getcwd()
        os.chdir(folder)
        try:
            app = SubmitApp()
            app.initialize([
                assignment, f"--student={student_id}", f"--Exchange.root={exchange_root}", f"--Exchange.cache={cache}",
                "--CourseDirectory.course_id=keras-course", "--log-level=ERROR",
            ])
            app.start()
        finally:
            os.chdir(here)


def submit_through_exchange(course_dir, submissions):
    """Each student submits with `nbgrader submit` from their own folder; the instructor collects."""
    course_dir = Path(course_dir)
    with tempfile.TemporaryDirectory(prefix="students-") as students:
        write_submissions(course_dir, submissions, root=students)
        for submission in submissions:
            nbgrader_submit(Path(students) / submission.student_id, submission.assignment, submission.student_id,
                            course_dir / "exchange", course_dir / STUDENT_CACHE)
    for assignment in sorted({submission.assignment for submission in submissions}):
        run_nbgrader(course_dir, "collect", assignment, "--update")


# The class's term: every assignment is due this long after the class is graded, so each student hands in on time but
# those whose submission says it came late (`late_hours`): their hand-in time is set that long after the due date.
DUE_AFTER = timedelta(days=1)
# nbgrader's timestamp.txt, in UTC.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


def write_extensions(course_dir, submissions):
    """The course's extensions file: one line for each submission granted an extension (`extension_hours`)."""
    granted = [submission for submission in submissions if submission.extension_hours]
    if not granted:
        return
    with open(Path(course_dir) / EXTENSIONS_FILE, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(EXTENSION_COLUMNS)
        for submission in granted:
            writer.writerow([submission.student_id, submission.assignment, "",
                             f"{submission.extension_hours:g} hours", submission.extension_reason])


def hand_in_late(course_dir, submissions, due):
    """Set the collected hand-in time of each late submission (`late_hours` after `due`)."""
    for submission in submissions:
        if submission.late_hours:
            stamp = due + timedelta(hours=submission.late_hours)
            path = Path(course_dir) / "submitted" / submission.student_id / submission.assignment / "timestamp.txt"
            path.write_text(stamp.strftime(TIMESTAMP_FORMAT))


def run_the_class(course_dir, submissions, echo=print, autograde_args=(), on_step=None, workers=None):
    """Generate and release, submit and collect through the exchange, autograde, write feedback and export grades.

    Every assignment is due `DUE_AFTER` from now; the submissions that come late say so (`late_hours`), and the
    course's extensions file grants the extensions they declare (`extension_hours`).

    Autograding is `nbgrader autograde` (with `autograde_args`), or with `workers` the batch of
    `keras-course grade` on a Dask `LocalCluster` of that many workers. Each step is echoed with
    its time, and passed to `on_step(title, seconds)` when given.
    Returns {(student, assignment): [TestResult], or None where the student's kernel died}.
    """
    course_dir = Path(course_dir)
    assignments = sorted({submission.assignment for submission in submissions})
    due = (datetime.now(timezone.utc) + DUE_AFTER).replace(tzinfo=None, second=0, microsecond=0)
    write_extensions(course_dir, submissions)
    steps = []
    for assignment in assignments:
        steps.append((f"db assignment add {assignment} (due {when(due)})",
                      ["db", "assignment", "add", assignment, f"--duedate={when(due)}"], True))
        steps.append((f"generate_assignment {assignment}", ["generate_assignment", assignment, "--force"], True))
        steps.append((f"release_assignment {assignment}", ["release_assignment", assignment, "--force"], True))
    steps.append((f"{len(submissions)} students submit, instructor collects", None, True))
    for assignment in assignments:
        if workers:
            steps.append((f"keras-course grade {assignment} ({workers} Dask workers)", assignment, True))
        else:
            # Exits 1 when a submission's kernel dies; the others are still graded.
            steps.append((f"autograde {assignment}", ["autograde", assignment, "--force", *autograde_args], False))
        steps.append((f"generate_feedback {assignment}", ["generate_feedback", assignment, "--force"], False))
    steps.append(("export grades to grades.csv", ["export"], True))
    for lms, exporter in LMS_EXPORTS.items():
        steps.append((f"export grades for {lms} to {exporter.filename}",
                      ["export", f"--exporter={exporter.__module__}.{exporter.__name__}", f"--to={exporter.filename}"],
                      True))
    for title, args, check in steps:
        started = time.perf_counter()
        if args is None:
            submit_through_exchange(course_dir, submissions)
            hand_in_late(course_dir, submissions, due)
        elif isinstance(args, str):
            summary = batch.grade_class(course_dir, args, workers=workers, force=True)
            for failure in summary.failed:
                echo(f"  not graded: {failure['student']}: {failure['reason']}")
        else:
            run_nbgrader(course_dir, *args, check=check)
        seconds = time.perf_counter() - started
        echo(f"  {title}: {seconds:.1f} s")
        if on_step:
            on_step(title, seconds)
    return {
        submission.key: read_results(course_dir, submission.assignment, submission.notebook, submission.student_id)
        for submission in submissions
    }


def format_class_table(results, submissions):
    """A table of scores per student and per test, then each failure's message."""
    lines = []
    for assignment in sorted({submission.assignment for submission in submissions}):
        students = [submission for submission in submissions if submission.assignment == assignment]
        graded = [results[s.key] for s in students if results[s.key] is not None]
        grade_ids = [result.grade_id for result in graded[0]] if graded else []
        width = max(len(s.student_id) for s in students)
        lines.append(f"\n{assignment}")
        lines.extend(f"  T{index + 1:<2} {grade_id}" for index, grade_id in enumerate(grade_ids))
        header = f"  {'student':<{width}}  " + " ".join(f"T{index + 1:<2}" for index in range(len(grade_ids)))
        lines.append(header + "  autograded")
        for submission in students:
            student_results = results[submission.key]
            if student_results is None:
                lines.append(f"  {submission.student_id:<{width}}  not graded: the kernel died (see nbgrader's log)")
                continue
            scores = " ".join(f"{result.points:<3g}" for result in student_results)
            total = sum(result.points for result in student_results)
            possible = sum(result.max_points for result in student_results)
            lines.append(f"  {submission.student_id:<{width}}  {scores}  {total:g}/{possible:g}")
        passed = [sum(1 for r in graded if r[i].passed) for i in range(len(grade_ids))]
        lines.append(f"  {'passed by':<{width}}  " + " ".join(f"{count:<3}" for count in passed))
        manual = sum(test.points for test in find_assignment(assignment).tests() if test.manual)
        if manual:
            lines.append(f"  The totals count autograded points. {manual:g} more points (written answers) are graded by "
                         "hand in the Formgrader: until then grades.csv and the Formgrader count them as 0.")
        lines.append("\n  Why tests failed:")
        for submission in students:
            for result in results[submission.key] or []:
                if not result.passed and submission.student_id != "untouched":
                    message = " ".join(" ".join(failure_lines(result)).split())
                    lines.append(f"  {submission.student_id}, {result.grade_id}: {message[:400]}")
    return "\n".join(lines)


DEMO_FOLDER = COURSE_ROOT / "demo"


def run_demo(course_dir=DEMO_FOLDER, echo=print, workers=None):
    """Grade the demo class in a fresh copy of the course at `course_dir` and print the report.

    The copy (configuration, source/ and release/) keeps the demo's students out of the course's own
    gradebook and folders; it is made anew on each run. Autograding is `keras-course grade`'s
    batch on `workers` Dask workers (default: one per core).
    """
    started = time.perf_counter()
    course_dir = Path(course_dir)
    shutil.rmtree(course_dir, ignore_errors=True)
    copy_course(course_dir)
    workers = workers or batch.default_workers()
    submissions = demo_class()
    echo(f"Grading a demo class of {len(submissions)} submissions in a copy of the course, {course_dir}, "
         f"with nbgrader and {workers} Dask workers:")
    results = run_the_class(course_dir, submissions, echo=echo, workers=workers)
    echo(format_class_table(results, submissions))
    page = write_report(course_dir, sorted({submission.assignment for submission in submissions}))
    echo(
        f"\nDone in {time.perf_counter() - started:.0f} s. Feedback: {Path(course_dir) / 'feedback'}; "
        f"grades: {Path(course_dir) / 'grades.csv'}, and for the LMS "
        + ", ".join(str(Path(course_dir) / exporter.filename) for exporter in LMS_EXPORTS.values())
        + f"; gradebook: {Path(course_dir) / 'gradebook.db'}"
    )
    echo(f"Class report: {page}")
    return results
