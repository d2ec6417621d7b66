"""What `keras-course hub` checks and lays out before JupyterHub starts: the roster, who may reach what, the course
folder; without a hub (tests/test_hub.py runs one)."""

import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograder.hub.accounts import ensure_account
from autograder.hub.layout import (
    COURSE_FILE_MODE,
    COURSE_FOLDER_MODE,
    HubLayout,
    close_checkout,
    lay_out,
    prepare_course,
    unreachable,
)
from autograder.hub.roster import Person, RosterError, read_roster
from autograder.settings import COURSE_ROOT
from tests.accounts import account, home_of, run_as
from tests.hub import kept_umask, new_hub_folder, remove_accounts

HEADER = "username,role,first_name,last_name"
HUB_PROBE = "keras-hub-probe"  # an ordinary account of this file's own


def roster_file(tmp_path, *lines):
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_roster_lists_instructors_and_students_and_skips_comments(tmp_path):
    roster = read_roster(roster_file(tmp_path, "# a comment", HEADER, "ada,instructor,Ada,L", "", "bo_b,student,Bo,B"))
    assert roster.people == (Person("ada", "instructor", "Ada", "L"), Person("bo_b", "student", "Bo", "B"))
    assert (roster.instructors, roster.students) == (["ada"], ["bo_b"])


def test_the_shipped_roster_is_a_usable_roster():
    roster = read_roster(COURSE_ROOT / "hub" / "roster.csv")
    assert roster.instructors and roster.students


@pytest.mark.parametrize("lines, said", [
    (["username,role", "ada,instructor"], "its first line must be the header"),
    ([HEADER, "Ada,instructor,,"], "line 2: 'Ada' is not a usable account name"),
    ([HEADER, "ada,instructor,,", "a+b,student,,"], "line 3: 'a+b' is not a usable account name"),
    ([HEADER, "ada,teacher,,"], "line 2: the role 'teacher' is neither instructor nor student"),
    ([HEADER, "ada,instructor,,", "ada,student,,"], "line 3: ada is listed twice"),
    ([HEADER, "bob,student,,"], "no instructor"),
    ([HEADER, "ada,instructor"], "line 2: 2 fields, expected 4"),
])
def test_a_wrong_roster_is_refused_with_its_line_and_why(tmp_path, lines, said):
    with pytest.raises(RosterError, match=re.escape(said)):
        read_roster(roster_file(tmp_path, *lines))


def test_a_path_behind_a_private_folder_is_named_with_the_folder_that_stops_it():
    folder = Path(tempfile.mkdtemp(prefix="keras-course-reach-"))  # pytest's own folders are root's only
    try:
        private = folder / "private"
        (private / "venv").mkdir(parents=True)
        os.chmod(folder, 0o755)
        os.chmod(private, 0o700)
        assert f"{private} is drwx------" in unreachable([private / "venv"])
        os.chmod(private, 0o755)
        assert unreachable([private / "venv"]) is None
    finally:
        shutil.rmtree(folder)


def test_the_checkouts_secrets_are_closed_to_other_accounts_and_nothing_else(tmp_path):
    checkout = tmp_path / "checkout"
    for folder in ("source", "release", "autograder", ".git"):
        (checkout / folder).mkdir(parents=True)
        os.chmod(checkout / folder, 0o755)
    closed = close_checkout(checkout)
    assert sorted(path.name for path in closed) == [".git", "source"]
    modes = {folder: stat.S_IMODE((checkout / folder).stat().st_mode) for folder in ("source", "release", "autograder")}
    assert modes == {"source": 0o750, "release": 0o755, "autograder": 0o755}
    assert close_checkout(checkout) == []


@pytest.fixture
def hub_folder():
    folder = new_hub_folder()  # pytest's own folders are root's only: the grader account must pass through
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_course_folder_is_the_graders_with_the_hubs_nbgrader_settings(hub_folder):
    layout = HubLayout(hub_folder / "root", "keras-course")
    lay_out(layout)
    grader = pwd.getpwnam("nobody")
    prepare_course(layout, grader, grader.pw_gid, [Person("ann", "student", "Ann", "A")])
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{layout.course / 'gradebook.db'}") as gradebook:  # added by the grader account
        assert [(student.id, student.first_name) for student in gradebook.students] == [("ann", "Ann")]
    with kept_umask():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(layout.course)).load_config()
    assert config.Exchange.root == str(layout.exchange) and config.Exchange.path_includes_course is True
    assert config.Authenticator.plugin_class.__name__ == "JupyterHubAuthPlugin"
    assert config.CourseDirectory.root == str(layout.course)
    people = PyFileConfigLoader("nbgrader_config.py", path=str(layout.jupyter_config)).load_config()
    assert people.Exchange.root == str(layout.exchange)
    for path in [layout.course, *layout.course.rglob("*")]:
        assert path.stat().st_uid == grader.pw_uid, path
        assert stat.S_IMODE(path.stat().st_mode) == (COURSE_FOLDER_MODE if path.is_dir() else COURSE_FILE_MODE), path
    assert stat.S_IMODE(layout.state.stat().st_mode) == 0o700
    assert stat.S_IMODE(layout.exchange.stat().st_mode) == 0o1777
    # Run again: the instructors' work stays, and root runs none of it (the grader account does, as itself).
    (layout.course / "nbgrader_config.py").write_text("import os\nopen('ran-as', 'w').write(str(os.geteuid()))\n")
    prepare_course(layout, grader, grader.pw_gid, [Person("bo", "student", "Bo", "B")])
    assert (layout.course / "nbgrader_config.py").read_text().startswith("import os")
    assert (layout.course / "ran-as").read_text() == str(grader.pw_uid)


def test_the_hub_refuses_to_start_as_an_ordinary_user(tmp_path):
    user = account(HUB_PROBE)
    ran = run_as(user, home_of(user), [Path(sys.executable).parent / "keras-course", "hub", "--root", tmp_path / "hub"],
                 cwd="/")
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "`keras-course hub` runs as root" in ran.stderr
    assert not (tmp_path / "hub").exists()


def test_the_sandbox_names_its_mode_as_root_and_as_an_ordinary_user():
    as_root = subprocess.run([sys.executable, "-m", "autograder.isolation.sandbox"], capture_output=True, text=True)
    assert as_root.stdout.startswith("the sandbox as root: "), as_root
    user = account(HUB_PROBE)
    as_user = run_as(user, home_of(user), [sys.executable, "-m", "autograder.isolation.sandbox"], cwd="/")
    assert as_user.stdout.startswith(f"the sandbox as the ordinary user {HUB_PROBE}: "), as_user


def test_an_accounts_home_is_made_again_where_it_belongs_when_it_is_gone():
    """A person's account keeps its home folder's place; a service's (the grader's) moves where the hub keeps homes."""
    first, second = new_hub_folder(), new_hub_folder()
    try:
        service, created = ensure_account(f"{HUB_PROBE}-svc", first, system=True)
        person, _ = ensure_account(f"{HUB_PROBE}-pp", first)
        assert created and Path(service.pw_dir).parent == first
        shutil.rmtree(first)
        service, created = ensure_account(f"{HUB_PROBE}-svc", second, system=True)
        person, _ = ensure_account(f"{HUB_PROBE}-pp", second)
        assert not created and Path(service.pw_dir) == second / f"{HUB_PROBE}-svc"
        assert Path(person.pw_dir) == first / f"{HUB_PROBE}-pp"
        for entry in (service, person):
            home = Path(entry.pw_dir)
            assert home.is_dir() and home.stat().st_uid == entry.pw_uid and stat.S_IMODE(home.stat().st_mode) == 0o700
    finally:
        remove_accounts([f"{HUB_PROBE}-svc", f"{HUB_PROBE}-pp"])
        for folder in (first, second):
            shutil.rmtree(folder, ignore_errors=True)


def test_a_system_account_of_the_machine_is_no_person_of_the_roster():
    from autograder.hub.accounts import AccountError

    with pytest.raises(AccountError, match="bin is a system account of this machine"):
        ensure_account("bin", "/nonexistent-homes")


def test_a_copy_of_mnist_someone_else_planted_in_the_shared_tmp_is_not_used(tmp_path):
    """The training split's cache is the grader's own: a folder of that name made by another account is passed over."""
    from autograder.isolation.sandbox import train_only_mnist

    planted = tmp_path / "cache"
    planted.mkdir()
    os.chown(planted, pwd.getpwnam("nobody").pw_uid, -1)
    used = train_only_mnist(planted)
    assert planted not in used.parents and used.stat().st_uid == os.geteuid()
    mine = tmp_path / "mine"
    assert train_only_mnist(mine).parent == mine  # the user's own folder is used


COLLECTORS = ("kc-collect-a", "kc-collect-b", "kc-collect-c")
ASSIGNMENT, NOTEBOOK = "01_fix_simplenet", "fix_simplenet.ipynb"


def submit_by_hand(exchange, student, owner, notebook_from=None, link_to=None):
    """A submission folder in the exchange's inbound/, as nbgrader's submit lays it out, made by `owner`."""
    stamp = "2026-12-07 10:00:00.000000 UTC"
    folder = exchange / "keras-course" / "inbound" / f"{student}+{ASSIGNMENT}+{stamp}+x{student[-1]}"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(stamp)
    if link_to:
        (folder / NOTEBOOK).symlink_to(link_to)
    else:
        shutil.copyfile(notebook_from, folder / NOTEBOOK)
    user = account(owner)
    for path in [folder, *folder.iterdir()]:
        os.lchown(path, user.pw_uid, user.pw_gid)


def collect(course, exchange, *options):
    ran = subprocess.run([sys.executable, "-m", "nbgrader", "collect", ASSIGNMENT, f"--Exchange.root={exchange}",
                          *options], cwd=course, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return ran.stdout + ran.stderr


@pytest.mark.parametrize("collector", ["hub", "nbgrader"])
def test_collect_takes_only_what_each_student_made_and_no_link(hub_folder, collector):
    """The hub's collect refuses a submission holding a link (to the course's source/ here, which would come back in
    the student's feedback) and a folder made in another student's name; nbgrader's own takes both (the attack)."""
    from autograder.grading.nbgrader_commands import copy_course

    course, exchange = copy_course(hub_folder / "course"), hub_folder / "exchange"
    released, secret = course / "release" / ASSIGNMENT / NOTEBOOK, course / "source" / ASSIGNMENT / NOTEBOOK
    submit_by_hand(exchange, COLLECTORS[0], COLLECTORS[0], notebook_from=released)
    submit_by_hand(exchange, COLLECTORS[1], COLLECTORS[1], link_to=secret)
    submit_by_hand(exchange, COLLECTORS[2], COLLECTORS[0], notebook_from=released)  # made by a in c's name
    options = ["--ExchangeFactory.collect=autograder.hub.collect.CollectOwnSubmissions"] if collector == "hub" else []
    said = collect(course, exchange, *options)
    collected = {student: course / "submitted" / student / ASSIGNMENT / NOTEBOOK for student in COLLECTORS}
    assert collected[COLLECTORS[0]].read_bytes() == released.read_bytes()
    if collector == "hub":
        assert not collected[COLLECTORS[1]].exists() and not collected[COLLECTORS[2]].exists()
        assert f"not collected: {COLLECTORS[1]}'s submission holds links ({NOTEBOOK})" in said
        assert f"is in {COLLECTORS[2]}'s name but was made by another account" in said
    else:
        assert collected[COLLECTORS[1]].read_bytes() == secret.read_bytes()  # the hidden tests, as bob's submission
        assert collected[COLLECTORS[2]].exists()
