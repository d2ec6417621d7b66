"""Benchmark: answers alike between 300 students in each of 3 assignments (`keras-course similarity`, and the class
report's "Similar answers"), against reading the same notebooks.

Run with `make benchmark-similarity`. Prints figures, asserts nothing. The goal (issue 29): 300 students and 3
assignments compared in under 30 seconds.

The class is generated, not graded, in a temporary course: each student hands in one of the honest notebooks of
tests/similarity_class.py (the demo's mistakes, answers left out, the independently written correct answers), and
every answer cell gets numbers of the student's own (layer sizes, rates, shapes), so no two students hand in the
same notebook; 2% of the class hand in a copy of another student's notebook. Students who drew the same
independently written answer still share all but its numbers: the comparison rightly takes them for copies, and
they are flagged beside the planted ones. Every pair of students of an assignment is compared: 44,850 pairs per
assignment.

The baseline, measured in the same process on the same files, is reading every submitted notebook's JSON (what the
comparison reads first); the comparison's time is also given as a multiple of it, so runs on different machines
compare. Each figure is the median of REPEATS runs.
"""

import copy
import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from autograder.assignments import assignment as find_assignment
from autograder.assignments.submission import build_notebook
from autograder.cells import is_answer
from autograder.failures import read_notebook
from autograder.report.similarity import similarity_of
from autograder.settings import COURSE_ROOT
from tests.similarity_class import A1, A2, A3, submissions, write_class

STUDENTS = 300
REPEATS = 3
GOAL_SECONDS = 30.0
SEED = 2026
COPIERS = 0.02
NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")


def _own_numbers(source, rng):
    """The student's own choice of each number in `source` (a size, a rate, a shape) about a third of the time."""
    return NUMBER.sub(lambda found: str(rng.randint(2, 512)) if rng.random() < 0.35 else found.group(), source)


def generate_class(course, name, rng):
    """Write `STUDENTS` students of assignment `name` into `course/submitted/`; return how many are copies."""
    owner = find_assignment(name)
    write_class(course, name, {})  # the course's release and source notebooks
    release = COURSE_ROOT / "release" / owner.name / owner.filename
    source = COURSE_ROOT / "source" / owner.name / owner.filename
    pool = [(submission, build_notebook(submission, release, source))
            for submission, copied in submissions(name).values() if copied is None]
    written = []
    for number in range(STUDENTS):
        _, notebook = rng.choice(pool)
        notebook = copy.deepcopy(notebook)
        for cell in notebook.cells:
            if cell.cell_type == "code" and is_answer(cell):
                cell.source = _own_numbers(cell.source, rng)
        written.append(notebook)
    copiers = round(STUDENTS * COPIERS)
    for number in rng.sample(range(STUDENTS), copiers):
        written[number] = written[rng.randrange(STUDENTS)]
    for number, notebook in enumerate(written):
        target = course / "submitted" / f"student_{number:03d}" / owner.name / owner.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook))
    return copiers


def timed(run):
    """(median seconds, [each run's seconds]) of REPEATS calls of `run`."""
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def main():
    rng = random.Random(SEED)
    names = (A1, A2, A3)
    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder) / "course"
        course.mkdir()
        (course / "nbgrader_config.py").write_bytes((COURSE_ROOT / "nbgrader_config.py").read_bytes())
        started = time.perf_counter()
        copiers = {name: generate_class(course, name, rng) for name in names}
        setup = time.perf_counter() - started
        owners = [find_assignment(name) for name in names]
        notebooks = list(course.glob("submitted/*/*/*.ipynb"))
        reading, reading_runs = timed(lambda: [read_notebook(path) for path in notebooks])
        results = {}
        comparing, comparing_runs = timed(lambda: results.update(
            {owner.name: similarity_of(course, owner) for owner in owners}))

    print(f"{STUDENTS} students, {len(names)} assignments: {len(notebooks)} submitted notebooks "
          f"(set-up, not part of the figures: {setup:.1f} s)")
    for name, found in results.items():
        print(f"  {name}: {found.compared:,} pairs compared, {len(found.pairs)} flagged at {found.threshold:.2f} "
              f"(highest {found.highest:.2f}); {copiers[name]} copiers planted")
    print(f"\nmedian of {REPEATS} runs (each run's seconds in brackets):")
    print(f"  {'reading the notebooks (baseline)':<36} {reading:7.2f} s   1.00x   "
          f"({', '.join(f'{value:.2f}' for value in reading_runs)})")
    print(f"  {f'similarity, {len(names)} assignments':<36} {comparing:7.2f} s  {comparing / reading:6.1f}x   "
          f"({', '.join(f'{value:.2f}' for value in comparing_runs)})")
    print(f"goal: {STUDENTS} students and {len(names)} assignments compared in under {GOAL_SECONDS:.0f} s; "
          f"reached: {comparing < GOAL_SECONDS} ({comparing:.1f} s)")


if __name__ == "__main__":
    main()
