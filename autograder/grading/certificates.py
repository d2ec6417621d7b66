"""`keras-course certificates FOLDER`: the certificates of a grading cluster nobody else can use.

A Dask scheduler runs whatever task it is sent on its workers, as the workers' user. Over
Dask's TLS every connection (to the scheduler, to a worker, between workers) authenticates
both ends: each must show a certificate the cluster's CA signed. `make_certificates` makes a
CA for one course and a certificate with its key for each role Dask has, in a folder per role
holding all that role's machine needs:

    FOLDER/scheduler/  ca.pem scheduler.pem scheduler.key   the scheduler's machine
    FOLDER/worker/     ca.pem worker.pem worker.key         every worker machine (one certificate for all)
    FOLDER/client/     ca.pem client.pem client.key         `keras-course grade --certificates FOLDER`

The CA's own key is never written: nobody, the instructor included, can sign another
certificate this cluster trusts; a new scheduler host or an expired set means running the
command again into a new folder. Dask checks the CA's signature, not host names
(`distributed.security.Security` turns `check_hostname` off), so every key of the folder lets
its holder connect to the scheduler and run code on the workers. The scheduler's certificate
names its hosts (`--hosts`) all the same, for any other tool that checks them, and each
certificate's extended key usage says which ends of a connection it may be: a worker and the
scheduler both connect and listen, the client only connects.

`cluster_commands` gives the commands that start the scheduler and the workers with these
files, and the `keras-course grade` line that grades on them.
"""

import datetime
import ipaddress
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

# A course's term and then some; after that the cluster refuses every connection, and the command is run again.
CERTIFICATE_DAYS = 400
# Machines' clocks differ a little: a certificate made here is valid on a worker whose clock is behind.
CLOCK_SKEW = datetime.timedelta(hours=1)
DASK_PORT = 8786
ROLES = ("scheduler", "worker", "client")
HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


class CertificateError(ValueError):
    """The certificates cannot be made (the folder is in use, a host is not a host name); the message says why."""


@dataclass(frozen=True)
class CertificateFolder:
    """Where each role's files are in a folder `make_certificates` made."""

    folder: Path

    def ca(self, role):
        return self.folder / role / "ca.pem"

    def certificate(self, role):
        return self.folder / role / f"{role}.pem"

    def key(self, role):
        return self.folder / role / f"{role}.key"


def parse_hosts(hosts):
    """The scheduler's hosts, from "name,10.0.0.5,...": each an `ipaddress` address or a host name (str)."""
    parsed = []
    for host in (item.strip() for item in hosts.split(",")):
        if not host:
            continue
        try:
            parsed.append(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            if not HOST_NAME.match(host):
                raise CertificateError(f"{host!r} is not a host name or an IP address: give the scheduler's names as "
                                       "--hosts scheduler.example.org,10.0.0.5 (no tls://, no port)") from None
            parsed.append(host.lower())
    if not parsed:
        raise CertificateError("no host given: name the scheduler's machine, e.g. --hosts scheduler.example.org")
    return parsed


def make_certificates(folder, hosts):
    """Make the course's CA and each role's certificate and key in the new or empty `folder`; return its `CertificateFolder`.

    `hosts` (see `parse_hosts`) are the scheduler's names and addresses, written in its certificate's
    SubjectAlternativeName. Keys are PKCS#8 PEM without a password (Dask reads no password), mode 0600
    from the moment they exist; folders are 0700.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CertificateError(f"{folder} already exists and is not an empty folder: make the certificates into a "
                               "new folder (a new set replaces the old one on every machine)")
    files = CertificateFolder(folder)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common_name):
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "keras-course"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def builder(subject, issuer, public_key):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                .serial_number(x509.random_serial_number()).not_valid_before(now - CLOCK_SKEW)
                .not_valid_after(now + datetime.timedelta(days=CERTIFICATE_DAYS))
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("keras-course grading CA")
    ca = (builder(ca_name, ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())

    usages = {
        "scheduler": [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        "worker": [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        "client": [ExtendedKeyUsageOID.CLIENT_AUTH],
    }
    alternative_names = [x509.IPAddress(host) if not isinstance(host, str) else x509.DNSName(host) for host in hosts]
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (builder(name(f"keras-course grading {role}"), ca_name, key.public_key())
                       .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                       .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                    key_encipherment=False, data_encipherment=False,
                                                    key_agreement=False, key_cert_sign=False, crl_sign=False,
                                                    encipher_only=False, decipher_only=False), critical=True)
                       .add_extension(x509.ExtendedKeyUsage(usages[role]), critical=False)
                       .add_extension(authority, critical=False))
        if role == "scheduler":
            certificate = certificate.add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        certificate = certificate.sign(ca_key, hashes.SHA256())
        (folder / role).mkdir(mode=0o700)
        files.ca(role).write_bytes(ca_pem)
        files.certificate(role).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        _write_private(files.key(role), key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return files


def _write_private(path, content):
    """Write a new file only its owner can read, never readable by others, not even while it is written."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)


def scheduler_address(host, port=DASK_PORT):
    """tls://HOST:PORT, an IPv6 address in brackets."""
    shown = f"[{host}]" if isinstance(host, ipaddress.IPv6Address) else str(host)
    return f"tls://{shown}:{port}"


def scheduler_command(port=DASK_PORT):
    """`dask scheduler` over TLS only, with the scheduler's files, run in the folder holding `scheduler/`.

    No dashboard: Dask's dashboard is plain HTTP that any program reaching it can read (students' names, logs).
    """
    return ["dask", "scheduler", "--protocol", "tls", "--port", str(port), "--no-dashboard",
            *_tls_options("scheduler")]


def worker_command(address):
    """`dask worker` of one student at a time per process, a process per core, run in the folder holding `worker/`."""
    return ["dask", "worker", address, *_tls_options("worker"), "--nthreads", "1", "--nworkers", "-1",
            "--no-dashboard"]


def grade_command(files, address):
    return ["keras-course", "grade", "ASSIGNMENT", "--scheduler", address, "--certificates", str(files.folder.resolve())]


def _tls_options(role):
    relative = CertificateFolder(Path("."))  # the role's folder copied to its machine, the command run beside it
    return ["--tls-ca-file", str(relative.ca(role)), "--tls-cert", str(relative.certificate(role)),
            "--tls-key", str(relative.key(role))]


def cluster_commands(files, hosts, port=DASK_PORT):
    """What the instructor reads after making the certificates: what to copy where, and each command to run."""
    address = scheduler_address(hosts[0], port)
    folder = files.folder.resolve()
    return [
        f"Certificates of the grading cluster in {folder}, valid for {CERTIFICATE_DAYS} days; the CA's key was not "
        "kept, so nobody can sign another certificate this cluster trusts.",
        "Every key here lets its holder run code on the workers: copy each folder only to its machines, and "
        "keep client/ in your own account.",
        "",
        f"1. On the scheduler's machine ({', '.join(map(str, hosts))}), in the folder you copied scheduler/ into "
        f"(on this machine: cd {shlex.quote(str(folder))}):",
        "   " + shlex.join(scheduler_command(port)),
        "2. On each worker machine, as an ordinary user (not root), in the folder you copied worker/ into "
        "(-1: a worker per core, each grading one student at a time):",
        "   " + shlex.join(worker_command(address)),
        "3. Here, to grade a class on that cluster:",
        "   " + shlex.join(grade_command(files, address)),
    ]
