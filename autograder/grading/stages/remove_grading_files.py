"""Stage 1 of autograde: files that grading writes are never taken from a submission.

A student could hand in a `.evidence/` record, a trained model or a training plan made
elsewhere: each is deleted from the notebook's folder before the notebook runs, so only what
this run writes is graded. What is deleted is declared once: the course's evidence folder
(`autograder.evidence`) and the assignment's `grading_files` (its tests' artifacts, its hooks'
files). Links are removed as links, never followed.
"""

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.assignments import assignment as find_assignment
from autograder.evidence import EVIDENCE_FOLDER
from autograder.grading.stages import RunStage, remove


class RemoveGradingFiles(RunStage, NbGraderPreprocessor):
    """Delete from the notebook's folder every file that grading writes there (a handed-in copy is never graded)."""

    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        owner = find_assignment(resources.get("nbgrader", {}).get("assignment", ""))
        for name in (EVIDENCE_FOLDER, *(owner.grading_files if owner else ())):
            remove(folder / name)
        return nb, resources
