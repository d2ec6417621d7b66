"""Answers alike between students: per assignment, every pair of students who handed in, compared on the code
of their answer cells, the course's own code left out.

copydetect (`CodeFingerprint`, `compare_files`) does the work: it reads each student's answer code as Python
tokens with every name, string and comment taken out (so renaming a variable or rewriting a comment changes
nothing), keeps a winnowed sample of the hashes of every run of `NOISE_CHARACTERS` tokens, and drops those the
boilerplate holds too. The boilerplate is the course's own answer code: the released notebook's answer cells
(nbgrader's `# YOUR CODE HERE` stub and any starting code) and the source notebook's (the solution). What is
left of a student's code is what they wrote themselves; a pair's score is the share of it the other student's
code holds too, for whichever of the two shares more. An untouched notebook, or the solution handed in with one
mistake put back, has next to nothing of its own, and two students who both hand in the published solution
share only the course's code: none of these is similar to anyone.

It only flags pairs above the course's threshold (`c.Similarity.threshold` in `nbgrader_config.py`) for a person
to look at; it never changes a grade.
"""

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

from traitlets import Float
from traitlets.config import Configurable

from autograder.assignments import all_assignments
from autograder.assignments import assignment as find_assignment
from autograder.cells import cell_source, is_test
from autograder.course import course_config
from autograder.failures import read_notebook

# The shortest run of tokens (names, strings and spaces taken out, so a line of code is about 10) that counts as
# shared; every shared run at least `GUARANTEE_CHARACTERS` long is found. copydetect's defaults (25 and 25).
NOISE_CHARACTERS = 25
GUARANTEE_CHARACTERS = 25
# A student's own code counts as at least this many tokens (about a dozen lines) when its shared share is worked
# out, so that a line or two in common (the same mistake put into the same solution) is never a copy.
MIN_OWN_CHARACTERS = 120


class SimilarityError(ValueError):
    """The comparison cannot be made: an assignment the course does not have, no submissions to compare."""


class Similarity(Configurable):
    """The course's setting of `keras-course similarity` and the class report's "Similar answers"."""

    threshold = Float(
        0.7, min=0.0, max=1.0,
        help="Pairs of students who share at least this share of the answer code they wrote themselves are flagged.",
    ).tag(config=True)


def configured_threshold(course_dir):
    """The threshold `nbgrader_config.py` of `course_dir` sets (`c.Similarity.threshold`), else the default."""
    return Similarity(config=course_config(course_dir)).threshold


@dataclass(frozen=True)
class Answers:
    """One student's answer code: the code answer cells of their notebook, one after the other."""

    student_id: str
    code: str


@dataclass(frozen=True)
class SimilarPair:
    """Two students whose answer code is alike: the score, and where in each one's code the shared runs are."""

    first: Answers
    second: Answers
    score: float  # the larger of `shares`
    shares: tuple  # (of the first's own code in the second's, of the second's own code in the first's)
    first_shared: tuple  # ((start, end), ...) character offsets into `first.code`
    second_shared: tuple


@dataclass(frozen=True)
class ClassSimilarity:
    """One assignment's comparison: the pairs above the threshold, highest first, and what was compared."""

    threshold: float
    students: int  # students whose notebook was compared
    compared: int  # pairs compared
    highest: float  # the highest score of any pair (0.0 with fewer than two students)
    pairs: tuple  # the `SimilarPair`s at or above `threshold`, highest first
    scores: tuple = ()  # every pair's score, in the order of itertools.combinations(student_ids, 2)
    student_ids: tuple = ()  # the students compared, in the order they were read

    def lines(self):
        """What `keras-course similarity` prints: what was compared, then each flagged pair and its score."""
        said = [f"{self.compared} pairs of {self.students} students compared; highest score {self.highest:.2f}; "
                f"{len(self.pairs)} at or above the threshold {self.threshold:.2f}"]
        said += [f"{pair.score:.2f}  {pair.first.student_id}  {pair.second.student_id}  (shares {pair.shares[0]:.2f}, "
                 f"{pair.shares[1]:.2f})" for pair in self.pairs]
        return said

    def to_json(self):
        """The comparison as JSON data: no code, the student ids, scores and shared character spans of each pair."""
        return {
            "threshold": self.threshold, "students": self.students, "compared": self.compared,
            "highest": round(self.highest, 4),
            "pairs": [{"students": [pair.first.student_id, pair.second.student_id], "score": round(pair.score, 4),
                       "shares": [round(share, 4) for share in pair.shares],
                       "shared": [[list(span) for span in pair.first_shared],
                                  [list(span) for span in pair.second_shared]]}
                      for pair in self.pairs],
        }


def answer_code(notebook, tests_too=False):
    """The code a student wrote in a notebook, in order, as one text: every code cell but its test cells, so the answer
    cells and any cell the student added, or stripped of its nbgrader metadata (which the student's own copy holds,
    and could change to hide a cell). `tests_too`: every code cell (the course's own code, all of it boilerplate)."""
    return "\n\n".join(
        cell_source(cell) for cell in notebook.get("cells", [])
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and (tests_too or not is_test(cell))
    )


def _fingerprint(code, window=GUARANTEE_CHARACTERS - NOISE_CHARACTERS + 1, boilerplate=None):
    from copydetect import CodeFingerprint  # loads matplotlib: only when a comparison is made

    return CodeFingerprint("answers.py", NOISE_CHARACTERS, window, boilerplate=boilerplate, fp=io.StringIO(code),
                           language="python")


def boilerplate_hashes(course_codes):
    """The fingerprints of the course's own answer code (every run, not a sample), which no student shares with
    another: what copydetect's own detector makes of its boilerplate files."""
    import numpy as np

    hashes = [hash_value for code in course_codes for hash_value in _fingerprint(code, window=1).hashes]
    return np.unique(np.array(hashes, dtype=np.int64))


def compare(answers, course_codes, threshold):
    """Every pair of `answers` (`Answers`, one per student) compared, the `course_codes` left out: a
    `ClassSimilarity`."""
    from copydetect import compare_files

    boilerplate = boilerplate_hashes(course_codes)
    prints = [(student, _fingerprint(student.code, boilerplate=boilerplate)) for student in answers]
    pairs, scores = [], []
    for (first, first_print), (second, second_print) in itertools.combinations(prints, 2):
        if first_print.hashes.isdisjoint(second_print.hashes):
            scores.append(0.0)
            continue
        _, similarities, (first_slices, second_slices) = compare_files(first_print, second_print)
        shares = (_share(similarities[0], first_print), _share(similarities[1], second_print))
        score = max(shares)
        scores.append(score)
        if score >= threshold:
            pairs.append(SimilarPair(first, second, score, shares, _spans(first_slices), _spans(second_slices)))
    pairs.sort(key=lambda pair: (-pair.score, pair.first.student_id, pair.second.student_id))
    return ClassSimilarity(threshold, len(prints), len(scores), max(scores, default=0.0), tuple(pairs),
                           tuple(scores), tuple(student.student_id for student in answers))


def _share(similarity, fingerprint):
    """The share of a student's own code that the other's holds: copydetect's `similarity` (shared tokens over the
    student's fingerprinted tokens), with those tokens counted as at least MIN_OWN_CHARACTERS."""
    own = fingerprint.token_coverage
    return float(min(1.0, float(similarity) * own / max(own, MIN_OWN_CHARACTERS)))


def _spans(slices):
    """copydetect's copied slices (an array of starts and an array of ends) as ((start, end), ...), merged."""
    spans = []
    for start, end in sorted(zip(*(list(map(int, row)) for row in slices))):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return tuple(spans)


def course_answer_code(course_dir, assignment):
    """The course's own code of `assignment`: every code cell of the released notebook and of the source notebook
    (where the course folder has them): stubs, starting code, the solution, the tests and the cells around them."""
    codes = []
    for folder in ("release", "source"):
        path = Path(course_dir) / folder / assignment.name / assignment.filename
        if path.is_file():
            notebook = read_notebook(path)
            # Both ways: the runs that cross from one cell to the next are the same as in a student's code, and a
            # test cell a student stripped of its metadata is the course's code too.
            codes += [answer_code(notebook), answer_code(notebook, tests_too=True)]
    return codes


def handed_in(course_dir, assignment):
    """`Answers` of every student with a readable notebook in `submitted/STUDENT/ASSIGNMENT/`, by student id."""
    found = []
    for path in sorted(Path(course_dir).glob(f"submitted/*/{assignment.name}/{assignment.filename}")):
        try:
            notebook = read_notebook(path)
        except (OSError, ValueError):
            continue  # the report says why it was not graded; there is nothing to compare
        found.append(Answers(path.parent.parent.name, answer_code(notebook)))
    return found


def similarity_of(course_dir, assignment, threshold=None):
    """The `ClassSimilarity` of `assignment` in the course at `course_dir` (threshold: the course's)."""
    threshold = configured_threshold(course_dir) if threshold is None else threshold
    return compare(handed_in(course_dir, assignment), course_answer_code(course_dir, assignment), threshold)


def similarity_of_assignment(course_dir, name):
    """`keras-course similarity NAME`: the `ClassSimilarity` of the course's assignment `name`, at the course's
    threshold; `SimilarityError` for an assignment the course does not have or one nobody handed in."""
    assignment = find_assignment(name)
    if assignment is None:
        known = ", ".join(found.name for found in all_assignments())
        raise SimilarityError(f"no assignment {name} in this course (it has {known})")
    if not any(Path(course_dir).glob(f"submitted/*/{assignment.name}/{assignment.filename}")):
        raise SimilarityError(f"nobody has handed in {name}: there is no submitted/STUDENT/{name}/"
                              f"{assignment.filename} in {Path(course_dir).resolve()} (run `nbgrader collect {name}` "
                              "first)")
    return similarity_of(course_dir, assignment)
