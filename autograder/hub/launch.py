"""`keras-course hub`: the class's accounts and folders (`prepare_class`), then JupyterHub (`run_hub`).

JupyterHub reads hub/jupyterhub_config.py; what that file needs from this command (the roster,
the folders, the ports) it reads from one environment variable, `HubSettings.VARIABLE`. The
hub runs as root, which PAM log-in and starting each person's server as their own account
need; nothing else runs as root: every server, the Formgrader and every grading run as an
ordinary account, each student kernel in the sandbox that needs no root.
"""

import json
import os
import pwd
import signal
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.course import course_settings
from autograder.hub.accounts import (
    add_to_group,
    ensure_account,
    ensure_group,
    members_of,
    remove_from_group,
    run_as_account,
    set_new_password,
)
from autograder.hub.layout import (
    GRADERS_UMASK,
    HubLayout,
    LayoutError,
    close_checkout,
    lay_out,
    prepare_course,
    prepare_exchange,
    unreachable,
)
from autograder.hub.roster import read_roster
from autograder.settings import COURSE_ROOT

HUB_FOLDER = COURSE_ROOT / "hub"
CONFIG_FILE = HUB_FOLDER / "jupyterhub_config.py"
PROXY = HUB_FOLDER / "node_modules" / ".bin" / "configurable-http-proxy"
ENVIRONMENT_BIN = Path(sys.prefix) / "bin"


@dataclass(frozen=True)
class HubSettings:
    """Where the hub keeps its class, whom it lets in, and where it listens."""

    root: str = "/srv/keras-course"
    roster: str = str(HUB_FOLDER / "roster.csv")
    homes: str = "/home"
    ip: str = "127.0.0.1"
    port: int = 8000
    # Loopback ports of the hub's own parts: its API, the proxy's API, the course's Formgrader.
    hub_port: int = 8081
    proxy_api_port: int = 8001
    formgrader_port: int = 9999

    VARIABLE = "KERAS_COURSE_HUB"

    def to_environment(self):
        return {self.VARIABLE: json.dumps(asdict(self))}

    @classmethod
    def from_environment(cls):
        return cls(**json.loads(os.environ[cls.VARIABLE]))

    @property
    def layout(self):
        return HubLayout(Path(self.root), course_settings(COURSE_ROOT)[1])


def prepare_class(settings, echo=print):
    """Lay out the hub's folders and make the roster's accounts; return `(layout, roster, new passwords)`."""
    if os.geteuid() != 0:
        raise LayoutError("`keras-course hub` runs as root: it makes the class's Unix accounts, and the hub starts "
                          "each person's server as their own account (run `sudo make hub`)")
    problem = unreachable([Path(sys.executable).resolve(), ENVIRONMENT_BIN, COURSE_ROOT / "autograder"])
    if problem:
        raise LayoutError(problem)
    if not PROXY.is_file():
        raise LayoutError(f"JupyterHub's proxy is not installed ({PROXY}): `make hub` installs it "
                          "(`npm ci --prefix hub`, configurable-http-proxy from the npm registry)")
    roster = read_roster(settings.roster)
    layout = settings.layout
    lay_out(layout)
    group = ensure_group(layout.graders_group)
    grader, _ = ensure_account(layout.grader, settings.homes, system=True)
    add_to_group(layout.grader, layout.graders_group)
    passwords = {}
    for person in roster.people:
        _, created = ensure_account(person.username, settings.homes)
        if created:
            passwords[person.username] = set_new_password(person.username)
        if person.role == "instructor":
            add_to_group(person.username, layout.graders_group)
    # Someone no longer an instructor of the roster no longer shares the course folder.
    for name in set(members_of(layout.graders_group)) - {*roster.instructors, layout.grader}:
        remove_from_group(name, layout.graders_group)
        echo(f"{name} is no instructor of the roster: removed from the group {layout.graders_group}")
    _keep_passwords(layout.passwords, passwords)
    for path in close_checkout():
        echo(f"closed to other accounts: {path}")
    prepare_exchange(layout, grader, group)
    prepare_course(layout, grader, group, [person for person in roster.people if person.role == "student"])
    echo(f"grading on this hub: {sandbox_mode_for(layout.grader)}")
    return layout, roster, passwords


def _keep_passwords(path, passwords):
    """Append the new accounts' passwords to `path` (root's only), for the instructor to hand out."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text("username,password\n")
    os.chmod(path, 0o600)
    with path.open("a") as file:
        file.writelines(f"{name},{password}\n" for name, password in passwords.items())


def sandbox_mode_for(account):
    """How the sandbox runs for `account` (an ordinary user) on this machine, as `keras-course` says it."""
    ran = run_as_account(pwd.getpwnam(account), [sys.executable, "-m", "autograder.isolation.sandbox"], cwd="/")
    if ran.returncode == 0:
        return ran.stdout.strip()
    return ("NO SANDBOX HERE: grading will refuse to start until this is fixed: "
            + (ran.stdout.strip() or ran.stderr.strip()[-500:]))


def run_hub(settings, echo=print):
    """Prepare the class, then become JupyterHub (this process is replaced; it stops on Ctrl+C or SIGTERM)."""
    layout, roster, passwords = prepare_class(settings, echo)
    echo(f"the class: {len(roster.instructors)} instructor(s), {len(roster.students)} student(s) of {settings.roster}")
    if passwords:
        echo(f"new accounts ({', '.join(passwords)}): their passwords are in {layout.passwords} (root's only)")
    echo(f"the course folder (the Formgrader's and the instructors'): {layout.course}")
    echo(f"JupyterHub: http://{settings.ip}:{settings.port}/ (the Formgrader: "
         f"http://{settings.ip}:{settings.port}/services/{layout.course_id}/formgrader)")
    sys.stdout.flush()
    # The environment's commands first on the PATH the hub hands its servers (their terminals' `keras-course`).
    environment = {**os.environ, **settings.to_environment(),
                   "PATH": os.pathsep.join([str(ENVIRONMENT_BIN), os.environ.get("PATH", "/usr/bin:/bin")])}
    os.umask(GRADERS_UMASK)
    # The hub stops each server with SIGINT, then SIGTERM after a time-out (30 s). A server must take SIGINT as a
    # stop: not ignored (a process started in the background of a shell, or by a test runner, inherits SIGINT
    # ignored, and so did every server), nor answered with a question on a terminal (shut down? y/[n]).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    os.chdir(layout.state)
    jupyterhub = str(ENVIRONMENT_BIN / "jupyterhub")
    os.execve(jupyterhub, [jupyterhub, "-f", str(CONFIG_FILE)], environment)
