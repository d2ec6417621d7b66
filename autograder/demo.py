"""`make demo`: a whole class graded by nbgrader, from student versions to feedback and grades."""

import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.course import COURSE_ROOT, nbgrader, read_results
from autograder.demo_class import DEMO_CLASS, build_notebook


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


def submit_through_exchange(course_dir, submissions):
    """Each student submits with `nbgrader submit` from their own folder; the instructor collects."""
    course_dir = Path(course_dir)
    exchange = [f"--Exchange.root={course_dir / 'exchange'}", "--CourseDirectory.course_id=keras-course"]
    with tempfile.TemporaryDirectory(prefix="students-") as students:
        write_submissions(course_dir, submissions, root=students)
        for submission in submissions:
            nbgrader(Path(students) / submission.student_id, "submit", submission.assignment,
                     f"--student={submission.student_id}", *exchange)
    for assignment in sorted({submission.assignment for submission in submissions}):
        nbgrader(course_dir, "collect", assignment, "--update")


def grade_class(course_dir, submissions, echo=print, autograde_args=()):
    """Generate and release, submit and collect through the exchange, autograde, write feedback and export grades.

    Returns {(student, assignment): [TestResult], or None where the student's kernel died}.
    """
    course_dir = Path(course_dir)
    assignments = sorted({submission.assignment for submission in submissions})
    steps = []
    for assignment in assignments:
        steps.append((f"generate_assignment {assignment}", ["generate_assignment", assignment, "--force"], True))
        steps.append((f"release_assignment {assignment}", ["release_assignment", assignment, "--force"], True))
    steps.append((f"{len(submissions)} students submit, instructor collects", None, True))
    for assignment in assignments:
        # Exits 1 when a submission's kernel dies; the others are still graded.
        steps.append((f"autograde {assignment}", ["autograde", assignment, "--force", *autograde_args], False))
        steps.append((f"generate_feedback {assignment}", ["generate_feedback", assignment, "--force"], False))
    steps.append(("export grades to grades.csv", ["export"], True))
    for title, args, check in steps:
        started = time.perf_counter()
        if args is None:
            submit_through_exchange(course_dir, submissions)
        else:
            nbgrader(course_dir, *args, check=check)
        echo(f"  {title}: {time.perf_counter() - started:.1f} s")
    return {
        submission.key: read_results(course_dir, submission.assignment, submission.notebook, submission.student_id)
        for submission in submissions
    }


def format_report(results, submissions):
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
        lines.append(header + "  total")
        for submission in students:
            student_results = results[submission.key]
            if student_results is None:
                lines.append(f"  {submission.student_id:<{width}}  not graded: the kernel died (see nbgrader's log)")
                continue
            scores = " ".join(f"{_score(result):<3}" for result in student_results)
            total = sum(result.score or 0 for result in student_results)
            possible = sum(result.max_score for result in student_results)
            lines.append(f"  {submission.student_id:<{width}}  {scores}  {total:g}/{possible:g}")
        passed = [sum(1 for r in graded if r[i].passed) for i in range(len(grade_ids))]
        lines.append(f"  {'passed by':<{width}}  " + " ".join(f"{count:<3}" for count in passed))
        lines.append("\n  Why tests failed:")
        for submission in students:
            for result in results[submission.key] or []:
                if not result.passed and submission.student_id != "untouched":
                    message = " ".join(result.message.split()) if result.message else "(no message)"
                    lines.append(f"  {submission.student_id}, {result.grade_id}: {message[:240]}")
    return "\n".join(lines)


def _score(result):
    return "-" if result.score is None else f"{result.score:g}"


def run_demo(course_dir=COURSE_ROOT, echo=print):
    """Grade the demo class in `course_dir` and print the report."""
    started = time.perf_counter()
    echo(f"Grading a demo class of {len(DEMO_CLASS)} submissions in {course_dir} with nbgrader:")
    results = grade_class(course_dir, DEMO_CLASS, echo=echo)
    echo(format_report(results, DEMO_CLASS))
    echo(
        f"\nDone in {time.perf_counter() - started:.0f} s. Feedback: {Path(course_dir) / 'feedback'}; "
        f"grades: {Path(course_dir) / 'grades.csv'}; gradebook: {Path(course_dir) / 'gradebook.db'}"
    )
    return results
