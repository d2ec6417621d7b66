"""Benchmark: a class graded by serial `nbgrader autograde` and by `keras-course grade` (Dask), in one run.

Run with `make benchmark-grade` (about 8 minutes on 2 cores). Prints figures, asserts
nothing. The class: `STUDENTS` copies of an assignment's reference solution handed in by
as many students (assignment 1 by default: `python -m tests.benchmarks.grade_time
03_tune_training` for assignment 3), each graded in a fresh copy of the course both ways.
Prints both times and the speed-up; where the time of one student goes in the batch
(kernel start, imports, training, checks and other cells from the autograded notebooks'
cell timings; nbgrader's own work on the worker; sending the files there and back and
recording them here); and a projection for 300 students on K workers of this size.
"""

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import reference
from autograder.demo import write_submissions
from autograder.grading.batch import default_workers, grade_class
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from tests.benchmarks.autograde_time import kernel_start_seconds, split_cells

STUDENTS = 8
PROJECTED_CLASS = 300


def a_class(assignment, course):
    """`STUDENTS` students handing in the assignment's reference, in `course` (a fresh copy)."""
    copy_course(course)
    run_nbgrader(course, "generate_assignment", assignment, "--force")
    solution = reference(find_assignment(assignment))
    write_submissions(course, [replace(solution, student_id=f"student{index:02}") for index in range(STUDENTS)])
    return course


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    assignment = argv[0] if argv else "01_fix_simplenet"
    owner = find_assignment(assignment)
    workers = default_workers()
    kernel = statistics.median(kernel_start_seconds() for _ in range(3))
    with tempfile.TemporaryDirectory() as folder:
        serial_course = a_class(assignment, Path(folder) / "serial")
        started = time.perf_counter()
        run_nbgrader(serial_course, "autograde", assignment, "--force")
        serial = time.perf_counter() - started
        batch_course = a_class(assignment, Path(folder) / "batch")
        started = time.perf_counter()
        summary = grade_class(batch_course, assignment, workers=workers, force=True)
        batched = time.perf_counter() - started
        splits = [split_cells(batch_course / "autograded" / entry["student"] / assignment / owner.filename)
                  for entry in summary.graded]
    print(f"{STUDENTS} students handing in {assignment}'s reference, on {workers} worker(s) of this machine:")
    print(f"  serial `nbgrader autograde`: {serial:.1f} s ({serial / STUDENTS:.1f} s a student)")
    print(f"  `keras-course grade` on Dask: {batched:.1f} s ({batched / STUDENTS:.1f} s a student), "
          f"{len(summary.graded)} graded, {len(summary.failed)} not graded")
    print(f"  speed-up: {serial / batched:.2f}x")
    on_worker = statistics.median(entry["seconds"] for entry in summary.graded)
    recording = statistics.median(entry["record_seconds"] for entry in summary.graded)
    parts = {part: statistics.median(split[part] for split in splits) for part in splits[0]}
    nbgrader_own = on_worker - kernel - sum(parts.values())
    print(f"\nOne student in the batch (medians): {on_worker:.1f} s on a worker, {recording:.1f} s recorded here")
    for part, seconds in [("kernel start", kernel), *parts.items(), ("nbgrader on the worker", nbgrader_own),
                          ("recording (one writer)", recording)]:
        print(f"  {part:<24} {seconds:6.1f} s")
    transfer = batched - STUDENTS / workers * on_worker
    print(f"  {'transfer, cluster, rest':<24} {transfer / STUDENTS:6.1f} s a student (the batch's wall time "
          f"beyond its workers' grading)")
    per_student = batched / STUDENTS * workers  # worker-seconds per student, all costs included
    print(f"\nProjection for {PROJECTED_CLASS} students of {assignment}, {per_student:.0f} worker-seconds each "
          f"(measured above), on machines like this one ({workers} workers each):")
    for machines in (1, 4, 16):
        total_workers = machines * workers
        grading = PROJECTED_CLASS * per_student / total_workers
        writing = PROJECTED_CLASS * recording  # one writer: it bounds the batch when the workers outpace it
        bound = "the workers" if grading >= writing else "the one writer"
        print(f"  {machines:>2} machine(s), {total_workers:>2} workers: {max(grading, writing) / 60:6.1f} min "
              f"(grading {grading / 60:.1f} min, recording {writing / 60:.1f} min: bounded by {bound})")


if __name__ == "__main__":
    main()
