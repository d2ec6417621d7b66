"""The people of a class on the hub: `hub/roster.csv`, which the instructor edits.

One line per person: `username,role,first_name,last_name`. The username is their Unix account
on the hub's machine (made if missing) and their student id in nbgrader; the role is
`instructor` or `student`. Lines starting with `#` are comments.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

ROLES = ("instructor", "student")
COLUMNS = ("username", "role", "first_name", "last_name")
# A name `useradd` accepts and nbgrader can use as a folder and an exchange file name: no "+", no ".".
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class RosterError(Exception):
    """A roster that cannot be used: the message names the file, the line and what to change."""


@dataclass(frozen=True)
class Person:
    username: str
    role: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class Roster:
    people: tuple

    @property
    def instructors(self):
        return [person.username for person in self.people if person.role == "instructor"]

    @property
    def students(self):
        return [person.username for person in self.people if person.role == "student"]


def read_roster(path):
    """The `Roster` of the CSV file at `path`, or a RosterError saying which line is wrong and why."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RosterError(f"cannot read the roster {path}: {error.strerror}") from None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines or [part.strip() for part in lines[0][1].split(",")] != list(COLUMNS):
        raise RosterError(f"{path}: its first line must be the header {','.join(COLUMNS)}")
    people, seen = [], set()
    for (number, _), row in zip(lines[1:], csv.reader(line for _, line in lines[1:])):
        person = _person(path, number, row)
        if person.username in seen:
            raise RosterError(f"{path}, line {number}: {person.username} is listed twice")
        seen.add(person.username)
        people.append(person)
    roster = Roster(tuple(people))
    if not roster.instructors:
        raise RosterError(f"{path}: no instructor: give at least one person the role instructor")
    return roster


def _person(path, number, row):
    where = f"{path}, line {number}"
    if len(row) != len(COLUMNS):
        raise RosterError(f"{where}: {len(row)} fields, expected {len(COLUMNS)} ({','.join(COLUMNS)})")
    username, role, first_name, last_name = (field.strip() for field in row)
    if not USERNAME.match(username):
        raise RosterError(f"{where}: {username!r} is not a usable account name: lower-case letters, digits, "
                          "'_' and '-', starting with a letter or '_', at most 32 characters")
    if role not in ROLES:
        raise RosterError(f"{where}: the role {role!r} is neither instructor nor student")
    return Person(username, role, first_name, last_name)
