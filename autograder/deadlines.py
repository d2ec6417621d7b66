"""Due dates, extensions per student, the late penalty in words: read by grading, feedback, `check()`, the report.

An assignment's due date is nbgrader's own (the gradebook's, set with `nbgrader db assignment add NAME
--duedate=...` or in the Formgrader). An extension is a line of the course's `extensions.csv`:

    student_id,assignment,due,extra,reason
    alice,01_fix_simplenet,2027-01-22 23:59 UTC,,illness
    bob,02_layers_and_cnn,,3 days,accommodation

with either a new due date (`due`) or extra time (`extra`: `3 days`, `36 hours`, `90 minutes`). The
grading step `ApplyExtensions` writes each into the gradebook's `extension` of the submission, where
nbgrader's `AssignLatePenalties` counts it; the report and the student's own feedback say which late
work an extension excused, and the reason is shown to that student alone.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

EXTENSIONS_FILE = "extensions.csv"
EXTENSION_COLUMNS = ("student_id", "assignment", "due", "extra", "reason")
# What the course's released notebooks carry in their metadata, for `check()` to show without a gradebook.
METADATA_KEY = "keras_course"

# A due date as the file must write it: a date and a time, in UTC (nbgrader's times are UTC; an offset or a date
# without a time is easy to get wrong, so it is refused rather than read one way or another).
_DUE = re.compile(r"\s*\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:UTC|GMT|Z)?\s*", re.IGNORECASE)
_EXTRA = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(days?|d|hours?|h|minutes?|min)\s*$", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class ExtensionsError(ValueError):
    """The extensions file cannot be read; the message names the line and what is wrong."""


@dataclass(frozen=True)
class Extension:
    """One student's extension of one assignment: a new due date, or extra time after the assignment's."""

    student_id: str
    assignment: str
    due: datetime | None  # naive UTC, as nbgrader stores times
    extra: timedelta | None
    reason: str = ""

    def beyond(self, duedate):
        """How much later than `duedate` (the assignment's, naive UTC) the student may hand in: nbgrader's extension."""
        if self.extra is not None:
            return self.extra
        return max(timedelta(0), self.due - duedate)


def parse_extra(text):
    """`3 days`, `36 hours` or `90 minutes` as a timedelta; ValueError for anything else."""
    match = _EXTRA.match(text)
    if not match:
        raise ValueError(f"extra time {text!r} is not a number of days, hours or minutes (e.g. '3 days')")
    return timedelta(**{_UNITS[match[2][0].lower()]: float(match[1])})


def parse_due(text):
    """A date and time in UTC (`2027-01-22 23:59 UTC`; no zone means UTC), as nbgrader reads it, naive UTC."""
    from nbgrader.utils import parse_utc

    if not _DUE.fullmatch(text):
        raise ValueError(f"due date {text!r} is not a date and a time in UTC (write it as '2027-01-22 23:59 UTC')")
    try:
        return parse_utc(text).replace(tzinfo=None)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"due date {text!r} is not a date and time (e.g. '2027-01-22 23:59 UTC'): {error}") from None


def read_extensions(course_dir):
    """{(student_id, assignment): Extension} of the course's extensions file; {} when it has none.

    Raises ExtensionsError naming the line of a row that is not one extension.
    """
    path = Path(course_dir) / EXTENSIONS_FILE
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExtensionsError(f"{path} is not UTF-8 text (save it as CSV UTF-8): {error}") from None
    if not text.strip():
        return {}
    try:
        return _extensions_in(path, text)
    except csv.Error as error:
        raise ExtensionsError(f"{path}: not a CSV file: {error}") from None


def _extensions_in(path, text):
    extensions = {}
    with io.StringIO(text, newline="") as file:
        reader = csv.DictReader(file)
        reader.fieldnames = [name.strip() for name in reader.fieldnames or ()]
        missing = [column for column in EXTENSION_COLUMNS if column not in reader.fieldnames]
        if missing:
            raise ExtensionsError(f"{path}: the first line must name the columns {', '.join(EXTENSION_COLUMNS)} "
                                  f"(missing: {', '.join(missing)})")
        for row in reader:
            where = f"{path}, line {reader.line_num}"
            values = {column: (row.get(column) or "").strip() for column in EXTENSION_COLUMNS}
            if not any(values.values()):
                continue
            if not values["student_id"] or not values["assignment"]:
                raise ExtensionsError(f"{where}: a student id and an assignment are needed")
            if bool(values["due"]) == bool(values["extra"]):
                raise ExtensionsError(f"{where}: give either a new due date (due) or extra time (extra), not "
                                      f"{'both' if values['due'] else 'neither'}")
            try:
                due = parse_due(values["due"]) if values["due"] else None
                extra = parse_extra(values["extra"]) if values["extra"] else None
            except ValueError as error:
                raise ExtensionsError(f"{where}: {error}") from None
            key = (values["student_id"], values["assignment"])
            if key in extensions:
                raise ExtensionsError(f"{where}: a second extension for {key[0]} in {key[1]}")
            extensions[key] = Extension(*key, due, extra, values["reason"])
    return extensions


def seconds_late(timestamp, duedate, extension):
    """How late a submission came, after `duedate` plus `extension` (None: none): 0 without a due date or a time of
    submission (nbgrader may record none). Times are nbgrader's, naive UTC."""
    if duedate is None or timestamp is None:
        return 0.0
    return max(0.0, (timestamp.replace(tzinfo=None) - (duedate + (extension or timedelta(0)))).total_seconds())


def when(moment):
    """A time as students and instructors read it: `2027-01-15 23:59 UTC` (nbgrader's times are naive UTC)."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def duration(seconds):
    """A length of time in the unit that reads best: 10 min, 3 h, 2 d."""
    minutes = seconds / 60
    if minutes < 90:
        return f"{max(1, round(minutes))} min"
    return f"{round(minutes / 60)} h" if minutes < 48 * 60 else f"{round(minutes / 1440)} d"


def late_rule(config):
    """The course's late penalty in words, from its nbgrader configuration (a traitlets `Config`)."""
    plugin = config.AssignLatePenalties.get("plugin_class")
    if plugin and getattr(plugin, "__name__", str(plugin)).rsplit(".", 1)[-1] != "LateSubmissionPlugin":
        return "Work handed in after its due date gets the course's late penalty (ask your instructor for its rule)."
    if config.LateSubmissionPlugin.get("penalty_method", "none") == "zero":
        return "Work handed in after its due date (or after your extension's) scores 0."
    return "Work handed in after its due date is marked late, without a penalty."
