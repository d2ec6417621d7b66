"""Starting code: an answer cell whose student version begins with code to fix, not nbgrader's stub.

In a source notebook, an answer cell may hold, directly above a `### BEGIN SOLUTION` line and
at its indentation, the code the student starts from, commented out so that the source
notebook still runs:

    ### BEGIN STARTING CODE
    # class SimpleNet(keras.models.Model):
    #     def __init__(self, input_shape=(28, 28, 1), hidden_layer_sizes=(128,), output_layer_sizes=(10,):
    ### END STARTING CODE
    ### BEGIN SOLUTION
    class SimpleNet(keras.models.Model):
        ...
    ### END SOLUTION

The `StartingCode` stage (autograder/grading/stages/starting_code.py), run by `nbgrader
generate_assignment` right after nbgrader's `ClearSolutions`,
puts the block's code, uncommented, where `ClearSolutions` put its stub (`# YOUR CODE HERE` /
`raise NotImplementedError()`) and removes the block, so `release/` and the gradebook hold the
starting code. `generate_solution` keeps the block, markers and all, as it keeps the solution's:
the published solution shows the code as given above the code as fixed.

`problems_of` says what is wrong with a cell's blocks in the source notebook (tests/consistency.py
runs it on every notebook, without nbgrader); `StartingCode` refuses to generate a notebook
that has any.
"""

from dataclasses import dataclass

from autograder.cells import is_answer

BEGIN = "### BEGIN STARTING CODE"
END = "### END STARTING CODE"
# The line a block must be directly above: the solution region whose stub it replaces.
BEGIN_SOLUTION = "### BEGIN SOLUTION"
# How each line of a block is commented out, per notebook language.
COMMENT = {"python": "#"}
NOT_AN_ANSWER = "starting code is only for code answer cells (autograded answers: nbgrader `solution` cells)"
NOT_ABOVE_A_SOLUTION = (
    f"a starting-code block must be directly above the `{BEGIN_SOLUTION}` line whose stub it replaces, "
    "at the same indentation"
)


@dataclass(frozen=True)
class StartingBlock:
    """One block of starting code in a cell: where its markers are (line indices) and the code it holds."""

    begin: int  # the line of `### BEGIN STARTING CODE`
    end: int  # the line of `### END STARTING CODE`
    indent: str  # the markers' indentation, which the code keeps
    code: tuple  # the lines of code, uncommented, without the indentation

    @property
    def student_lines(self):
        """The lines the student version holds: the code, uncommented, at the markers' indentation."""
        return [self.indent + line if line else "" for line in self.code]


def has_starting_code(source):
    """Does a cell's source hold starting code: a line that is one of its markers (well formed or not)?"""
    return any(line.strip() in (BEGIN, END) for line in source.split("\n"))


def _indent(line):
    return line[: len(line) - len(line.lstrip())]


def _uncomment(line, indent, comment):
    """A commented line of a block as code (without the indentation), or None when it is not commented out."""
    if not line.strip():
        return ""
    if not line.startswith(indent + comment):
        return None
    rest = line[len(indent) + len(comment):]
    if rest and not rest.startswith(" "):
        return None
    return rest[1:]


def blocks_of(source, comment=COMMENT["python"]):
    """The starting-code blocks of a cell's source, and the problems found reading them (in words)."""
    lines = source.split("\n")
    blocks, problems = [], []
    begin = None
    for number, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                problems.append(f"line {number + 1}: `{BEGIN}` inside another starting-code block")
            begin = number
        elif marker == END:
            if begin is None:
                problems.append(f"line {number + 1}: `{END}` without a `{BEGIN}` above it")
                continue
            indent = _indent(lines[begin])
            if _indent(line) != indent:
                problems.append(f"line {number + 1}: `{END}` is not indented as its `{BEGIN}` (line {begin + 1})")
            code = []
            for inside in range(begin + 1, number):
                uncommented = _uncomment(lines[inside], indent, comment)
                if uncommented is None:
                    problems.append(
                        f"line {inside + 1}: starting code must be commented out line by line at the markers' "
                        f"indentation (`{comment} code`, or `{comment}` for an empty line), so the source notebook runs"
                    )
                code.append(uncommented or "")
            if not any(line.strip() for line in code):
                problems.append(f"line {begin + 1}: the starting-code block holds no code")
            blocks.append(StartingBlock(begin, number, indent, tuple(code)))
            begin = None
    if begin is not None:
        problems.append(f"line {begin + 1}: `{BEGIN}` without an `{END}` below it")
    return blocks, problems


def problems_of(cell):
    """What is wrong with the starting code of a source notebook's cell, in words (an empty list when nothing is)."""
    if not has_starting_code(cell.source):
        return []
    if cell.cell_type != "code" or not is_answer(cell):
        return [NOT_AN_ANSWER]
    blocks, problems = blocks_of(cell.source)
    lines = cell.source.split("\n")
    for block in blocks:
        below = lines[block.end + 1] if block.end + 1 < len(lines) else ""
        if below.strip() != BEGIN_SOLUTION or _indent(below) != block.indent:
            problems.append(f"line {block.end + 1}: {NOT_ABOVE_A_SOLUTION}")
    return problems


def without_starting_code(source):
    """The source of a cell without its starting-code blocks (markers included): the solution as a student writes it."""
    blocks, _ = blocks_of(source)
    dropped = {number for block in blocks for number in range(block.begin, block.end + 1)}
    return "\n".join(line for number, line in enumerate(source.split("\n")) if number not in dropped)


def with_starting_code(source, stub, comment=COMMENT["python"]):
    """The source of a cell after `ClearSolutions`, each block and the stub below it replaced by the block's code.

    A ValueError says what is wrong when a block cannot be read or has no stub directly below it.
    """
    blocks, problems = blocks_of(source, comment)
    if problems:
        raise ValueError("; ".join(problems))
    lines = source.split("\n")
    stub_lines = stub.split("\n")
    kept, start = [], 0
    for block in blocks:
        below = lines[block.end + 1: block.end + 1 + len(stub_lines)]
        if below != [block.indent + line for line in stub_lines]:
            raise ValueError(f"line {block.end + 1}: {NOT_ABOVE_A_SOLUTION}")
        kept.extend(lines[start: block.begin])
        kept.extend(block.student_lines)
        start = block.end + 1 + len(stub_lines)
    kept.extend(lines[start:])
    return "\n".join(kept)
