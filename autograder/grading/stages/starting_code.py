"""A stage of `generate_assignment`: an answer cell with a starting-code block starts with that code, not the stub.

The block's format, and how it is read, is in autograder/starting_code.py.
"""

from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor

from autograder.cells import grade_id_of, is_answer
from autograder.starting_code import COMMENT, NOT_AN_ANSWER, has_starting_code, with_starting_code


class StartingCode(NbGraderPreprocessor):
    """Give each answer cell with a starting-code block that code in the student version, in place of nbgrader's stub.

    Runs in `generate_assignment` right after `ClearSolutions`, before the checksums are
    computed and the cells saved to the gradebook.
    """

    def preprocess(self, nb, resources):
        language = nb.metadata.get("kernelspec", {}).get("language", "python")
        self._stub = ClearSolutions(config=self.config).code_stub.get(language)
        self._comment = COMMENT.get(language)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if not has_starting_code(cell.source):
            return cell, resources
        where = f"cell {index + 1} ({grade_id_of(cell) or 'no grade id'})"
        if self._comment is None or self._stub is None:
            raise RuntimeError(f"{where}: starting code is supported for Python notebooks only")
        if cell.cell_type != "code" or not is_answer(cell):
            raise RuntimeError(f"{where}: {NOT_AN_ANSWER}")
        try:
            cell.source = with_starting_code(cell.source, self._stub, self._comment)
        except ValueError as error:
            raise RuntimeError(f"{where}: {error}") from None
        return cell, resources
