"""nbgrader preprocessors of the course, configured in `nbgrader_config.py`.

`ExecuteThenGradeInCleanProcess` replaces nbgrader's `Execute` in autograde. It runs the
notebook as `Execute` does, then re-scores the tests declared graded outside the kernel
(a `grader` in their `GradedTest`) outside the student's kernel: their outputs are replaced by what the grading function
gives when run by nbgrader itself (which evaluates saved models in a fresh process).
A notebook that monkeypatches Keras, NumPy or the checks in its kernel only changes
what it sees while it runs, never its grade.

`NameTestCells` writes each test's name at the top of its cell in the student version, and
`FeedbackForStudents` keeps the grader's hidden code and tracebacks out of the feedback.

Two settings serve `keras-course check` (autograder/check/command.py), which runs the real
`nbgrader autograde` on one notebook: `progress` logs each cell before it runs, and
`only_grade_id` runs the notebook up to one test and that test only.
"""

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor
from traitlets import Bool, Unicode

from autograder.assignments import graded_outside_kernel
from autograder.grading.nbgrader import course_hint, grade_id_of, is_test


def clean_process_outputs(grade, folder):
    """The outputs a test cell gets from `grade(folder)`: printed text, then its points (if not None) or its error."""
    import contextlib
    import io

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            points = grade(folder)
        endings = [] if points is None else [
            new_output("execute_result", data={"text/plain": repr(points)}, execution_count=None)
        ]
    except Exception as error:
        # Any error scores 0, as in the kernel: the graded files were written by the student's kernel and may
        # hold anything, which must cost this cell, not stop autograde.
        name = type(error).__name__
        endings = [new_output("error", ename=name, evalue=str(error), traceback=[f"{name}: {error}"])]
    outputs = [new_output("stream", name="stdout", text=printed.getvalue())] if printed.getvalue() else []
    return [*outputs, *endings]


PROGRESS_PREFIX = "progress:"


class ExecuteThenGradeInCleanProcess(Execute):
    """nbgrader's `Execute`, then the tests declared graded outside the kernel re-scored here."""

    progress = Bool(False, help="Log each code cell before it runs (for `keras-course check`).").tag(config=True)
    only_grade_id = Unicode(
        "", help="Run only the cells before this test, skipping the other tests, then this test; nothing after it."
    ).tag(config=True)

    def _runs(self, nb):
        """The indices of the cells to execute."""
        code = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        if not self.only_grade_id:
            return code
        target = next((index for index in code if grade_id_of(nb.cells[index]) == self.only_grade_id), None)
        if target is None:
            return []
        return [index for index in code if index == target or (index < target and not is_test(nb.cells[index]))]

    def preprocess_cell(self, cell, resources, index):
        if index not in self._to_run:
            return cell, resources
        if self.progress:
            position = self._to_run.index(index) + 1
            name = grade_id_of(cell) or f"cell {index + 1}"
            self.log.info(f"{PROGRESS_PREFIX} {position}/{len(self._to_run)} {name}")
        return super().preprocess_cell(cell, resources, index)

    def preprocess(self, nb, resources=None, km=None):
        folder = Path((resources or {}).get("metadata", {}).get("path") or ".")
        self._to_run = self._runs(nb)
        outside = graded_outside_kernel()
        graded_here = [
            cell for index, cell in enumerate(nb.cells)
            if grade_id_of(cell) in outside and cell.cell_type == "code" and index in self._to_run
        ]
        # Grading files handed in with a submission must never be graded.
        for cell in graded_here:
            for name in outside[grade_id_of(cell)].artifacts:
                (folder / name).unlink(missing_ok=True)
        nb, resources = super().preprocess(nb, resources, km)
        for cell in graded_here:
            cell.outputs = clean_process_outputs(outside[grade_id_of(cell)].grader, folder)
        return nb, resources


def header_line(cell):
    """The first line of a test cell in the student's version: the test's name and points."""
    points = float(cell.metadata.nbgrader["points"])
    return f'# Test "{grade_id_of(cell)}" ({points:g} point{"" if points == 1 else "s"})'


class NameTestCells(NbGraderPreprocessor):
    """Start each test cell with its name and points, from its nbgrader metadata (the one place they are written).

    Runs first in `generate_assignment` and `generate_solution`, so the gradebook, `release/`
    and `solutions/` all show it and students know what to pass to `check(...)`.
    """

    def preprocess_cell(self, cell, resources, index):
        if is_test(cell) and not cell.source.startswith("# Test "):
            cell.source = f"{header_line(cell)}\n{cell.source}"
        return cell, resources


class FeedbackForStudents(ClearHiddenTests):
    """What a student reads in `nbgrader generate_feedback`'s HTML: results and messages, not the grader's code.

    A test cell keeps its visible code; its hidden region is removed (nbgrader would show it,
    jupyter/nbgrader#917), and an error shows as its message and the declared hint instead
    of a traceback into the grader's code and its hidden cases.
    """

    def preprocess_cell(self, cell, resources, index):
        if not is_test(cell):
            return cell, resources
        self._remove_hidden_test_region(cell)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                message = f"{output.ename}: {output.evalue}".strip()
                extra = course_hint(grade_id_of(cell), message)
                output.traceback = [message, *([f"Hint: {extra}"] if extra else [])]
        return cell, resources
