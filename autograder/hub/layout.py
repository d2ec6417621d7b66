"""The hub's folders, and who may read or write each.

Under the hub's root (`/srv/keras-course` unless told otherwise):

    hub/                    root only (0700): JupyterHub's database and cookie secret, the passwords of the
                            accounts `keras-course hub` made (passwords.csv, 0600)
    exchange/               nbgrader's exchange, as nbgrader wants it: everyone may write (1777); the course's
                            folders in it made here, the grader's (`prepare_exchange`): its inbound/ lets a student
                            hand in but neither list nor remove what others did
    jupyter/                read by every server of the hub (0755): nbgrader_config.py naming the exchange
    courses/COURSE/         the course folder: source/ (hidden tests), the gradebook, submissions, feedback; owned by
                            grader-COURSE, shared with the group formgrade-COURSE (2770), nothing for others

The hub's servers run the checkout's environment (.venv) and package, so every account must reach
them; the checkout's own secrets (its source/ with the hidden tests, solutions/, .git, a demo
class) are closed to other accounts (`close_checkout`).
"""

import json
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.course import CONFIG
from autograder.hub.accounts import run_as_account
from autograder.settings import COURSE_ROOT

# What a checkout holds that students must not read: the hidden tests and solutions, their history, and anything a
# run of the course made in it (the demo class, a gradebook, submissions, screenshots of tests).
CHECKOUT_SECRETS = ("source", "solutions", ".git", "demo", "gradebook.db", "submitted", "autograded", "feedback",
                    "exchange", "test-artifacts", "student", "report", "my-work")
EXCHANGE_MODE = 0o1777
COURSE_FOLDER_MODE = 0o2770  # the graders' group inherits every folder made in it (setgid)
COURSE_FILE_MODE = 0o660
STATE_MODE = 0o700
SHARED_MODE = 0o755
# Every process that works in the course folder makes what the other graders can change too.
GRADERS_UMASK = 0o007


class LayoutError(Exception):
    """A hub that cannot be laid out here: the message says why and what to do."""


@dataclass(frozen=True)
class HubLayout:
    root: Path
    course_id: str

    @property
    def state(self):
        return self.root / "hub"

    @property
    def passwords(self):
        return self.state / "passwords.csv"

    @property
    def exchange(self):
        return self.root / "exchange"

    @property
    def jupyter_config(self):
        return self.root / "jupyter"

    @property
    def course(self):
        return self.root / "courses" / self.course_id

    @property
    def grader(self):
        """The account the course's Formgrader runs as, which owns the course folder."""
        return f"grader-{self.course_id}"

    @property
    def graders_group(self):
        """The Unix group sharing the course folder (the grader account and the instructors); named as nbgrader
        names the hub group of the same people."""
        return f"formgrade-{self.course_id}"

    @property
    def students_group(self):
        """The hub group of the course's students (nbgrader's JupyterHubAuthPlugin reads it)."""
        return f"nbgrader-{self.course_id}"


def nbgrader_hub_settings(exchange):
    """The nbgrader settings every account of the hub shares, as lines of an nbgrader_config.py that has `c`."""
    return "\n".join([
        "from nbgrader.auth import JupyterHubAuthPlugin  # noqa: E402",
        "",
        "# nbgrader's exchange on the hub, one folder per course in it; who is in which course is the hub's groups.",
        f"c.Exchange.root = {str(exchange)!r}",
        "c.Exchange.path_includes_course = True",
        "c.Authenticator.plugin_class = JupyterHubAuthPlugin",
        "",
    ])


def lay_out(layout):
    """Make the hub's folders, each with its owner and mode (the course folder: `prepare_course`)."""
    for folder, mode in ((layout.root, SHARED_MODE), (layout.state, STATE_MODE), (layout.exchange, EXCHANGE_MODE),
                         (layout.jupyter_config, SHARED_MODE), (layout.course.parent, SHARED_MODE)):
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, 0, 0)
        os.chmod(folder, mode)
    config = layout.jupyter_config / CONFIG
    config.write_text("c = get_config()  # noqa: F821\n" + nbgrader_hub_settings(layout.exchange))
    os.chmod(config, 0o644)


# The course's folders in the exchange, as nbgrader's release makes them for a course shared by a group of graders
# (`groupshared`): made here first, the grader's and the graders' group's, so that no student makes them before.
# inbound/ is sticky besides: a student may hand in there, but not remove or rename another's submission.
EXCHANGE_FOLDERS = {"": 0o2775, "outbound": 0o2775, "inbound": 0o3773, "feedback": 0o2771}


def prepare_exchange(layout, grader, group_gid):
    """The course's folders of the exchange (EXCHANGE_FOLDERS), made if missing; a course folder someone else made
    there (a student, before the first release) is refused."""
    for name, mode in EXCHANGE_FOLDERS.items():
        folder = layout.exchange / layout.course_id / name
        if not folder.exists():
            folder.mkdir()
            os.chown(folder, grader.pw_uid, group_gid)
            os.chmod(folder, mode)
        status = folder.lstat()
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != grader.pw_uid:
            raise LayoutError(f"{folder} is not the grader's folder (someone else made it): remove it, then run "
                              "`make hub` again")


def prepare_course(layout, grader, group_gid, students=()):
    """The course folder: on first use the course's nbgrader_config.py (with the hub's settings added) and source/,
    every file the grader's and the graders' group's; then `students` (Person) in its gradebook, added by the grader.

    A course folder that exists keeps what is in it: the instructors' work is never overwritten, and root neither
    walks it (a grader could swap a folder for a link meanwhile) nor runs its nbgrader_config.py (theirs to edit)."""
    course = layout.course
    if not (course / CONFIG).is_file():
        course.mkdir(parents=True, exist_ok=True)
        os.chmod(course, 0o700)  # root's alone until it is handed over, last
        shutil.copytree(COURSE_ROOT / "source", course / "source", dirs_exist_ok=True)
        own_settings = (COURSE_ROOT / CONFIG).read_text()
        (course / CONFIG).write_text(own_settings + HUB_BLOCK.format(settings=nbgrader_hub_settings(layout.exchange)))
        for path in [*course.rglob("*"), course]:
            os.lchown(path, grader.pw_uid, group_gid)
            if not path.is_symlink():
                os.chmod(path, COURSE_FOLDER_MODE if path.is_dir() else COURSE_FILE_MODE)
    os.chown(course, grader.pw_uid, group_gid)
    os.chmod(course, COURSE_FOLDER_MODE)
    _add_students(course, grader, group_gid, students)


HUB_BLOCK = '''

# -- On the JupyterHub (added by `keras-course hub`) ----------------------------------------------
# Every grader (the Formgrader's account and each instructor, the group formgrade-COURSE) changes
# what another made here: whatever works in this folder leaves its files to the group.
import os  # noqa: E402

os.umask({umask:#o})
c.CourseDirectory.groupshared = True  # nbgrader's own folders and files group-writable too
# Collect takes only what each student made, and no link (autograder/hub/collect.py).
c.ExchangeFactory.collect = "autograder.hub.collect.CollectOwnSubmissions"
{{settings}}'''.format(umask=GRADERS_UMASK)


def _add_students(course, grader, group_gid, students):
    """The roster's students into the course's gradebook, by the grader account (autograder/hub/gradebook_roster.py)."""
    if not students:
        return
    rows = json.dumps([[person.username, person.first_name, person.last_name] for person in students])
    ran = run_as_account(grader, [sys.executable, "-m", "autograder.hub.gradebook_roster", str(course)],
                         group=group_gid, input=rows, cwd=course, umask=GRADERS_UMASK)
    if ran.returncode != 0:
        raise LayoutError(f"the grader account could not put the roster's students in the gradebook of {course}: "
                          + (ran.stderr.strip().splitlines() or ["no reason given"])[-1])


def close_checkout(checkout=COURSE_ROOT):
    """Take every permission of other accounts from the checkout's secrets (CHECKOUT_SECRETS); return those changed."""
    closed = []
    for name in CHECKOUT_SECRETS:
        path = Path(checkout) / name
        if path.exists() and not path.is_symlink():
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o007:
                os.chmod(path, mode & ~0o007)
                closed.append(path)
    return closed


def unreachable(paths):
    """The first of `paths` (the environment's interpreter, the package) another account cannot reach, with the
    folder that stops it, as a sentence; None when every account can."""
    for path in paths:
        path = Path(path)
        for folder in [*reversed(path.parents), path]:
            mode = folder.stat().st_mode
            # Every folder on the way is passed through; the last one is listed too (Python's imports list it).
            needed = stat.S_IXOTH | (stat.S_IROTH if folder == path else 0)
            if mode & needed != needed:
                return (f"{path} cannot be reached by other accounts: {folder} is {stat.filemode(mode)}. The hub runs "
                        "every person's server from this checkout's environment: clone the course where every account "
                        "can read it (e.g. /opt/keras-course) and run `make hub` there")
    return None
