"""The `plancheck` command's entry point: a run handed to the resident process when one
is running (`plancheck daemon start`, `checker.daemon`), else the command line itself.

A check of one file costs a few milliseconds; a process that imports pydantic, the plan
model, click and rich before it can begin costs a few hundred. The resident process has
imported them once; for each run it forks a child that takes this process's standard
streams (passed over the socket), working directory, environment and arguments and runs
the command line exactly as this process would (its umask too), while this one waits for its exit status
and forwards the signals it receives. So this module imports nothing beyond the
interpreter's own built-in modules: what it costs is the interpreter's start.

The resident process is used only when everything that decides how Python would run the
command here is the same there (`identity`: the interpreter, `sys.path`, the flags, the
warning options, the locale's encoding), when its socket is in a directory only this user
can enter, and when the peer on the socket is this user. Anything else, any failure to
reach it, `PLANCHECK_DAEMON=0`, or a platform without `fork` and `SO_PEERCRED`: the
command runs here, as it always did. `PLANCHECK_DAEMON=auto`: a run that finds no resident
process starts one in the background, for the runs after it (each installation has its
own, so the pre-commit hook's environment gets one on its first run). A run already handed over is never run twice: once
the resident process has accepted it, its outcome is this process's.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal's C half, built in: signal.py imports enum (5 ms)
import os
import sys

PROTOCOL = 1
# a message on the socket: its length (8 bytes, big-endian), then marshal's bytes
_LENGTH = 8
_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


def main() -> None:
    status = _through_daemon()
    if status is None:
        from checker.cli import main as command_line

        command_line()
        return
    if status < 0:  # ended by a signal: end as it did, so the shell reports 128 + the signal
        _signal.signal(-status, _signal.SIG_DFL)
        os.kill(os.getpid(), -status)
        status = 128 - status
    sys.exit(status)


def supported() -> bool:
    """Whether this platform can hand a run over: fork, and a Unix socket that tells its
    peer's user (Linux's SO_PEERCRED) and passes file descriptors."""
    import _socket

    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(_socket, "SO_PEERCRED") \
        and hasattr(_socket, "SCM_RIGHTS")


def runtime_directory() -> str:
    """Where the resident process's socket is: `$XDG_RUNTIME_DIR/plancheck` (the user's
    own, as the XDG base directory specification makes it), else `plancheck-UID` in the
    temporary directory. Either is used only when it is this user's alone (`private`)."""
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if base and os.path.isabs(base):
        return os.path.join(base, "plancheck")
    temporary = os.environ.get("TMPDIR", "")
    return os.path.join(temporary if os.path.isabs(temporary) else "/tmp", f"plancheck-{os.getuid()}")


def socket_path() -> str:
    """The socket of the resident process for this installation: one per interpreter and
    plancheck package, so that two virtual environments each have their own."""
    import zlib

    here = f"{sys.executable}\0{os.path.dirname(os.path.abspath(__file__))}".encode("utf-8", "surrogateescape")
    return os.path.join(runtime_directory(), f"{zlib.crc32(here):08x}.sock")


def private(directory: str) -> bool:
    """Whether `directory` is a real directory (not a link) of this user that no one else
    may enter or write to."""
    try:
        status = os.lstat(directory)
    except OSError:
        return False
    return (status.st_mode & 0o170000) == 0o040000 and status.st_uid == os.getuid() and status.st_mode & 0o077 == 0


def identity() -> tuple:
    """What decides how this interpreter runs the command line: the resident process
    serves a run only when its own is the same."""
    import _locale

    encoding = _locale.getencoding() if hasattr(_locale, "getencoding") else ""
    return (PROTOCOL, sys.executable, tuple(sys.path), tuple(sys.flags), tuple(sys.warnoptions),
            tuple(sorted((str(key), str(value)) for key, value in sys._xoptions.items())), encoding,
            sys.getfilesystemencoding(), sys.getfilesystemencodeerrors(), os.path.dirname(os.path.abspath(__file__)))


def connect(path: str):
    """A connected socket to the resident process at `path`, or None: the socket must be
    this user's, in a private directory, and the peer this user too."""
    import _socket

    if not private(os.path.dirname(path)):
        return None
    try:
        status = os.lstat(path)
    except OSError:
        return None  # no resident process: the common case costs this one lstat
    if (status.st_mode & 0o170000) != 0o140000 or status.st_uid != os.getuid():
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
        if peer_uid(sock) != os.getuid():
            raise OSError("the peer is another user")
    except OSError:
        sock.close()
        return None
    return sock


def peer_uid(sock) -> int:
    """The user of the process at the other end of a Unix socket (struct ucred: pid, uid, gid)."""
    import _socket

    credentials = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return int.from_bytes(credentials[4:8], sys.byteorder)


def send(sock, message: object, fds: tuple[int, ...] = ()) -> None:
    import _socket
    import marshal

    data = marshal.dumps(message)  # type: ignore[arg-type]  # what marshal takes: the messages are plain data
    data = len(data).to_bytes(_LENGTH, "big") + data
    ancillary = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, b"".join(fd.to_bytes(4, sys.byteorder) for fd in fds))] \
        if fds else []
    sent = sock.sendmsg([data], ancillary)
    if sent < len(data):
        sock.sendall(data[sent:])


def receive(sock, fds: int = 0) -> tuple[object, list[int]] | None:
    """The next message, and the file descriptors that came with it (at most `fds`), or
    None at the end of the stream. A message that cannot be read is an OSError."""
    import _socket
    import marshal

    space = _socket.CMSG_SPACE(4 * fds) if fds else 0
    head, ancillary, _, _ = sock.recvmsg(_LENGTH, space)
    received: list[int] = []
    for level, kind, data in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            received += [int.from_bytes(data[i:i + 4], sys.byteorder) for i in range(0, len(data) - len(data) % 4, 4)]
    if not head:
        return None
    while len(head) < _LENGTH:
        more = sock.recv(_LENGTH - len(head))
        if not more:
            raise OSError("a message cut short")
        head += more
    size = int.from_bytes(head, "big")
    if size > 1 << 26:
        raise OSError("a message too long")
    body = bytearray()
    while len(body) < size:
        more = sock.recv(min(size - len(body), 1 << 20))
        if not more:
            raise OSError("a message cut short")
        body += more
    try:
        return marshal.loads(bytes(body)), received
    except (ValueError, EOFError, TypeError) as error:
        raise OSError(f"a message that cannot be read: {error}") from None


def _streams() -> list[tuple[str, str]] | None:
    """Each standard stream's encoding and error handler, as the run would write with them
    here; None when one is closed (the run then stays here)."""
    out = []
    for stream, fd in ((sys.stdin, 0), (sys.stdout, 1), (sys.stderr, 2)):
        try:
            os.fstat(fd)
        except OSError:
            return None
        if stream is None or not hasattr(stream, "encoding"):
            return None
        out.append((str(stream.encoding), str(stream.errors)))
    return out


def _through_daemon() -> int | None:
    """The run's exit status once the resident process ran it (negative: the signal that
    ended it), or None when it is to run here. With PLANCHECK_DAEMON=auto, a run that
    finds none starts one for the runs after it (this one runs here meanwhile)."""
    wanted = os.environ.get("PLANCHECK_DAEMON", "").lower()
    if wanted in ("0", "off", "no", "false") or "daemon" in sys.argv[1:]:
        return None
    if not supported():
        return None
    streams = _streams()
    if streams is None:
        return None
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    sock = connect(socket_path())
    if sock is None:
        if wanted == "auto":
            _start_in_background()
        return None
    try:
        mask = os.umask(0o077)  # read by setting it: set back at once
        os.umask(mask)
        return _handed_over(sock, {"command": "run", "identity": identity(), "argv": list(sys.argv), "cwd": cwd,
                                   "env": dict(os.environ), "streams": streams, "umask": mask})
    finally:
        sock.close()


def _start_in_background() -> None:
    """`plancheck daemon start`, detached (its own session, its output discarded), through
    the console script this run was started by, so that the resident process's interpreter
    set-up is this one's. Only from the console script: `python -m checker` would put the
    package's own directory first on the path of what it started."""
    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if not os.path.basename(script).startswith("plancheck") or not os.path.isfile(script):
        return
    null = os.devnull
    actions = [(os.POSIX_SPAWN_OPEN, fd, null, os.O_RDWR, 0) for fd in (0, 1, 2)]
    try:  # noqa: SIM105 - contextlib is not imported here: this module imports only built-in ones
        os.posix_spawn(sys.executable, [sys.executable, script, "daemon", "start"], os.environ,
                       file_actions=actions, setsid=True)
    except OSError:
        pass  # not started: each run runs in its own process, as without it


def _handed_over(sock, request: dict) -> int | None:
    try:
        send(sock, request, (0, 1, 2))
        reply = receive(sock)
    except OSError:
        return None  # not accepted: nothing ran there
    if reply is None or not isinstance(reply[0], dict) or not isinstance(reply[0].get("pid"), int):
        return None  # refused (another identity, its code changed since it started), or gone
    child = reply[0]["pid"]

    def forward(signum, frame):
        os.kill(child, signum)

    previous = {}
    for name in _SIGNALS:
        signum = getattr(_signal, name, None)
        if signum is not None:
            previous[signum] = _signal.signal(signum, forward)
    try:
        outcome = receive(sock)
    except OSError:
        outcome = None
    finally:
        for signum, handler in previous.items():
            _signal.signal(signum, handler)
    if outcome is None or not isinstance(outcome[0], dict) or not isinstance(outcome[0].get("exit"), int):
        _lost()
        return 2
    return outcome[0]["exit"]


def _lost() -> None:
    """The resident process ended while it ran this run: what the run wrote is out, its
    exit status is not known."""
    from checker.cli import default_lang
    from checker.messages import say

    sys.stderr.write(say("daemon_lost", default_lang()) + "\n")
    sys.stderr.flush()
