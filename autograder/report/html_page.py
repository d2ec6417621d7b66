"""The report as files: one self-contained HTML page (plots embedded), the plots as PNG, the tables as CSV.

The page is plain HTML and CSS, no script: it opens offline, on a laptop or a phone. Each
number the test suite checks carries a `data-` attribute naming what it is.
"""

import base64
import csv
import os
from collections import Counter
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from urllib.parse import quote

from autograder.deadlines import duration
from autograder.report import figures
from autograder.report.classreport import GRADED, NOT_GRADED, NOT_SUBMITTED

PAGE_NAME = "report.html"

_STYLE = """
body { font-family: "Liberation Sans", Arial, sans-serif; margin: 0 auto; max-width: 72rem; padding: 0 1rem 3rem;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 2px solid #4c72b0; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f0f3f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.pass { background: #e6f4ea; } td.fail { background: #fce8e6; }
figure { margin: 0.8rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.8rem; color: #555; }
.summary { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0.5rem 0; }
.summary div { min-width: 7rem; } .summary b { display: block; font-size: 1.2rem; }
.note { color: #555; font-size: 0.85rem; } code, .message { font-family: "Liberation Mono", monospace; font-size: 0.8rem; }
.message { white-space: pre-wrap; word-break: break-word; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.5rem; margin: 0.5rem 0 1.2rem; }
.pair pre { margin: 0; padding: 0.4rem; border: 1px solid #ccc; background: #fafafa; overflow: auto; max-height: 40rem;
            font-family: "Liberation Mono", monospace; font-size: 0.75rem; white-space: pre; }
.pair h5 { margin: 0 0 0.2rem; font-size: 0.85rem; } mark { background: #ffd166; }
@media (max-width: 50rem) { .pair { grid-template-columns: minmax(0, 1fr); } }
"""


def _number(value):
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _lateness(row):
    """How late a student was (10 min, 3 h, 2 d), or that an extension excused it, and why; and an extension in the
    file that grading has not counted yet (or one it counted that the file no longer grants)."""
    said = ""
    if row.late:
        penalty = f", late penalty -{_number(row.late_penalty)}" if row.late_penalty else ""
        said = duration(row.seconds_late) + (" after an extension" if row.applied_extension else "") + penalty
    elif row.excused:
        reason = f": {row.extension.reason}" if row.extension and row.extension.reason else ""
        said = f"excused, {duration(row.seconds_after_due)} after the due date, within an extension{reason}"
    if row.extension_pending:
        pending = ("extensions.csv grants an extension grading has not counted" if row.extension else
                   "grading counted an extension extensions.csv no longer grants")
        said = "; ".join(part for part in (said, f"{pending}: grade this student again") if part)
    return said


def _image(png, alt):
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _highlighted(code, spans):
    """`code` as HTML text, every (start, end) of `spans` in a `<mark>`: escaped, so a student's code stays text."""
    parts, done = [], 0
    for start, end in spans:
        parts.append(escape(code[done:start]))
        parts.append(f"<mark>{escape(code[start:end])}</mark>")
        done = end
    parts.append(escape(code[done:]))
    return "".join(parts)


def _table(headers, rows, attributes=""):
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    return f'<div class="scroll"><table{attributes}><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _training_cells(training):
    """Accuracy, parameters and samples of a trained model, as shown; empty where the model was not measured."""
    if training is None:
        return ["", "", ""]
    accuracy, params, samples = training
    return [f"{accuracy:.2%}", f"{params:,}", f"{samples:,}"]


# A cell a spreadsheet reads as a formula when it starts with one of these (OWASP's CSV injection rule); students'
# ids, code lines and messages reach the CSV files, so such a cell is written as text, behind a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_spreadsheet_text(value):
    """`value` for a CSV cell: a string a spreadsheet would take for a formula gets a leading `'`; numbers stay."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _write_csv(path, headers, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(headers)
        writer.writerows([as_spreadsheet_text(value) for value in row] for row in rows)


class _Writer:
    """Writes one assignment's section, and its PNG and CSV files into `out`."""

    def __init__(self, out):
        self.out = Path(out)
        self.files = []

    def figure(self, name, png, alt, caption):
        path = self.out / name
        path.write_bytes(png)
        self.files.append(path)
        return f'<figure data-figure="{escape(name)}">{_image(png, alt)}<figcaption>{escape(caption)}</figcaption></figure>'

    def csv(self, name, headers, rows):
        path = self.out / name
        _write_csv(path, headers, rows)
        self.files.append(path)
        return path

    def section(self, report):
        assignment = report.assignment
        name = assignment.name
        parts = [f'<section id="{escape(name)}" data-assignment="{escape(name)}">',
                 f"<h2>{escape(assignment.title)} <small>({escape(name)})</small></h2>"]
        parts.append(self._summary(report))
        graded = report.graded
        if not graded:
            parts.append('<p class="note" data-nobody-graded>No student of this assignment has been graded yet: '
                         "the scores, tests and causes appear once `nbgrader autograde` has run.</p>")
            parts.append(self._students(report))
            parts.append(self._similarity(report))
            parts.append("</section>")
            return "\n".join(parts)
        parts.append(self.figure(
            f"{name}-scores.png",
            figures.score_histogram([row.score for row in graded], report.max_score, f"{assignment.title}: scores"),
            f"Histogram of the scores of {len(graded)} graded students",
            f"Scores of the {len(graded)} graded students, out of {_number(report.max_score)} points "
            f"({_number(report.autograded_max)} autograded).",
        ))
        parts.append(self._tests(report))
        parts.append(self._causes(report))
        if assignment.training is not None:
            parts.append(self._training(report))
        parts.append(self._students(report))
        parts.append(self._flags(report))
        parts.append(self._similarity(report))
        parts.append("</section>")
        return "\n".join(parts)

    def _summary(self, report):
        stats = report.statistics()
        items = [("graded", len(report.graded)), ("stopped", len(report.stopped)),
                 ("not graded", report.count(NOT_GRADED)), ("not submitted", report.count(NOT_SUBMITTED)),
                 ("late", len(report.late)), ("excused", len(report.excused))]
        if stats:
            items += [(key, _number(round(value, 2))) for key, value in stats.items()]
        cells = "".join(f'<div data-stat="{key}"><b>{escape(str(value))}</b>{escape(key)}</div>' for key, value in items)
        notes = []
        reasons = Counter(row.reason for row in report.students if row.status == NOT_GRADED)
        for reason, count in reasons.most_common():
            notes.append(f"Not graded ({count}): {reason.rstrip('.')}.")
        stopped = Counter(row.stopped for row in report.stopped)
        for reason, count in stopped.most_common():
            notes.append(f"Stopped: graded, but the notebook was stopped before its end ({count}): {reason}")
        pending = [row for row in report.graded if row.manual_pending]
        if pending:
            most = max(row.manual_pending for row in pending)
            notes.append(f"{len(pending)} students have written answers not graded by hand yet (up to {_number(most)} "
                         "points each): they count as 0 in these scores until graded in the Formgrader.")
        if report.unmatched_extensions:
            notes.append(f"extensions.csv grants an extension of {report.assignment.name} to "
                         f"{', '.join(report.unmatched_extensions)}, who handed nothing in: a typo in the id?")
        text = "".join(f'<p class="note">{escape(note)}</p>' for note in notes)
        return f'<div class="summary">{cells}</div>{text}'

    def _tests(self, report):
        rates = report.pass_rates()
        name = report.assignment.name
        rows, csv_rows = [], []
        for test, passed, graded in rates:
            rate = passed / graded
            rows.append(
                f'<tr data-test="{escape(test.grade_id)}"><td><code>{escape(test.grade_id)}</code></td>'
                f"<td>{escape(test.question)}</td><td class=\"num\">{_number(test.points)}</td>"
                f'<td class="num" data-passed="{passed}">{passed}</td><td class="num">{graded}</td>'
                f'<td class="num">{rate:.0%}</td></tr>'
            )
            csv_rows.append([test.grade_id, test.points, passed, graded, round(rate, 4), test.question])
        self.csv(f"{name}-tests.csv", ["grade_id", "points", "passed", "graded", "pass_rate", "question"], csv_rows)
        plot = self.figure(
            f"{name}-pass-rates.png",
            figures.pass_rates([(test.grade_id, passed / graded if graded else 0.0) for test, passed, graded in rates],
                               f"{report.assignment.title}: students who passed each test"),
            "Pass rate of each test, the most failed first",
            "Each test's pass rate, the most failed at the top; red: fewer than half passed. Passing means all of a "
            "test's points (a tiered test scored 2 of 3 counts as failed).",
        )
        table = _table(["test", "question", "points", "passed", "graded", "pass rate"], rows)
        return f"<h3>Tests, the most failed first</h3>{plot}{table}"

    def _causes(self, report):
        name = report.assignment.name
        parts = ["<h3>Why tests failed</h3>"]
        if report.root_causes:
            rows = [
                f'<tr data-root-cause><td class="message">{escape(group.example)}</td>'
                f'<td class="num">{group.count}</td><td>{escape(", ".join(sorted(group.tests)))}</td>'
                f"<td>{escape(', '.join(group.students))}</td></tr>"
                for group in report.root_causes
            ]
            parts.append('<p class="note">Root causes: an earlier cell failed, and the tests that needed it failed '
                         "after it. They are counted here once, and under each test below.</p>")
            parts.append(_table(["earlier cell that failed", "students", "tests it cost", "who"], rows))
        csv_rows = []
        for test, _, _ in report.pass_rates():
            groups = report.groups.get(test.grade_id, [])
            if not groups:
                continue
            rows = []
            for group in groups:
                rows.append(
                    f'<tr data-group="{escape(test.grade_id)}"><td>{escape(group.kind)}</td>'
                    f'<td class="num" data-count="{group.count}">{group.count}</td>'
                    f'<td class="message">{escape(group.example)}</td><td>{escape(group.hint)}</td>'
                    f'<td>{escape(", ".join(group.students))}</td></tr>'
                )
                csv_rows.append([test.grade_id, group.kind, group.count, "; ".join(group.students), group.pattern,
                                 group.example, group.hint])
            parts.append(f"<h4><code>{escape(test.grade_id)}</code></h4>")
            parts.append(_table(["cause", "students", "example message", "hint the students got", "who"], rows))
        self.csv(f"{name}-failures.csv", ["grade_id", "kind", "students", "who", "pattern", "example", "hint"],
                 csv_rows)
        if len(parts) == 1:
            parts.append('<p class="note">No test failed.</p>')
        return "".join(parts)

    def _training(self, report):
        training = report.assignment.training
        points = [row.training for row in report.graded if row.training is not None]
        plot = self.figure(
            f"{report.assignment.name}-accuracy.png",
            figures.accuracy_scatter(points, training.tiers, training.max_params,
                                     f"{report.assignment.title}: accuracy against parameters"),
            "Each student's test accuracy against the model's parameters, coloured by training samples",
            f"{len(points)} trained models measured; dashed lines are the accuracy tiers, the red line the "
            "parameter budget.",
        )
        return f"<h3>Accuracy, parameters and samples</h3>{plot}"

    def _students(self, report):
        tests = report.tests
        trained = report.assignment.training is not None
        training_headers = ["accuracy", "parameters", "samples"] if trained else []
        headers = ["student", "status", "score", *(test.grade_id for test in tests), *training_headers, "late", "note",
                   "feedback"]
        rows, csv_rows = [], []
        for row in report.students:
            cells = [f"<td>{escape(row.student_id)}</td>", f"<td>{escape(row.status)}</td>"]
            graded = row.status == GRADED
            cells.append(f'<td class="num" data-score="{_number(row.score)}">'
                         f'{_number(row.score) if graded else ""}</td>')
            for test in tests:
                if not graded or test.grade_id not in row.scores:
                    cells.append("<td></td>")
                    continue
                score, max_score = row.scores[test.grade_id]
                failure = row.failures.get(test.grade_id)
                title = f' title="{escape(failure.reason)}"' if failure else ""
                kind = "pass" if score >= max_score else "fail"
                cells.append(f'<td class="num {kind}"{title}>{_number(score)}/{_number(max_score)}</td>')
            training = _training_cells(row.training) if trained else []
            cells.extend(f'<td class="num">{escape(value)}</td>' for value in training)
            cells.append(f"<td>{escape(_lateness(row))}</td>")
            note = row.reason or "; ".join(said for said in (row.stopped, row.note) if said)
            cells.append(f"<td>{escape(note)}</td>")
            if row.feedback is not None:
                link = quote(Path(os.path.relpath(row.feedback, self.out)).as_posix())
                cells.append(f'<td><a href="{escape(link)}">feedback</a></td>')
            else:
                cells.append("<td></td>")
            rows.append(f'<tr data-student="{escape(row.student_id)}">{"".join(cells)}</tr>')
            csv_rows.append([row.student_id, row.status, note, row.score if graded else "", report.max_score,
                             round(row.seconds_late), round(row.seconds_after_due), _lateness(row),
                             *(row.scores.get(test.grade_id, ("", ""))[0] for test in tests), *training])
        self.csv(f"{report.assignment.name}-students.csv",
                 ["student", "status", "note", "score", "max_score", "seconds_late", "seconds_after_due", "lateness",
                  *(test.grade_id for test in tests), *training_headers], csv_rows)
        return f"<h3>Students</h3>{_table(headers, rows)}"

    def _flags(self, report):
        name = report.assignment.name
        self.csv(f"{name}-flags.csv", ["student", "what", "cell", "line"],
                 [[flag.student_id, flag.what, flag.cell, flag.line] for flag in report.flags])
        if not report.flags:
            return '<h3>Submissions to look at</h3><p class="note" data-flags="0">No submission reaches for the grader.</p>'
        rows = [
            f'<tr data-flag="{escape(flag.student_id)}"><td>{escape(flag.student_id)}</td><td>{escape(flag.what)}</td>'
            f'<td class="num">{flag.cell}</td><td><code>{escape(flag.line)}</code></td></tr>'
            for flag in report.flags
        ]
        students = len({flag.student_id for flag in report.flags})
        note = (f'<p class="note" data-flags="{students}">Code that reaches for the grader\'s internals, in {students} '
                "submission(s): for you to look at. Grades are not changed by this list.</p>")
        return f"<h3>Submissions to look at</h3>{note}{_table(['student', 'what', 'cell', 'line'], rows)}"

    def _similarity(self, report):
        found = report.similarity
        if found is None:
            return ""
        self.csv(f"{report.assignment.name}-similarity.csv",
                 ["first_student", "second_student", "score", "first_share", "second_share", "threshold"],
                 [[pair.first.student_id, pair.second.student_id, round(pair.score, 4), round(pair.shares[0], 4),
                   round(pair.shares[1], 4), found.threshold] for pair in found.pairs])
        note = (f'<p class="note" data-similar="{len(found.pairs)}" data-compared="{found.compared}" '
                f'data-highest="{found.highest:.2f}">{found.compared} pairs of {found.students} submitted notebooks '
                f"compared on the code of their answer cells, the course's released and solution code left out; "
                f"the highest score is {found.highest:.2f}. A score is the share of the code a student wrote "
                f"themselves that the other's holds too, names and comments aside. {len(found.pairs)} pairs at or "
                f"above the course's threshold of {found.threshold:.2f} (c.Similarity.threshold in "
                "nbgrader_config.py): for you to look at. Grades are not changed by this list.</p>")
        if not found.pairs:
            return f"<h3>Similar answers</h3>{note}"
        rows = [
            f'<tr data-similar-pair="{escape(pair.first.student_id)} {escape(pair.second.student_id)}">'
            f"<td>{escape(pair.first.student_id)}</td><td>{escape(pair.second.student_id)}</td>"
            f'<td class="num" data-score="{pair.score:.2f}">{pair.score:.2f}</td>'
            f'<td class="num">{pair.shares[0]:.0%}</td><td class="num">{pair.shares[1]:.0%}</td></tr>'
            for pair in found.pairs
        ]
        table = _table(["student", "other student", "score", "of the first's own code shared",
                        "of the other's own code shared"], rows)
        views = []
        for pair in found.pairs:
            sides = "".join(
                f"<div><h5>{escape(side.student_id)}</h5><pre>{_highlighted(side.code, spans)}</pre></div>"
                for side, spans in ((pair.first, pair.first_shared), (pair.second, pair.second_shared))
            )
            views.append(f"<h4>{escape(pair.first.student_id)} and {escape(pair.second.student_id)}: "
                         f"{pair.score:.2f}</h4>"
                         f'<div class="pair" data-pair-view="{escape(pair.first.student_id)} '
                         f'{escape(pair.second.student_id)}">{sides}</div>')
        legend = ('<p class="note">Each pair\'s answer code side by side; <mark>marked</mark>: the passages the two '
                  "share (names, strings and comments aside).</p>")
        return f"<h3>Similar answers</h3>{note}{table}{legend}{''.join(views)}"


def write_page(reports, out, course_name, source):
    """Write the page and its files for `reports` (one `AssignmentReport` each) into `out`; return the page's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    sections = [writer.section(report) for report in reports]
    links = " · ".join(f'<a href="#{escape(r.assignment.name)}">{escape(r.assignment.title)}</a>' for r in reports)
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Class report: {escape(course_name)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Class report: {escape(course_name)}</h1>"
        f'<p class="note">Made {made} from the gradebook ({escape(source)}) and the autograded notebooks. '
        "Tables: the CSV files next to this page.</p>"
        f"<nav>{links}</nav>{''.join(sections)}</body></html>\n"
    )
    path = out / PAGE_NAME
    path.write_text(page, encoding="utf-8")
    return path
