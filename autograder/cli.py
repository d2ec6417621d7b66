"""The `keras-course` command (also `python -m autograder`): parses arguments, calls one function per verb."""

import click

from autograder import __version__


@click.group()
@click.version_option(__version__, prog_name="keras-course")
def main():
    """Tools of the autograded Keras course."""


@main.command()
def demo():
    """Grade a demo class in a copy of the course (demo/) and print scores per student and per test."""
    from autograder.demo import run_demo

    run_demo(echo=click.echo)


@main.command()
def data():
    """Check the course's copy of MNIST and describe it."""
    from autograder.data import MNIST_PATH, file_sha256, load_raw_mnist

    (x_train, y_train), (x_test, y_test) = load_raw_mnist()
    click.echo(f"{MNIST_PATH}: sha256 {file_sha256()}")
    click.echo(f"train: {x_train.shape} {x_train.dtype}, labels {y_train.shape}")
    click.echo(f"test: {x_test.shape} {x_test.dtype}, labels {y_test.shape}")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=str))
def notebooks(folder):
    """Copy the course's released notebooks into FOLDER (one folder per assignment), to work on them.

    A notebook already there is kept as it is. Check one with `keras-course check FOLDER/ASSIGNMENT/NOTEBOOK`.
    """
    from autograder.selfcheck.course import copy_released

    for path, copied in copy_released(folder):
        click.echo(f"{path}" + ("" if copied else " (kept: it was already there)"))


@main.command()
@click.argument("notebook", type=click.Path(path_type=str))
@click.option("--question", metavar="GRADE_ID", help="Check this test only (and run the cells before it).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--assignment", help="The assignment the notebook must belong to (default: its folder's name).")
@click.option("--course", type=click.Path(file_okay=False, path_type=str),
              help="The course folder (default: the one holding NOTEBOOK, else this package's).")
@click.option("--sandbox/--no-sandbox", default=None,
              help="Run the notebook in the sandbox, or refuse (--sandbox); outside it, only for your own, trusted "
              "notebook (--no-sandbox). Default: in the sandbox where this machine can run it, else outside it, "
              "saying so.")
@click.option("--timeout", type=click.IntRange(min=1), metavar="SECONDS",
              help="Stop a cell that runs longer than this (default: the course's limit).")
def check(notebook, question, as_json, assignment, course, sandbox, timeout):
    """Grade NOTEBOOK as `nbgrader autograde` would, and say what fails and why.

    Exit code 0 when every test passes, 1 when one fails, 2 when the notebook cannot be checked.
    """
    import json
    import sys

    from autograder.selfcheck.command import run_check
    from autograder.selfcheck.course import CheckError
    from autograder.selfcheck.report import format_report

    progress = Progress(sys.stderr)
    try:
        if sandbox is False:
            click.echo(NO_SANDBOX_WARNING, err=True)
        report = run_check(notebook, course, assignment, question, timeout, on_progress=progress.show,
                           sandbox=sandbox)
    except CheckError as error:
        progress.clear()
        if as_json:
            click.echo(json.dumps({"error": str(error)}, indent=2))
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    progress.clear()
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else format_report(report))
    sys.exit(0 if report.passed else 1)


@main.command()
@click.argument("assignments", nargs=-1, metavar="[ASSIGNMENT]...")
@click.option("--out", type=click.Path(file_okay=False, path_type=str),
              help="The folder to write the report into (default: report/ in the course folder).")
@click.option("--course", type=click.Path(file_okay=False, exists=True, path_type=str), default=".",
              show_default=True, help="The course folder (where nbgrader_config.py is).")
@click.option("--db", "db_url", metavar="URL",
              help="The gradebook's URL (default: the one nbgrader_config.py sets), SQLite or PostgreSQL.")
def report(assignments, out, course, db_url):
    """Write the class report of a graded class: an HTML page with plots, the plots as PNG, the tables as CSV.

    Every assignment in the gradebook, or those named (e.g. 01_fix_simplenet). Prints the page's path.
    """
    import sys
    from pathlib import Path

    from autograder.report import ReportError, write_report

    if not (Path(course) / "nbgrader_config.py").is_file():
        click.echo(f"error: {Path(course).resolve()} has no nbgrader_config.py: run this in the course folder, "
                   "or give --course", err=True)
        sys.exit(2)
    try:
        page = write_report(course, assignments, out, db_url)
    except ReportError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(f"Class report: {page}")


@main.command()
@click.argument("assignment")
@click.option("--course", type=click.Path(file_okay=False, exists=True, path_type=str), default=".",
              show_default=True, help="The course folder (where nbgrader_config.py is).")
@click.option("--json", "as_json", is_flag=True, help="Print the pairs as JSON.")
def similarity(assignment, course, as_json):
    """Compare the answer code of every pair of students who handed in ASSIGNMENT, and print the pairs whose
    score reaches the course's threshold (c.Similarity.threshold in nbgrader_config.py).

    A score is the share of the code a student wrote themselves (the course's released and solution code left
    out) that the other's holds too, names and comments aside. It only flags pairs to look at; grades are not
    changed. Exit code 0, or 2 when the comparison cannot be made.
    """
    import json
    import sys
    from pathlib import Path

    from autograder.report.similarity import SimilarityError, similarity_of_assignment

    if not (Path(course) / "nbgrader_config.py").is_file():
        click.echo(f"error: {Path(course).resolve()} has no nbgrader_config.py: run this in the course folder, "
                   "or give --course", err=True)
        sys.exit(2)
    try:
        found = similarity_of_assignment(course, assignment)
    except SimilarityError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo(json.dumps(found.to_json(), indent=2) if as_json else "\n".join(found.lines()))


@main.command()
@click.argument("assignment")
@click.option("--student", "students", multiple=True, metavar="ID",
              help="Grade this student only (repeat for more; default: every submission in submitted/).")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Dask workers on this machine (default: one per core); each grades one student at a time.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Use a running Dask cluster over TLS (e.g. tls://10.0.0.5:8786) instead of workers on this machine; "
              "plain tcp:// is refused.")
@click.option("--certificates", type=click.Path(file_okay=False, exists=True, path_type=str), metavar="FOLDER",
              help="The folder `keras-course certificates` made, for --scheduler (default: the client certificate of "
              "Dask's configuration, distributed.comm.tls.*).")
@click.option("--force", is_flag=True, help="Grade students already graded too (default: only new or changed submissions).")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON at the end.")
@click.option("--course", type=click.Path(file_okay=False, exists=True, path_type=str), default=".",
              show_default=True, help="The course folder (where nbgrader_config.py is).")
def grade(assignment, students, workers, scheduler, certificates, force, as_json, course):
    """Autograde every collected submission of ASSIGNMENT in parallel on Dask, as `nbgrader autograde` would.

    Each student is graded in a private course on a worker (in the sandbox); this process alone
    writes autograded/ and the gradebook. The cluster is reached over TLS only, both ends showing
    a certificate: a LocalCluster's made for this run, or those of `keras-course certificates`.
    Run it again after an interruption: it grades only the students not graded yet. Exit code 0
    when every student was graded, 1 when one was not, 2 when the batch could not start.
    """
    import sys
    from pathlib import Path

    from autograder.grading.batch import BatchError, grade_class, summary_json

    if not (Path(course) / "nbgrader_config.py").is_file():
        click.echo(f"error: {Path(course).resolve()} has no nbgrader_config.py: run this in the course folder, "
                   "or give --course", err=True)
        sys.exit(2)
    live = sys.stderr.isatty()
    shown = {"done": -1}

    def show(state):
        # Each student's score once, as they are graded; then where the batch is: on a terminal one line,
        # rewritten each second, in a log a line per student finished.
        for line in state.take_said():
            click.echo(("\r\033[K" if live else "") + line, err=True)
        if live or state.done != shown["done"]:
            click.echo(("\r\033[K" if live else "") + state.line(), err=True, nl=not live)
            shown["done"] = state.done

    try:
        summary = grade_class(course, assignment, students, workers, scheduler, force, progress=show,
                              certificates=certificates)
    except BatchError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if live:
        click.echo("", err=True)
    click.echo(summary_json(summary) if as_json else "\n".join(summary.lines()))
    sys.exit(0 if not summary.failed and not summary.interrupted else 1)


@main.command()
@click.argument("folder", type=click.Path(path_type=str))
@click.option("--hosts", required=True, metavar="NAME,...",
              help="The scheduler machine's host names and IP addresses, comma-separated (e.g. "
              "scheduler.example.org,10.0.0.5); the first is the one workers and keras-course grade connect to.")
def certificates(folder, hosts):
    """Make a grading cluster's certificates in the new FOLDER, and print how to start the cluster with them.

    A CA of its own signs a certificate for the scheduler, one for every worker and one for
    `keras-course grade`; the scheduler and workers then accept no one else. FOLDER gets
    scheduler/, worker/ and client/, each what that machine needs; keys are readable by you only.
    """
    import sys
    from pathlib import Path

    from autograder.grading.certificates import CertificateError, cluster_commands, make_certificates, parse_hosts

    try:
        scheduler_hosts = parse_hosts(hosts)
        files = make_certificates(Path(folder), scheduler_hosts)
    except CertificateError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    click.echo("\n".join(cluster_commands(files, scheduler_hosts)))


@main.command()
@click.option("--roster", type=click.Path(dir_okay=False, exists=True, path_type=str), default=None,
              help="The class: username,role,first_name,last_name per line (default: hub/roster.csv).")
@click.option("--root", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Where the hub keeps the class: the exchange, the course folder, its own state "
              "(default: /srv/keras-course).")
@click.option("--homes", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Where new accounts get their home folders (default: /home).")
@click.option("--ip", default=None, help="The address the hub listens on (default: 127.0.0.1; put TLS in front "
              "before you open it to a network).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="The hub's port (default: 8000).")
@click.option("--internal-ports", metavar="HUB,PROXY_API,FORMGRADER", default=None,
              help="Loopback ports of the hub's API, the proxy's API and the Formgrader (default: 8081,8001,9999).")
def hub(roster, root, homes, ip, port, internal_ports):
    """Run the course for a class on JupyterHub, each person as their own Unix account (as root).

    Makes the roster's accounts (new ones get a password, written to the hub's passwords file),
    the course's folders and groups, then starts JupyterHub with hub/jupyterhub_config.py:
    students log in to the student view, instructors to theirs and to the course's Formgrader,
    which runs as the account grader-COURSE. Run it again after editing the roster.
    """
    import sys

    from autograder.hub.accounts import AccountError
    from autograder.hub.launch import HubSettings, run_hub
    from autograder.hub.layout import LayoutError
    from autograder.hub.roster import RosterError

    given = {"roster": roster, "root": root, "homes": homes, "ip": ip, "port": port}
    if internal_ports:
        try:
            given.update(zip(("hub_port", "proxy_api_port", "formgrader_port"),
                             (int(part) for part in internal_ports.split(",", 2))))
        except ValueError:
            click.echo("error: --internal-ports takes three port numbers, e.g. 8081,8001,9999", err=True)
            sys.exit(2)
    try:
        run_hub(HubSettings(**{name: value for name, value in given.items() if value is not None}), echo=click.echo)
    except (RosterError, LayoutError, AccountError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)


NO_SANDBOX_WARNING = (
    "WARNING: --no-sandbox: the notebook runs with your permissions, network and files. Its code can change "
    "its own score and anything you can change. Use it only for your own notebook, never to grade others."
)


class Progress:
    """Shows which cell runs, and for how long, on a terminal (one line, rewritten) or in a log (a line per cell)."""

    def __init__(self, stream):
        import time

        self.stream = stream
        self.clock = time.monotonic
        self.started = self.clock()
        self.live = stream.isatty()
        self.shown = False

    def show(self, position, total, name):
        """Cell `position` of `total` (called `name`) starts to run; position 0 names a step before the cells."""
        what = f"running {position}/{total}: {name}" if position else name
        line = f"{what} ({self.clock() - self.started:.0f} s)"
        if self.live:
            self.stream.write("\r\033[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.shown = True

    def clear(self):
        if self.live and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
