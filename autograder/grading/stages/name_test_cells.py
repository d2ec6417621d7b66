"""A stage of `generate_assignment` and `generate_solution`: each test cell starts with its name and points.

The line (`# Test "ID" (N points)`, `autograder.cells.header_line`) is written from the cell's
nbgrader metadata, the one place they are written. It runs first, so the gradebook, `release/`
and `solutions/` all show it, and students know what to pass to `check(...)`.
"""

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.cells import header_line, is_test


class NameTestCells(NbGraderPreprocessor):
    """Start each test cell with its name and points, from its nbgrader metadata."""

    def preprocess_cell(self, cell, resources, index):
        if is_test(cell) and not cell.source.startswith("# Test "):
            cell.source = f"{header_line(cell)}\n{cell.source}"
        return cell, resources
