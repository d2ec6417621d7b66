"""Failures grouped by cause: the same check failing for the same reason is one group, whatever the numbers.

"expected (None, 10), got (None, 28, 10)" and "expected (None, 5), got (None, 12, 5)" are one
group, and so are "DenseLayer(4, activation='relu')" and "DenseLayer(5, activation=None)": numbers,
quoted strings and None become placeholders. A test that failed because an earlier cell failed
joins the group of that cell's error.
"""

import re
from dataclasses import dataclass, field

_SIZE = re.compile(r"\b\d+(?:x\d+)+\b")  # 28x28, 3x3x64
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?%?")
_VALUE = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|\bNone\b")
_SPACES = re.compile(r"\s+")


def pattern_of(text, values=True):
    """`text` with numbers as N, spaces collapsed, and (with `values`) quoted strings and None as V: one cause in
    every student's words. A check's message quotes the arguments it tried, which vary; an error's quotes name
    what is wrong (`name 'model' is not defined`), so errors keep them."""
    text = _VALUE.sub("V", text) if values else text
    return _SPACES.sub(" ", _NUMBER.sub("N", _SIZE.sub("N", text))).strip()


@dataclass
class FailureGroup:
    """Students who lost a test for the same cause."""

    grade_id: str  # "" for a group of root causes across tests
    kind: str  # "check", "error", "stopped", "partial", or "earlier cell"
    pattern: str
    example: str  # one student's message, numbers and all
    hint: str = ""  # the hint that student got with it
    students: list = field(default_factory=list)
    tests: set = field(default_factory=set)  # the tests this cause cost

    @property
    def count(self):
        return len(self.students)


def group_failures(failures_by_student):
    """Per test, its failure groups, largest first: {grade_id: [FailureGroup]}.

    `failures_by_student` is {student: {grade_id: Failure}}.
    """
    groups = {}
    for student, failures in sorted(failures_by_student.items()):
        for grade_id, failure in failures.items():
            kind = "earlier cell" if failure.cause else failure.kind
            key = (grade_id, kind, pattern_of(failure.reason, values=kind == "check"))
            group = groups.setdefault(key, FailureGroup(grade_id, kind, key[2], failure.reason, failure.hint))
            group.students.append(student)
            group.tests.add(grade_id)
    by_test = {}
    for group in groups.values():
        by_test.setdefault(group.grade_id, []).append(group)
    return {grade_id: sorted(found, key=lambda group: (-group.count, group.pattern))
            for grade_id, found in by_test.items()}


def root_causes(failures_by_student):
    """The earlier cells whose failure cost students tests, grouped by cause, largest first.

    One group per cause: "the answer cell `simplenet` is not answered yet" with the students
    it concerns and every test it cost them.
    """
    groups = {}
    for student, failures in sorted(failures_by_student.items()):
        for grade_id, failure in failures.items():
            if failure.cause is None:
                continue
            key = pattern_of(failure.reason, values=False)
            group = groups.setdefault(key, FailureGroup("", "earlier cell", key, failure.reason))
            if student not in group.students:
                group.students.append(student)
            group.tests.add(grade_id)
    return sorted(groups.values(), key=lambda group: (-group.count, group.pattern))
