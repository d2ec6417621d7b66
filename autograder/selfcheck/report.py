"""The words a student reads: one test's failure, one notebook's report. Used by `keras-course check`,
`check("id")` in the notebook and the demo alike."""

from autograder.causes import without_cause


def failure_lines(result):
    """The lines that say why a test failed: the earlier cell behind it if any, its message, then the hint."""
    lines = [f"Cause: {result.cause}."] if result.cause else []
    message = without_cause(result.message) if result.cause else result.message
    lines += message.splitlines() or ["(no message)"]
    if result.hint:
        lines.append(f"Hint: {result.hint}")
    return lines


def same_cause_line(first):
    """The line of a test that failed for the cause already given under the test `first`."""
    return f"Cause: the same as {first}'s (above)."


def format_points(points):
    return f"{points:g}"


def format_report(report):
    """The report as text for a terminal: one line per test, its message and hint when it failed, the total."""
    scope = "hidden tests included, as in the instructor's grading" if report.hidden_tests else "visible tests only"
    lines = [f"{report.notebook}: assignment {report.assignment} ({scope})", *([report.due] if report.due else []), ""]
    width = max((len(test.grade_id) for test in report.tests), default=0)
    first_with_cause = {}  # each earlier cell's failure is said once, under the first test it cost
    for test in report.tests:
        status = "PASS" if test.passed else "FAIL"
        score = f"{format_points(test.points)}/{format_points(test.max_points)}"
        lines.append(f"  {status}  {test.grade_id:<{width}}  {score}")
        if test.passed:
            continue
        if test.cause and test.cause in first_with_cause:
            lines.append(f"        {same_cause_line(first_with_cause[test.cause])}")
            continue
        first_with_cause.setdefault(test.cause, test.grade_id)
        lines.extend(f"        {line}" for line in failure_lines(test))
    lines.append("")
    for note in report.notes:
        lines.append(f"Note: {note}")
    failed = sum(not test.passed for test in report.tests)
    lines.append(
        f"Total: {format_points(report.points)}/{format_points(report.max_points)} autograded points; "
        + (f"{failed} of {len(report.tests)} tests failed" if failed else f"all {len(report.tests)} tests passed")
        + f" ({report.seconds:.0f} s)"
    )
    if report.manual_points:
        lines.append(manual_points_line(report.manual_points))
    return "\n".join(lines)


def manual_points_line(points):
    """What the total leaves out: the points of the written answers, which a person grades."""
    return (f"{format_points(points)} more point{'' if points == 1 else 's'} (written answers) "
            "are graded by hand by your instructor, not by the autograder.")
