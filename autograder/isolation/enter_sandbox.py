"""Run a command inside a sandbox's namespaces: `python -I -S enter_sandbox.py PID COMMAND...`.

What util-linux's `nsenter --target PID --user --mount --net --ipc --uts --pid` does, for a
sandbox whose keeper (process PID) runs in a user namespace nested in the one that owns its
other namespaces: bubblewrap's `--disable-userns` puts the sandbox in such a nested namespace,
where no process can make a user namespace of its own (and so no tmpfs outside its limits).
nsenter (util-linux 2.38) enters the user namespace it is pointed at first, from which the
others cannot be entered; this enters their owner, then the IPC, UTS, network, mount and PID
namespaces, then the nested user namespace. As root, where the sandbox has no user namespace,
it enters the others only.

The command starts as a child in the sandbox's PID namespace; this process waits for it and
exits as it did, and passes SIGINT, SIGTERM and SIGHUP on to it. Standard library only, and no
import of the course (`-I -S`): it runs as the grader, before anything of the sandbox is there.
"""

import ctypes
import os
import signal
import sys

NS_GET_USERNS = 0xB701  # ioctl: the user namespace that owns a namespace (linux/nsfs.h)
OTHER_NAMESPACES = ("ipc", "uts", "net", "mnt", "pid")

_libc = ctypes.CDLL(None, use_errno=True)


def _setns(descriptor, name):
    if _libc.setns(descriptor, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"cannot enter the sandbox's {name} namespace: {os.strerror(number)}")


def enter(pid):
    """Enter the namespaces of process `pid` (its children will be in its PID namespace)."""
    opened = {name: os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY) for name in ("user", *OTHER_NAMESPACES)}
    other_user_namespace = os.readlink(f"/proc/{pid}/ns/user") != os.readlink("/proc/self/ns/user")
    if other_user_namespace:
        owner = _libc.ioctl(opened["ipc"], NS_GET_USERNS)
        if owner < 0:
            number = ctypes.get_errno()
            raise OSError(number, f"cannot find the sandbox's user namespace: {os.strerror(number)}")
        _setns(owner, "owning user")
    for name in OTHER_NAMESPACES:
        _setns(opened[name], name)
    if other_user_namespace:
        _setns(opened["user"], "user")


def main(argv):
    pid, command = argv[1], argv[2:]
    enter(pid)
    child = os.fork()
    if child == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda received, frame: os.kill(child, received))
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    code = main(sys.argv)
    sys.exit(code if code >= 0 else 128 - code)
