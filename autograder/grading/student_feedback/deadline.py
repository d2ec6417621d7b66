"""What a student's feedback says of the due date: when it was, their own extension (and its reason), and whether the
work came on time, late but within the extension, or late with the course's penalty.

Read from the gradebook (the due date, the submission's time and the extension nbgrader counted)
and the course's extensions file (the reason, which only this student's feedback shows).
"""

from autograder.deadlines import duration, seconds_late, when

ON_TIME, EXCUSED, LATE = "on time", "excused", "late"


def lateness(timestamp, duedate, extension):
    """(ON_TIME, EXCUSED or LATE, seconds after the assignment's own due date) of a submission; (None, 0) without a
    due date or a time of submission (nbgrader records none for a submission without timestamp.txt)."""
    if duedate is None or timestamp is None:
        return None, 0.0
    after = seconds_late(timestamp, duedate, None)
    if not after:
        return ON_TIME, 0.0
    return (LATE if seconds_late(timestamp, duedate, extension) else EXCUSED), after


def submission_times(db_url, assignment, student):
    """(time handed in, the assignment's due date, the extension nbgrader counted) from the gradebook at `db_url`."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return submission.timestamp, submission.assignment.duedate, submission.extension


def deadline_lines(timestamp, duedate, extension, reason, rule):
    """The sentences of the feedback's deadline paragraph (none when the assignment has no due date)."""
    if duedate is None:
        return ()
    lines = [f"Due {when(duedate)}."]
    if extension:
        lines.append(f"Your extension: until {when(duedate + extension)}" + (f" ({reason})." if reason else "."))
    state, after = lateness(timestamp, duedate, extension)
    if state == ON_TIME:
        lines.append(f"Handed in {when(timestamp)}: on time.")
    elif state == EXCUSED:
        lines.append(f"Handed in {when(timestamp)}, {duration(after)} after the due date and within your extension: "
                     "no late penalty.")
    elif state == LATE:
        late = seconds_late(timestamp, duedate, extension)
        lines.append(f"Handed in {when(timestamp)}, {duration(late)} late. {rule}")
    return tuple(lines)
