"""The Dask cluster a batch grades on, reached only over TLS with mutual authentication.

A Dask scheduler runs whatever task it is sent on every worker, as the workers' user: whoever
can connect to it grades, or runs anything else. So `keras-course grade` talks to its scheduler
over `tls://` only, showing a client certificate and checking the scheduler's against the
cluster's CA, and the scheduler and workers accept only certificates that CA signed:

- no `scheduler`: a `LocalCluster` on 127.0.0.1 with credentials made in memory for this batch
  (`Security.temporary()`), held by no process outside this batch;
- `scheduler` (tls://HOST:PORT): the client files of the folder `keras-course certificates` made
  (`certificates`), or else those of Dask's configuration (`distributed.comm.tls.ca-file`,
  `.client.cert`, `.client.key`, which `Security()` reads).

A plain tcp:// address is refused before anything connects, a loopback one too: every account of
the course's machine reaches 127.0.0.1, each student's on the hub included.
"""

import ipaddress
import os
from contextlib import contextmanager
from pathlib import Path

from autograder.grading.certificates import DASK_PORT, CertificateFolder

# What a refused instructor does instead.
MAKE_CERTIFICATES = ("make the cluster's certificates with `keras-course certificates FOLDER --hosts HOST`, start the "
                     "scheduler and the workers with the commands it prints, and grade with --scheduler "
                     f"tls://HOST:{DASK_PORT} --certificates FOLDER")


class ClusterRefused(RuntimeError):
    """The cluster cannot be used safely, or reached; the message says why and what to do."""


def is_loopback(host):
    """Is `host` (a name or an address) this machine's loopback: localhost, 127.0.0.0/8, ::1?"""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_unless_tls(address):
    """Raise `ClusterRefused` unless `address` is a tls:// address; nothing is connected to."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)  # no scheme: Dask's default, tcp
        host, _ = parse_host_port(location)
    except ValueError as error:
        raise ClusterRefused(f"{address!r} is not a Dask scheduler's address ({error}): give "
                             "--scheduler tls://HOST:8786") from None
    if scheme == "tls":
        return
    if scheme == "tcp":
        reach = ("on this machine every account reaches the loopback, each student's on the hub too"
                 if is_loopback(host) else f"anyone whose program reaches {host}")
        raise ClusterRefused(
            f"refused to grade on {address}: a Dask scheduler over plain tcp:// takes tasks from any program that "
            f"connects ({reach}) and runs them on every worker as the workers' user. Instead, {MAKE_CERTIFICATES}; "
            "or leave out --scheduler to grade on this machine (a LocalCluster over TLS)")
    raise ClusterRefused(f"keras-course grade reaches a Dask scheduler over tls:// only, not {scheme}:// "
                         f"({address}): {MAKE_CERTIFICATES}")


def client_security(certificates=None):
    """The `Security` of a client of a TLS cluster: the client files of `certificates` (a folder `keras-course
    certificates` made), or else Dask's configuration; `ClusterRefused` when neither names a client certificate."""
    from distributed.security import Security

    if certificates is None:
        security = Security(require_encryption=True)
        if not (security.tls_ca_file and security.tls_client_cert):
            raise ClusterRefused(
                "a tls:// scheduler needs the cluster's client certificate: give --certificates FOLDER (the folder "
                "`keras-course certificates` made), or set distributed.comm.tls.ca-file, "
                "distributed.comm.tls.client.cert and distributed.comm.tls.client.key in Dask's configuration")
        return security
    files = CertificateFolder(Path(certificates))
    paths = (files.ca("client"), files.certificate("client"), files.key("client"))
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ClusterRefused(f"{certificates} is not a folder `keras-course certificates` made: it has no "
                             f"{', '.join(missing)}")
    return Security(require_encryption=True, tls_ca_file=str(paths[0]), tls_client_cert=str(paths[1]),
                    tls_client_key=str(paths[2]))


def security_for(scheduler=None, certificates=None):
    """The `Security` a batch reaches its cluster with: for `scheduler`, after `refuse_unless_tls`, its
    `client_security`; without one, new credentials for a `LocalCluster`. Raises `ClusterRefused` before anything
    connects."""
    from distributed.security import Security

    if scheduler:
        refuse_unless_tls(scheduler)
        return client_security(certificates)
    if certificates is not None:
        raise ClusterRefused("--certificates is for the cluster --scheduler names; a LocalCluster makes its own")
    return Security.temporary()


@contextmanager
def grading_cluster(security, scheduler=None, workers=1):
    """`(client, threads)`: a client of the cluster at `scheduler`, or of a new `LocalCluster` of `workers` processes,
    over TLS with `security` (`security_for`).

    `threads` is each kernel's share of this machine's cores on a `LocalCluster`, None on a cluster elsewhere (its
    workers' own settings). Both are closed on leaving.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, security=security, timeout="20s")
        except OSError as error:
            raise ClusterRefused(f"no Dask scheduler at {scheduler} accepted this client ({error}): is it running, "
                                 "and does it hold certificates of the same `keras-course certificates` folder?"
                                 ) from None
        with client:
            yield client, None
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, security=security) as cluster, Client(cluster) as client:
        yield client, max(1, (os.cpu_count() or 1) // workers)
