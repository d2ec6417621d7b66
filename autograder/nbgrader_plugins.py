"""nbgrader preprocessors of the course, configured in `nbgrader_config.py`.

`ExecuteThenGradeInCleanProcess` replaces nbgrader's `Execute` in autograde. It runs the
notebook as `Execute` does, then re-scores the tests listed in `CLEAN_PROCESS_TESTS`
outside the student's kernel: their outputs are replaced by what the grading function
gives when run by nbgrader itself (which evaluates saved models in a fresh process).
A notebook that monkeypatches Keras, NumPy or the checks in its kernel only changes
what it sees while it runs, never its grade.

Two settings serve `keras-course check` (autograder/checker.py), which runs the real
`nbgrader autograde` on one notebook: `progress` logs each cell before it runs, and
`only_grade_id` runs the notebook up to one test and that test only.
"""

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Unicode

from autograder import tune_training

# grade_id -> (files the notebook writes for grading, function(folder) -> points)
CLEAN_PROCESS_TESTS = {
    "tuned_model_budget": (tune_training.ARTIFACTS, tune_training.check_training_budget),
    "tuned_accuracy": (tune_training.ARTIFACTS, tune_training.grade_accuracy),
}


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


def grade_id_of(cell):
    """The nbgrader id of a cell, or None."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test(cell):
    """Is the cell an autograded test (a grade cell that is not an answer)?"""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


class ExecuteThenGradeInCleanProcess(Execute):
    """nbgrader's `Execute`, then the tests of `CLEAN_PROCESS_TESTS` re-scored outside the kernel."""

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
        graded_here = [
            cell for index, cell in enumerate(nb.cells)
            if grade_id_of(cell) in CLEAN_PROCESS_TESTS and cell.cell_type == "code" and index in self._to_run
        ]
        # Grading files handed in with a submission must never be graded.
        for cell in graded_here:
            for name in CLEAN_PROCESS_TESTS[grade_id_of(cell)][0]:
                (folder / name).unlink(missing_ok=True)
        nb, resources = super().preprocess(nb, resources, km)
        for cell in graded_here:
            _, grade = CLEAN_PROCESS_TESTS[grade_id_of(cell)]
            cell.outputs = clean_process_outputs(grade, folder)
        return nb, resources
