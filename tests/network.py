"""What the tests' own servers (JupyterLab, PostgreSQL) need of the network: a free port on 127.0.0.1."""

import socket


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
