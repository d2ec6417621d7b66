"""nbgrader's collect on a hub, where every student writes in the exchange: it takes only what the student made.

A student owns their own submission folder in the exchange's `inbound/` and may change it after
submitting. nbgrader's collect, run by the grader, copies it following links and only warns when
the folder is not the student's it names; so a link in a submission to the course's `source/` or
to another student's work would come back in that student's feedback, and a folder made in
another student's name would replace theirs. `CollectOwnSubmissions` (set for the hub's course
in its nbgrader_config.py) takes each submission folder through a descriptor opened without
following a link, refuses one owned by anyone but the student it names, snapshots it with links
kept as links, and refuses a snapshot that holds one; the reason goes to the log.
"""

import os
import pwd
import shutil
import tempfile
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect


class CollectOwnSubmissions(ExchangeCollect):
    """nbgrader's collect, each submission checked and snapshotted as above before anything is replaced."""

    def copy_files(self):
        with tempfile.TemporaryDirectory(prefix="keras-course-collect-") as staging:
            self._snapshots, kept, refused = {}, [], []
            for number, record in enumerate(self.src_records):
                source = os.path.join(self.inbound_path, record["filename"])
                snapshot = Path(staging) / str(number)
                reason = snapshot_of(source, record["username"], snapshot)
                if reason:
                    refused.append(reason)
                else:
                    self._snapshots[source] = str(snapshot)
                    kept.append(record)
            self.src_records = kept
            super().copy_files()
        for reason in refused:
            self.log.error(f"not collected: {reason}")

    def do_copy(self, src, dest, log=None):
        super().do_copy(self._snapshots[src], dest, log)


def snapshot_of(source, student, snapshot):
    """Copy the submission folder `source` to `snapshot`, links kept as links; the reason it is refused, or None."""
    try:
        folder = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        return f"{source} is not a folder ({error.strerror})"
    try:
        if os.fstat(folder).st_uid != _uid_of(student):
            return f"{source} is in {student}'s name but was made by another account"
        shutil.copytree(f"/proc/self/fd/{folder}", snapshot, symlinks=True)
    finally:
        os.close(folder)
    links = sorted(os.path.relpath(os.path.join(folder, name), snapshot)
                   for folder, folders, files in os.walk(snapshot)  # links are not followed
                   for name in folders + files if os.path.islink(os.path.join(folder, name)))
    if links:
        return f"{student}'s submission holds links ({', '.join(links[:5])}): collect would copy what they point at"
    return None


def _uid_of(username):
    try:
        return pwd.getpwnam(username).pw_uid
    except KeyError:
        return None
