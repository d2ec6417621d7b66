"""nbgrader preprocessors of the course, configured in `nbgrader_config.py`.

`ExecuteThenGradeInCleanProcess` replaces nbgrader's `Execute` in autograde. It runs the
notebook as `Execute` does, then re-scores the tests listed in `CLEAN_PROCESS_TESTS`
outside the student's kernel: their outputs are replaced by what the grading function
gives when run by nbgrader itself (which evaluates saved models in a fresh process).
A notebook that monkeypatches Keras, NumPy or the checks in its kernel only changes
what it sees while it runs, never its grade.
"""

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute

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


class ExecuteThenGradeInCleanProcess(Execute):
    """nbgrader's `Execute`, then the tests of `CLEAN_PROCESS_TESTS` re-scored outside the kernel."""

    def preprocess(self, nb, resources=None, km=None):
        folder = Path((resources or {}).get("metadata", {}).get("path") or ".")
        graded_here = [
            cell for cell in nb.cells
            if cell.metadata.get("nbgrader", {}).get("grade_id") in CLEAN_PROCESS_TESTS and cell.cell_type == "code"
        ]
        # Grading files handed in with a submission must never be graded.
        for cell in graded_here:
            for name in CLEAN_PROCESS_TESTS[cell.metadata["nbgrader"]["grade_id"]][0]:
                (folder / name).unlink(missing_ok=True)
        nb, resources = super().preprocess(nb, resources, km)
        for cell in graded_here:
            _, grade = CLEAN_PROCESS_TESTS[cell.metadata["nbgrader"]["grade_id"]]
            cell.outputs = clean_process_outputs(grade, folder)
        return nb, resources
