"""`keras-course grade ASSIGNMENT`: grade a whole class in parallel on Dask, with one writer.

Read top to bottom: which submissions need grading (`pending`), the class graded on a Dask
cluster reached over TLS only (`grade_class`, on `cluster.grading_cluster`: a `LocalCluster`
on this machine, or the cluster at `scheduler`), one task per student
(`one_student.grade_student`, the same nbgrader autograde in the same sandbox as
`keras-course check`), each result recorded as it arrives by the one writer in this process
(`gradebook_writer.GradebookWriter`), and the summary (`BatchSummary`).

A student is graded when every notebook of the assignment is in `autograded/` and the
gradebook holds the submission with the timestamp of `submitted/` (nbgrader's
`timestamp.txt`); any other student is graded again, all of them with `force`. An
interrupted batch keeps every student recorded so far, so running it again finishes it.
A task whose worker is lost is run again by Dask; a student whose kernel died or ran out
of time is graded once more on another worker, and the second result is recorded.
"""

import json
import os
import signal
import statistics
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder.failures import STOPPED
from autograder.grading.cluster import ClusterRefused, grading_cluster, security_for
from autograder.grading.gradebook_writer import GradebookWriter, WriterError
from autograder.grading.one_student import CourseFiles, StudentFiles, grade_student

POLL_SECONDS = 1.0


@dataclass
class BatchSummary:
    """What a batch did: students graded (recorded), skipped (graded before), and not graded with the reason."""

    assignment: str
    workers: int
    scheduler: str = ""  # the address of the cluster's scheduler (tls://...)
    sandbox: str = ""  # how the students' kernels run, and which limits hold (`sandbox_in_use`)
    # [{"student", "seconds" (grading on the worker), "record_seconds" (writing it here), "worker", "attempts",
    #   and "note": what the notebook did to the course's test cells, when it did (GradedStudent.problem)}]
    graded: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # [{"student", "reason"}]
    interrupted: bool = False
    seconds: float = 0.0

    def to_json(self):
        return asdict(self)

    def lines(self):
        said = [f"{self.assignment}: {len(self.graded)} graded, {len(self.skipped)} already graded, "
                f"{len(self.failed)} not graded, in {self.seconds:.0f} s on {self.workers} worker(s)"]
        scored = [entry for entry in self.graded if "points" in entry]
        scores = sorted((entry["points"], entry["student"]) for entry in scored)
        if scores:
            possible = max(entry["max_points"] for entry in scored)
            points = [score for score, _ in scores]
            said.append(f"  scores (autograded points of {possible:g}): mean {statistics.mean(points):.1f}, "
                        f"median {statistics.median(points):g}, lowest {scores[0][0]:g} ({scores[0][1]}), "
                        f"highest {scores[-1][0]:g} ({scores[-1][1]})")
        if self.sandbox:
            said.append(f"  kernels: {self.sandbox}")
        said += [f"  note: {entry['student']}: {entry['note']}" for entry in self.graded if entry.get("note")]
        said += [f"  not graded: {failure['student']}: {failure['reason']}" for failure in self.failed]
        if self.interrupted:
            said.append("  interrupted: every student above is recorded; run the same command again to grade the rest")
        return said


# -- which submissions ----------------------------------------------------------------------


def submitted_students(course_root, assignment):
    """The students with a submission of `assignment` in `submitted/`, sorted."""
    return sorted(path.parent.name for path in (Path(course_root) / "submitted").glob(f"*/{assignment}")
                  if path.is_dir())


def _notebooks(course_root, assignment):
    return sorted(path.name for path in (Path(course_root) / "source" / assignment).glob("*.ipynb"))


def is_graded(course_root, assignment, student, db_url):
    """Is the student's current submission already recorded (autograded notebooks and the gradebook's timestamp)?"""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory

    course_root = Path(course_root)
    autograded = course_root / "autograded" / student / assignment
    if not all((autograded / name).is_file() for name in _notebooks(course_root, assignment)):
        return False
    timestamp = CourseDirectory(root=str(course_root)).get_existing_timestamp(
        str(course_root / "submitted" / student / assignment))
    with Gradebook(db_url) as gradebook:
        try:
            recorded = gradebook.find_submission(assignment, student).timestamp
        except MissingEntry:
            return False
    return (recorded is None and timestamp is None) or (
        recorded is not None and timestamp is not None and recorded.replace(tzinfo=None) == timestamp.replace(tzinfo=None))


def pending(course_root, assignment, db_url, students=(), force=False):
    """`(to_grade, already_graded)`: the submitted students (or those named) that need grading, and the others."""
    submitted = submitted_students(course_root, assignment)
    missing = sorted(set(students) - set(submitted))
    if missing:
        raise BatchError(f"no submission of {assignment} in submitted/ for: {', '.join(missing)}")
    chosen = [student for student in submitted if not students or student in students]
    if force:
        return chosen, []
    graded = [student for student in chosen if is_graded(course_root, assignment, student, db_url)]
    return [student for student in chosen if student not in graded], graded


class BatchError(RuntimeError):
    """The batch cannot start (no such assignment, no submissions, no cluster); the message says why."""


# -- one student, on a worker --------------------------------------------------------------


STARTED_TOPIC = "keras-course-grading-started"


def grade_task(course, submission, threads):
    """The Dask task: grade one student on this worker (`one_student.grade_student`), saying when it starts."""
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # not on a worker (run inline)
        return grade_student(course, submission, threads=threads, worker="this process")
    worker.log_event(STARTED_TOPIC, {"student": submission.student})
    return grade_student(course, submission, threads=threads, worker=worker.address)


def stopped_early(graded):
    """Why the student's kernel stopped (it died or ran out of time), or "": such a run is retried on another worker."""
    for name, content in graded.files.items():
        if not name.endswith(".ipynb"):
            continue
        try:
            nb = nbformat.reads(content.decode(), as_version=4)
        except Exception:  # noqa: BLE001 (a notebook nbgrader wrote; unreadable means nothing to retry)
            return ""
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                if output.get("ename") == "CellTimeoutError":
                    return "a cell ran out of time"
                if output.get("ename") == STOPPED and "died" in output.get("evalue", ""):
                    return "the kernel died"
    return ""


# -- the batch -----------------------------------------------------------------------------


def sandbox_in_use(course_root):
    """How the course's settings run the students' kernels, in the words of the grading log: the sandbox's mode on
    this machine (the workers of a LocalCluster run as this account), or that there is none."""
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.course import CONFIG
    from autograder.isolation.sandbox import SandboxSettings, mode

    settings = SandboxSettings(config=PyFileConfigLoader(CONFIG, path=str(course_root)).load_config())
    return mode() if settings.enabled else "NO SANDBOX (SandboxSettings.enabled = False): every notebook runs as you"


def default_workers():
    """A worker per core: students graded side by side use a machine better than one kernel on all its cores."""
    return max(1, os.cpu_count() or 1)


def grade_class(course_root, assignment, students=(), workers=None, scheduler=None, force=False, progress=None,
                certificates=None):
    """Grade the submissions of `assignment` on Dask and record each one in the course; return a `BatchSummary`.

    `workers` sizes a `LocalCluster` on this machine; `scheduler` (tls://host:8786) uses a running Dask cluster
    instead, reached with the client certificate of `certificates` (a folder `keras-course certificates` made) or
    of Dask's configuration (`autograder/grading/cluster.py`). `progress(state)` is called as the batch goes
    (`BatchProgress`).
    """
    try:
        security = security_for(scheduler, certificates)
    except ClusterRefused as error:
        raise BatchError(str(error)) from None
    course_root = Path(course_root).resolve()
    if not (course_root / "source" / assignment).is_dir():
        raise BatchError(f"{course_root} has no source/{assignment}")
    writer = GradebookWriter(course_root)
    to_grade, already = pending(course_root, assignment, writer.db_url, students, force)
    started = time.monotonic()
    workers = None if scheduler else workers or default_workers()
    try:
        with grading_cluster(security, scheduler, workers) as (client, threads):
            summary = BatchSummary(assignment, len(client.scheduler_info().get("workers", {})) or (workers or 0),
                                   skipped=list(already), scheduler=client.scheduler.address,
                                   sandbox=sandbox_in_use(course_root))
            state = BatchProgress(total=len(to_grade), workers=summary.workers or 1)
            try:
                with _ctrl_c_noted() as interrupted:
                    _grade_all(client, course_root, assignment, to_grade, threads, writer, summary, state, progress,
                               interrupted)
            except KeyboardInterrupt:
                summary.interrupted = True
    except ClusterRefused as error:
        raise BatchError(str(error)) from None
    summary.seconds = time.monotonic() - started
    return summary


def _grade_all(client, course_root, assignment, to_grade, threads, writer, summary, state, progress, interrupted):
    """Grade `to_grade` on the cluster, recording each student as its result comes; stop when `interrupted` is set."""
    from distributed import wait

    course = client.scatter(CourseFiles.of(course_root, assignment), broadcast=True)
    running = {}  # future: (student, attempt)

    def submit(student, attempt, avoid=None):
        submission = StudentFiles.of(course_root, assignment, student)
        others = [address for address in client.scheduler_info()["workers"] if address != avoid] if avoid else []
        key = f"grade-{student}-{uuid.uuid4().hex}"
        placement = {"workers": others, "allow_other_workers": True} if others else {}
        future = client.submit(grade_task, course, submission, threads, key=key, retries=1, pure=False,
                               **placement)
        running[future] = (student, attempt)

    for student in to_grade:
        submit(student, 1)
    while running and not interrupted.is_set():
        try:
            done, _ = wait(list(running), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
        except TimeoutError:  # nobody finished in this poll: show where the batch is
            done = ()
        for future in done:
            student, attempt = running.pop(future)
            try:
                graded = future.result()
            except Exception as error:  # noqa: BLE001 (the task failed on every try: a lost worker, a crash)
                summary.failed.append({"student": student, "reason": f"grading failed on the cluster: {error}"})
                state.finish(student, failed=True, said=f"{student}: not graded (grading failed on the cluster)")
                continue
            if graded.graded and attempt == 1 and stopped_early(graded):
                state.started.pop(student, None)  # its second run logs its own start
                submit(student, 2, avoid=graded.worker)
                continue
            try:
                if not graded.graded:
                    raise WriterError(graded.error or "nbgrader gave no autograded notebook")
                # Ctrl-C is acted on between students (`_ctrl_c_noted`): each is recorded whole or not at all.
                recording = time.monotonic()
                writer.record(graded)
                points, max_points = score_of(graded)
                summary.graded.append({
                    "student": student, "points": points, "max_points": max_points, "seconds": round(graded.seconds, 1),
                    "record_seconds": round(time.monotonic() - recording, 1), "worker": graded.worker,
                    "attempts": attempt, **({"note": graded.problem} if graded.problem else {}),
                })
                state.finish(student, seconds=graded.seconds,
                             said=f"{student}: {points:g}/{max_points:g} points ({graded.seconds:.0f} s)"
                             + (f"; {graded.problem}" if graded.problem else ""))
            except WriterError as error:
                summary.failed.append({"student": student, "reason": str(error)})
                state.finish(student, failed=True, said=f"{student}: not graded ({error})")
        state.see_started(client.get_events(STARTED_TOPIC))
        if progress:
            progress(state)
        if interrupted.is_set():
            raise KeyboardInterrupt


@contextmanager
def _ctrl_c_noted():
    """Ctrl-C (SIGINT) while the batch runs is noted in the event this yields, and acted on between students.

    Dask's `wait` swallows a KeyboardInterrupt raised while it waits, so the batch does not rely on one; and a
    student is recorded whole or not at all. Outside the main thread signals cannot be handled: nothing is noted.
    """
    noted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return
    previous = signal.signal(signal.SIGINT, lambda number, frame: noted.set())
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)
    if noted.is_set():
        raise KeyboardInterrupt


def score_of(graded):
    """(points, max points) of a graded student: the sum over the autograded tests of every notebook."""
    results = [result for notebook in graded.results.values() for result in notebook]
    return sum(result.points for result in results), sum(result.max_points for result in results)


@dataclass
class BatchProgress:
    """Where a batch is: students done of the total, the one running longest, failures, the time left.

    The time left is the work left shared by the workers: each student not started takes the mean
    grading time of those done so far, each running one what remains of that mean. It converges as
    students finish, where the elapsed time over students done grows with every worker busy at once.
    """

    total: int
    workers: int = 1
    done: int = 0
    failures: int = 0
    started: dict = field(default_factory=dict)  # student: when a worker started grading them (time.time())
    finished: set = field(default_factory=set)
    seconds: list = field(default_factory=list)  # each graded student's time on a worker
    said: list = field(default_factory=list)  # a line per student finished, for the caller to print once

    def see_started(self, events):
        """Note the students workers started (the events `grade_task` logs: (time, {"student": ...}))."""
        for when, message in events:
            student = message.get("student") if isinstance(message, dict) else None
            if student is not None and student not in self.finished and when >= self.started.get(student, 0):
                self.started[student] = when

    def finish(self, student, failed=False, seconds=None, said=None):
        self.started.pop(student, None)
        self.finished.add(student)
        self.done += 1
        self.failures += failed
        if seconds is not None:
            self.seconds.append(seconds)
        if said:
            self.said.append(said)

    def take_said(self):
        """The lines of the students finished since the last call."""
        said, self.said = self.said, []
        return said

    def seconds_left(self):
        """The estimate of the time left, or None before any student's time is known."""
        if not self.seconds:
            return None
        mean = statistics.mean(self.seconds)
        now = time.time()
        running = [max(mean - (now - since), 0.0) for since in self.started.values()]
        waiting = max(self.total - self.done - len(running), 0)
        return (waiting * mean + sum(running)) / max(self.workers, 1)

    def line(self):
        parts = [f"{self.done}/{self.total} students"]
        if self.started:
            student, since = min(self.started.items(), key=lambda item: item[1])
            parts.append(f"longest running: {student} ({time.time() - since:.0f} s)")
        parts.append(f"{self.failures} not graded")
        left = self.seconds_left()
        if left is not None and self.done < self.total:
            parts.append(f"about {left / 60:.0f} min left" if left >= 90 else f"about {left:.0f} s left")
        return " · ".join(parts)


def summary_json(summary):
    return json.dumps(summary.to_json(), indent=2)
