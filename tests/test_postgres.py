"""The tests' own PostgreSQL server, and nbgrader gradebooks copied into it (tests/postgres.py).

The server answers on 127.0.0.1 and nowhere else, and leaves no process behind; a small
gradebook made with nbgrader's API in SQLite has the same scores once copied to PostgreSQL,
and a copy changed afterwards does not, so that the comparison can fail.
"""

import socket
from datetime import datetime

import psutil
import psycopg
import pytest
from nbgrader.api import Course
from sqlalchemy import create_engine, text

from tests.postgres import (
    copy_gradebook,
    gradebook_scores,
    open_gradebook,
    postgres,  # noqa: F401
    postgres_server,
)

# nbgrader's own `add_submission` makes SQLAlchemy warn about objects it adds before their session has them.
pytestmark = pytest.mark.filterwarnings("ignore:Object of type .* not in session:sqlalchemy.exc.SAWarning")

# The scores nbgrader gives the gradebook of `make_gradebook`, worked out by hand.
NO_SCORE = dict.fromkeys(["code_score", "max_code_score", "written_score", "max_written_score",
                          "task_score", "max_task_score"], 0.0)
EXPECTED_SCORES = {
    "ps1": {
        "alice": {**NO_SCORE, "score": 9.5, "max_score": 12.0, "code_score": 3.5, "max_code_score": 5.0,
                  "written_score": 4.0, "max_written_score": 5.0, "task_score": 2.0, "max_task_score": 2.0,
                  "needs_manual_grade": False},
        "bob": {**NO_SCORE, "score": 2.0, "max_score": 12.0, "code_score": 2.0, "max_code_score": 5.0,
                "max_written_score": 5.0, "max_task_score": 2.0, "needs_manual_grade": True},
    },
    "ps2": {
        "alice": {**NO_SCORE, "score": 0.25, "max_score": 1.0, "code_score": 0.25, "max_code_score": 1.0,
                  "needs_manual_grade": False},
    },
}


def make_gradebook(path):
    """A small gradebook in the SQLite file `path`, made with nbgrader's API; its URL.

    Two assignments; ps1 has two code cells, a written answer and a task, and the
    submissions of alice (all graded) and bob (code autograded, the rest left to grade by
    hand); ps2 has one code cell and alice's submission. carol submitted nothing.
    """
    url = f"sqlite:///{path}"
    with open_gradebook(url) as gradebook:
        gradebook.add_assignment("ps1", duedate="2026-03-01 12:00:00")
        gradebook.add_notebook("problems", "ps1")
        gradebook.add_grade_cell("q1", "problems", "ps1", max_score=2, cell_type="code")
        gradebook.add_grade_cell("q2", "problems", "ps1", max_score=3, cell_type="code")
        gradebook.add_grade_cell("essay", "problems", "ps1", max_score=5, cell_type="markdown")
        gradebook.add_solution_cell("essay", "problems", "ps1")
        gradebook.add_task_cell("plot", "problems", "ps1", max_score=2, cell_type="markdown")
        gradebook.add_source_cell("q1", "problems", "ps1", cell_type="code", source="def f(x):\n    pass\n")
        gradebook.add_assignment("ps2")
        gradebook.add_notebook("more", "ps2")
        gradebook.add_grade_cell("r1", "more", "ps2", max_score=1, cell_type="code")
        for student, first, last in [("alice", "Alice", "Ávila"), ("bob", "Bob", "Brown"), ("carol", "Carol", "Chen")]:
            gradebook.add_student(student, first_name=first, last_name=last)
        gradebook.add_submission("ps1", "alice", timestamp="2026-02-28 10:30:00.123456")
        gradebook.add_submission("ps1", "bob", timestamp="2026-03-02 08:00:00")
        gradebook.add_submission("ps2", "alice", timestamp="2026-03-05 09:15:00")

        def grade(cell, notebook, assignment, student, **values):
            found = gradebook.find_grade(cell, notebook, assignment, student)
            for name, value in {"needs_manual_grade": False, **values}.items():
                setattr(found, name, value)

        grade("q1", "problems", "ps1", "alice", auto_score=2)
        grade("q2", "problems", "ps1", "alice", auto_score=1.5)
        grade("essay", "problems", "ps1", "alice", manual_score=3, extra_credit=1)
        grade("plot", "problems", "ps1", "alice", manual_score=2)
        gradebook.find_comment("essay", "problems", "ps1", "alice").manual_comment = "Clear, but cite the source."
        grade("q1", "problems", "ps1", "bob", auto_score=2)
        grade("q2", "problems", "ps1", "bob", auto_score=0, needs_manual_grade=True)
        grade("r1", "more", "ps2", "alice", auto_score=0.25)
        gradebook.db.commit()
    return url


def other_addresses():
    """Addresses of this machine other than 127.0.0.1: another loopback one, and every interface's."""
    addresses = {"127.0.0.2"}
    for interface_addresses in psutil.net_if_addrs().values():
        for address in interface_addresses:
            if address.family in (socket.AF_INET, socket.AF_INET6) and "%" not in address.address:
                addresses.add(address.address)
    addresses.discard("127.0.0.1")
    return sorted(addresses)


def answers(address, port):
    """Whether a TCP connection to `address`:`port` is accepted."""
    try:
        with socket.create_connection((address, port), timeout=2):
            return True
    except OSError:
        return False


def own_processes():
    return {process.pid for process in psutil.Process().children(recursive=True)}


def test_the_server_answers_on_127_0_0_1_only(postgres):  # noqa: F811
    url = postgres.new_database("answers")
    assert url == f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/answers"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            server_address, listening, fsync, database = connection.execute(text(
                "SELECT inet_server_addr(), current_setting('listen_addresses'), current_setting('fsync'),"
                " current_database()")).one()
    finally:
        engine.dispose()
    assert (str(server_address), listening, fsync, database) == ("127.0.0.1", "127.0.0.1", "off", "answers")

    listening_on = {(connection.laddr.ip, connection.laddr.port)
                    for connection in psutil.Process(postgres.process.pid).net_connections(kind="inet")
                    if connection.status == psutil.CONN_LISTEN}
    assert listening_on == {("127.0.0.1", postgres.port)}
    assert answers("127.0.0.1", postgres.port)
    assert [address for address in other_addresses() if answers(address, postgres.port)] == []


def test_a_server_stops_on_exit_and_leaves_no_process(tmp_path):
    before = own_processes()
    with postgres_server(tmp_path) as server:
        pid, port = server.process.pid, server.port
        started = own_processes() - before
        assert pid in started
        # A client still connected does not hold the server up: the shutdown is a fast one.
        client = server.connect()
        client.execute("CREATE TABLE waiting (x integer)")
    try:
        assert server.process.returncode == 0
        with pytest.raises(psycopg.OperationalError):
            client.execute("SELECT 1")
    finally:
        client.close()
    assert not [pid for pid in started if psutil.pid_exists(pid)]
    assert own_processes() - before == set()
    assert not answers("127.0.0.1", port)
    assert "database system is shut down" in server.log.read_text()


def test_a_server_that_cannot_start_says_why_and_leaves_no_process(tmp_path):
    before = own_processes()
    with pytest.raises(RuntimeError, match="shared_buffers") as raised:
        with postgres_server(tmp_path, settings={"shared_buffers": "plenty"}):
            pass
    assert "PostgreSQL exited" in str(raised.value)
    assert own_processes() - before == set()


def test_a_copied_gradebook_has_the_same_scores_in_postgresql(postgres, tmp_path):  # noqa: F811
    source = make_gradebook(tmp_path / "gradebook.db")
    assert gradebook_scores(source) == EXPECTED_SCORES

    target = postgres.new_database("copied")
    assert copy_gradebook(source, target) == EXPECTED_SCORES
    assert gradebook_scores(target) == EXPECTED_SCORES

    # Not only the scores: the rest of the gradebook came along too. Both databases sort text
    # by its bytes (the server's cluster has the C locale): Ávila after Brown and Chen in both.
    with open_gradebook(source) as gradebook:
        assert [student.id for student in gradebook.students] == ["bob", "carol", "alice"]
    with open_gradebook(target) as gradebook:
        assert [student.id for student in gradebook.students] == ["bob", "carol", "alice"]
        assert gradebook.find_student("alice").last_name == "Ávila"
        assert gradebook.find_assignment("ps1").duedate == datetime(2026, 3, 1, 12)
        assert gradebook.find_submission("ps1", "alice").timestamp == datetime(2026, 2, 28, 10, 30, 0, 123456)
        assert gradebook.find_comment("essay", "problems", "ps1", "alice").manual_comment == \
            "Clear, but cite the source."
        assert gradebook.find_source_cell("q1", "problems", "ps1").source == "def f(x):\n    pass\n"
        assert gradebook.db.query(Course.id).all() == [("default_course",)]
    # And nbgrader stamped the copy with its schema's version, as it did the original.
    versions = []
    for url in (source, target):
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                versions.append(connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all())
        finally:
            engine.dispose()
    assert versions[0] == versions[1] and len(versions[0]) == 1


def test_a_copy_changed_in_postgresql_differs_until_copied_again(postgres, tmp_path):  # noqa: F811
    source = make_gradebook(tmp_path / "gradebook.db")
    target = postgres.new_database("changed")
    copy_gradebook(source, target)

    with open_gradebook(target) as gradebook:
        gradebook.find_grade("q2", "problems", "ps1", "alice").auto_score = 3
        gradebook.db.commit()
    changed = gradebook_scores(target)
    assert changed != gradebook_scores(source)
    assert changed["ps1"]["alice"]["score"] == 11.0
    assert changed["ps1"]["bob"] == EXPECTED_SCORES["ps1"]["bob"]

    # Copying again replaces every row of the target.
    assert copy_gradebook(source, target) == EXPECTED_SCORES
