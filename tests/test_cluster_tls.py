"""A grading cluster nobody else can use: `keras-course certificates`, and `keras-course grade` over TLS only.

The certificates are read back with `cryptography` (the CA signs each role's certificate, keys are
0600, the scheduler's names are in its SubjectAlternativeName); a real `dask scheduler` started with
them, as the command prints it, refuses whoever shows no certificate of the course's CA; and a
plain tcp:// scheduler is refused before anything connects. The class graded on such a cluster is
in `tests/test_batch_grading.py`.
"""

import ipaddress
import os
import shlex
import socket
import ssl
import stat
import time

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from autograder.cli import main
from autograder.grading.batch import BatchError, grade_class
from autograder.grading.certificates import CertificateFolder, make_certificates, parse_hosts
from autograder.grading.cluster import client_security
from autograder.settings import COURSE_ROOT
from tests.tls_cluster import tls_cluster

A1 = "01_fix_simplenet"
# TEST-NET-1 (RFC 5737): an address of no machine. Nothing may be sent to it: the refusal comes first.
NOWHERE = "192.0.2.1"


def certificate(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_certificates_command_makes_a_ca_that_signs_each_role_and_keeps_no_key_of_its_own(tmp_path):
    folder = tmp_path / "certificates"
    made = CliRunner().invoke(main, ["certificates", str(folder), "--hosts", "scheduler.example.org,10.0.0.5"])
    assert made.exit_code == 0, made.output
    files = CertificateFolder(folder)
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*.*")) == [
        "client/ca.pem", "client/client.key", "client/client.pem", "scheduler/ca.pem", "scheduler/scheduler.key",
        "scheduler/scheduler.pem", "worker/ca.pem", "worker/worker.key", "worker/worker.pem"]
    ca = certificate(files.ca("scheduler"))
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usages = {}
    for role in ("scheduler", "worker", "client"):
        assert files.ca(role).read_bytes() == files.ca("scheduler").read_bytes()
        signed = certificate(files.certificate(role))
        signed.verify_directly_issued_by(ca)
        key = serialization.load_pem_private_key(files.key(role).read_bytes(), password=None)
        assert key.public_key() == signed.public_key()
        assert stat.S_IMODE(os.stat(files.key(role)).st_mode) == 0o600
        usages[role] = set(signed.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    both_ends = {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert usages == {"scheduler": both_ends, "worker": both_ends, "client": {ExtendedKeyUsageOID.CLIENT_AUTH}}
    names = certificate(files.certificate("scheduler")).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["scheduler.example.org"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("10.0.0.5")]

    printed = [line.strip() for line in made.output.splitlines()]
    assert ("dask scheduler --protocol tls --port 8786 --no-dashboard --tls-ca-file scheduler/ca.pem "
            "--tls-cert scheduler/scheduler.pem --tls-key scheduler/scheduler.key") in printed
    assert ("dask worker tls://scheduler.example.org:8786 --tls-ca-file worker/ca.pem --tls-cert worker/worker.pem "
            "--tls-key worker/worker.key --nthreads 1 --nworkers -1 --no-dashboard") in printed
    assert shlex.join(["keras-course", "grade", "ASSIGNMENT", "--scheduler", "tls://scheduler.example.org:8786",
                       "--certificates", str(folder.resolve())]) in printed
    assert "as an ordinary user (not root)" in made.output
    # The instructors' page shows these very commands, for these hosts.
    manual = (COURSE_ROOT / "docs" / "instructors.md").read_text()
    assert all(line in manual for line in printed if line.startswith(("dask scheduler", "dask worker")))

    again = CliRunner().invoke(main, ["certificates", str(folder), "--hosts", "scheduler.example.org"])
    assert again.exit_code == 2
    assert "already exists and is not an empty folder: make the certificates into a new folder" in again.output


def test_a_host_that_is_not_a_host_name_is_refused_with_the_form_to_give():
    with pytest.raises(ValueError, match=r"'tls://scheduler:8786' is not a host name or an IP address: give the "
                                         r"scheduler's names as --hosts scheduler.example.org,10.0.0.5"):
        parse_hosts("tls://scheduler:8786")
    assert parse_hosts("Scheduler.Example.org, ::1") == ["scheduler.example.org", ipaddress.ip_address("::1")]


def test_the_tls_scheduler_refuses_clients_without_a_certificate_of_the_course_ca(tmp_path):
    """Is the scheduler started as printed reached by the course's client, and refused to a client without a
    certificate (plain tcp://, or TLS without one) and to one holding another CA's certificate?"""
    from distributed import Client
    from distributed.security import Security

    with tls_cluster(tmp_path / "cluster", workers=0) as cluster:
        with Client(cluster.address, security=client_security(cluster.certificates), timeout="30s") as client:
            assert client.scheduler_info()["address"] == cluster.address

        with pytest.raises(OSError):
            Client(cluster.address.replace("tls://", "tcp://"), timeout="5s")

        ca = CertificateFolder(cluster.certificates).ca("client")
        anonymous = ssl.create_default_context(cafile=ca)
        anonymous.check_hostname = False
        host, port = cluster.address.removeprefix("tls://").split(":")
        with pytest.raises(ssl.SSLError, match="CERTIFICATE_REQUIRED"):
            with socket.create_connection((host, int(port)), timeout=10) as raw, anonymous.wrap_socket(raw) as tls:
                tls.recv(1)  # TLS 1.3: the scheduler's refusal comes after the client's side of the handshake

        other = make_certificates(tmp_path / "another course", parse_hosts("127.0.0.1"))
        stranger = Security(require_encryption=True, tls_ca_file=str(ca),
                            tls_client_cert=str(other.certificate("client")), tls_client_key=str(other.key("client")))
        with pytest.raises(OSError):
            Client(cluster.address, security=stranger, timeout="5s")
    refusals = cluster.scheduler_log.read_text()
    assert "peer did not return a certificate" in refusals
    assert "certificate verify failed" in refusals


@pytest.mark.parametrize("address, reach", [
    (f"tcp://{NOWHERE}:8786", f"anyone whose program reaches {NOWHERE}"),
    (f"{NOWHERE}:8786", f"anyone whose program reaches {NOWHERE}"),  # no scheme: Dask's default, tcp
    ("tcp://localhost:8786", "on this machine every account reaches the loopback, each student's on the hub too"),
])
def test_a_plain_tcp_scheduler_is_refused_with_why_and_what_to_do(tmp_path, address, reach):
    started = time.monotonic()
    with pytest.raises(BatchError) as refused:
        grade_class(tmp_path, A1, scheduler=address)
    assert time.monotonic() - started < 5  # refused, not timed out connecting
    said = str(refused.value)
    assert said.startswith(f"refused to grade on {address}: a Dask scheduler over plain tcp:// takes tasks from any "
                           f"program that connects ({reach}) and runs them on every worker as the workers' user.")
    assert "`keras-course certificates FOLDER --hosts HOST`" in said
    assert "--scheduler tls://HOST:8786 --certificates FOLDER" in said


def test_a_loopback_tcp_scheduler_is_refused_before_anything_connects(tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        with pytest.raises(BatchError, match="every account reaches the loopback"):
            grade_class(tmp_path, A1, scheduler=f"tcp://127.0.0.1:{listener.getsockname()[1]}")
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected


def test_a_tls_scheduler_without_a_client_certificate_or_with_a_wrong_folder_is_refused(tmp_path):
    with pytest.raises(BatchError, match="a tls:// scheduler needs the cluster's client certificate: give "
                                         "--certificates FOLDER"):
        grade_class(tmp_path, A1, scheduler=f"tls://{NOWHERE}:8786")
    with pytest.raises(BatchError, match="is not a folder `keras-course certificates` made: it has no .*client.pem"):
        grade_class(tmp_path, A1, scheduler=f"tls://{NOWHERE}:8786", certificates=tmp_path)
    with pytest.raises(BatchError, match="--certificates is for the cluster --scheduler names"):
        grade_class(tmp_path, A1, certificates=tmp_path)


def test_grade_says_why_it_refuses_a_plain_tcp_scheduler(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    result = CliRunner().invoke(main, ["grade", A1, "--course", str(tmp_path), "--scheduler", f"tcp://{NOWHERE}:8786"])
    assert result.exit_code == 2
    assert f"error: refused to grade on tcp://{NOWHERE}:8786" in result.output
