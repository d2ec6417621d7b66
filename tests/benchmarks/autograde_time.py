"""Benchmark: how long `nbgrader autograde` takes for one submission, and where the time goes.

Run with `make benchmark`. Prints figures, asserts nothing. The baseline, measured in
the same run, is a bare Jupyter kernel started and stopped; the other figures are also
given as multiples of it, so runs on different machines compare.

Then the sandbox's cost: the same assignment-1 submission autograded with and without it.

Splits the time, from nbclient's timing of each cell in the autograded notebook, into:
kernel start (the baseline), imports (the setup cell), training (cells that call
`fit()` or `train_within_budget()`, in the kernel), checks (test cells, in the kernel), other
student cells, the grader's training (assignment 3's model, trained outside the kernel from the
`fit()` calls it recorded) and the grader's verdicts (the test cells run again outside the
kernel on what it recorded), both from autograde's log, and nbgrader's own work (the rest).
"""

import statistics
import tempfile
import time
from datetime import datetime

import nbformat
from jupyter_client.manager import start_new_kernel

from autograder.assignments import all_assignments
from autograder.assignments.submission import reference
from autograder.demo import write_submissions
from autograder.grading.nbgrader_commands import copy_course, run_nbgrader
from autograder.grading.stages.judge_outside_kernel import JUDGED_PREFIX
from autograder.grading.stages.sandboxed_execute import TRAINED_PREFIX

REPEATS = 3


def kernel_start_seconds():
    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")
    elapsed = time.perf_counter() - started
    client.stop_channels()
    manager.shutdown_kernel(now=True)
    return elapsed


def _seconds(cell):
    timing = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
        return 0.0
    start, end = (datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                  for key in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def split_cells(path):
    """Seconds spent in imports, training, checks and other cells of an autograded notebook."""
    split = {"imports": 0.0, "training": 0.0, "checks": 0.0, "other cells": 0.0}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        nbgrader_meta = cell.metadata.get("nbgrader", {})
        if nbgrader_meta.get("grade_id") == "setup":
            part = "imports"
        elif ".fit(" in cell.source or "train_within_budget(" in cell.source:
            part = "training"
        elif nbgrader_meta.get("grade"):
            part = "checks"
        else:
            part = "other cells"
        split[part] += _seconds(cell)
    return split


def autograde_once(submission, *options):
    with tempfile.TemporaryDirectory() as folder:
        course = copy_course(folder)
        run_nbgrader(course, "generate_assignment", submission.assignment, "--force")
        write_submissions(course, [submission])
        started = time.perf_counter()
        log = run_nbgrader(course, "autograde", submission.assignment, "--force", *options)
        total = time.perf_counter() - started
        split = split_cells(course / "autograded" / submission.student_id / submission.assignment
                            / f"{submission.notebook}.ipynb")
    split["grader's training"] = logged_seconds(log, TRAINED_PREFIX)
    split["grader's verdicts"] = logged_seconds(log, JUDGED_PREFIX)
    return total, split


def logged_seconds(log, prefix):
    """Seconds autograde logged as `prefix ... in N s` (part of nbgrader's own time), summed over its lines."""
    return sum(float(line.split(prefix)[1].split(" in ")[-1].split(" s")[0]) for line in log if prefix in line)


def main():
    reference_of = {assignment.name: reference(assignment) for assignment in all_assignments()}
    baseline = statistics.median(kernel_start_seconds() for _ in range(REPEATS))
    print(f"baseline: a bare kernel starts in {baseline:.2f} s (median of {REPEATS})")
    totals = []
    for assignment, submission in sorted(reference_of.items()):
        total, split = autograde_once(submission)
        totals.append(total)
        nbgrader_own = total - baseline - sum(split.values())
        print(f"\n`nbgrader autograde {assignment}`, one reference submission: {total:.1f} s "
              f"({total / baseline:.1f}x the baseline)")
        for part, seconds in [("kernel start", baseline), *split.items(), ("nbgrader itself", nbgrader_own)]:
            print(f"  {part:<16} {seconds:6.1f} s  {seconds / total:5.1%}  {seconds / baseline:5.1f}x baseline")
    print(f"\nOne complete student (the reference of all {len(totals)} assignments): {sum(totals):.1f} s "
          f"({sum(totals) / baseline:.0f}x the baseline)")
    sandbox_cost(reference_of["01_fix_simplenet"])


def sandbox_cost(submission, repeats=5):
    """One assignment-1 submission autograded with and without the sandbox, alternately; medians and their ratio."""
    bare, sandboxed = alternated(
        f"\nThe sandbox's cost, `nbgrader autograde {submission.assignment}` of its reference", repeats,
        {"without the sandbox": lambda: autograde_once(submission, "--SandboxSettings.enabled=False")[0],
         "in the sandbox": lambda: autograde_once(submission)[0]})
    print(f"  ratio {sandboxed / bare:.3f} ({sandboxed / bare - 1:+.1%})")


def alternated(title, repeats, runs):
    """Time each of `runs` ({name: a function returning seconds}) `repeats` times, alternately; print each one's
    median and times under `title`; return the medians in the order of `runs`."""
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(run())
    print(f"{title} (median of {repeats}, alternated):")
    for name, values in times.items():
        print(f"  {name:<20} {statistics.median(values):6.1f} s  ({', '.join(f'{value:.1f}' for value in values)})")
    return [statistics.median(values) for values in times.values()]


if __name__ == "__main__":
    main()
