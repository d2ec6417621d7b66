"""The Unix accounts of a class on the hub, and the group that shares its course folder.

Every person of the roster logs in to the hub as their own account (PAM checks the account's
password), and the hub starts their server as that account. The course's Formgrader runs as
one more account, `grader-COURSE`, which owns the course folder; the course's graders (that
account and every instructor) share it through the Unix group `formgrade-COURSE`, named as
nbgrader names the hub group of the same people. Everything here runs as root (`useradd`).
"""

import grp
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

# Homes are private: another account cannot list or read them.
HOME_MODE = 0o700
PASSWORD_BYTES = 12
# Debian's first uid for people (UID_MIN in /etc/login.defs): a roster name below it is the machine's (root, bin).
FIRST_PERSON_UID = 1000


class AccountError(Exception):
    """An account or group that could not be made: the message says which and why."""


def _run(command, about, stdin=None):
    ran = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if ran.returncode != 0:
        raise AccountError(f"`{command[0]}` failed for {about}: {ran.stderr.strip() or f'exit code {ran.returncode}'}")


def ensure_group(name):
    """The gid of group `name`, made (a system group) if missing."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run(["groupadd", "--system", name], name)
        return grp.getgrnam(name).gr_gid


def ensure_account(name, homes, system=False):
    """`(pwd entry, created)` of account `name`, made if missing with a private home under `homes`.

    A person's account gets a login shell (their terminal in JupyterLab); a service's (`system`) none. An account
    that exists keeps its home, which is made again (empty, private) if it is gone: a person's where it was, a
    service's under `homes`."""
    created = False
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        Path(homes).mkdir(parents=True, exist_ok=True)
        shell = "/usr/sbin/nologin" if system else "/bin/bash"
        _run(["useradd", *(["--system"] if system else []), "--user-group", "--create-home",
              "--home-dir", str(Path(homes) / name), "--shell", shell, name], name)
        entry, created = pwd.getpwnam(name), True
    if not system and entry.pw_uid < FIRST_PERSON_UID:
        raise AccountError(f"{name} is a system account of this machine (uid {entry.pw_uid}): give the person "
                           "another username in the roster")
    home = Path(entry.pw_dir)
    if not home.is_dir() and system:  # a service's home holds only its runtime files: it moves under `homes`
        home = Path(homes) / name
        _run(["usermod", "--home", str(home), name], name)
        entry = pwd.getpwnam(name)
    if not home.is_dir():
        home.mkdir(parents=True)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, HOME_MODE)
    return entry, created


def set_new_password(name):
    """Give account `name` a new random password (for PAM log-in), and return it."""
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    _run(["chpasswd"], name, stdin=f"{name}:{password}\n")
    return password


def members_of(group):
    return list(grp.getgrnam(group).gr_mem)


def run_as_account(entry, command, group=None, **options):
    """Run `command` (a list) as the account `entry` (a pwd entry), with its home and this environment's commands
    first on PATH, none of root's groups; `group` is its gid there (default: the account's own). The finished run."""
    environment = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin:/bin"]),
                   "HOME": entry.pw_dir, "USER": entry.pw_name, "LOGNAME": entry.pw_name}
    return subprocess.run(command, capture_output=True, text=True, env=environment, user=entry.pw_uid,
                          group=entry.pw_gid if group is None else group, extra_groups=[], **options)


def remove_from_group(name, group):
    _run(["gpasswd", "--delete", name, group], name)


def add_to_group(name, group):
    """Make account `name` a member of `group` (its servers started from now on have it)."""
    if name not in members_of(group):
        _run(["usermod", "--append", "--groups", group, name], name)
