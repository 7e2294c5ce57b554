"""The resident process (`plancheck daemon start`): the command line's modules imported
once, a child forked for each run that `checker.launch` hands over.

Why a fork server: most of a one-file check, or of the pre-commit hook's run, is Python
importing pydantic, the plan model, click and rich; what the run itself does is a few
milliseconds to a few tenths of a second. A child forked from a process that has imported
them starts with them; and since each run is its own child, nothing of one run (its
caches, its settings, a module's state) is ever seen by the next, and a run that fails
or is killed takes nothing else with it. The child takes the client's standard streams
(passed over the socket), working directory, environment and arguments, and runs
`checker.cli.main` as the console script would; the resident process sends its exit
status when it ends (however it ends).

What it trusts: only this user. The socket is in a directory that only this user may
enter (`checker.launch.private`), the peer on it must be this user (SO_PEERCRED), and a
run is served only when the client's interpreter would run the command as this process
does (`checker.launch.identity`). It reads nothing of a repository, and keeps nothing
between runs. When plancheck's code (any module it imported) changes on disk, it serves
no more runs and ends; it also ends after a time without runs (`--idle-timeout`), on
`plancheck daemon stop`, and on SIGTERM.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import select
import signal
import sys
import time
from typing import Any

from checker import launch

DEFAULT_IDLE_MINUTES = 60
# a client that connects and says nothing is dropped after this long
REQUEST_TIMEOUT_S = 10.0
# never imported before a fork: a module that runs something when imported, or the
# language server (its threads), or this resident machinery itself
_NOT_PRELOADED = ("checker.__main__", "checker.server", "checker.daemon", "checker.launch")


def ask(command: str, path: str | None = None) -> dict | None:
    """The reply of the resident process at `path` (default: this installation's) to
    `command` (`status`, `stop`), or None when none answers."""
    sock = launch.connect(path or launch.socket_path())
    if sock is None:
        return None
    try:
        sock.settimeout(REQUEST_TIMEOUT_S)
        launch.send(sock, {"command": command})
        reply = launch.receive(sock)
    except OSError:
        return None
    finally:
        sock.close()
    return reply[0] if reply is not None and isinstance(reply[0], dict) else None


def status() -> dict | None:
    """What the resident process for this installation says of itself, or None when none
    answers."""
    return ask("status")


def stop() -> int | None:
    """Ask the resident process to end; its pid, or None when none answered."""
    reply = ask("stop")
    pid = reply.get("pid") if reply is not None else None
    return pid if isinstance(pid, int) else None


def prepare_directory() -> str:
    """The runtime directory, made private (0700) when it is new; an OSError when it is
    anything but this user's alone (another's, a link, open to others)."""
    directory = launch.runtime_directory()
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, 0o700)
    if not launch.private(directory):
        raise PermissionError(errno.EPERM, "not a directory of this user's alone (mode 0700)", directory)
    return directory


def start(idle_s: float) -> int:
    """Start the resident process in the background; its pid once it accepts runs. An
    OSError when it cannot (its message says why). Only where `launch.supported()`."""
    prepare_directory()
    for stream in (sys.stdout, sys.stderr):  # nothing this process has to write is written twice
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    ready_read, ready_write = os.pipe()
    first = os.fork()
    if first == 0:  # the first child: a new session, and the resident process forked from it
        os.close(ready_read)
        try:
            os.setsid()
            if os.fork() == 0:
                _resident(idle_s, ready_write)  # never returns
        finally:
            os._exit(0)
    os.close(ready_write)
    os.waitpid(first, 0)
    with os.fdopen(ready_read, "rb") as ready:
        said = ready.read().decode("utf-8", "replace")
    if said.startswith("ready "):
        return int(said.split()[1])
    raise OSError(errno.EIO, said or "the resident process ended before it was ready")


def _resident(idle_s: float, ready_fd: int) -> None:
    """The resident process: detached, its modules imported, serving until told to stop."""
    try:
        identity = launch.identity()  # as the command started, before anything imported can touch sys.path
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        os.chdir("/")
        _preload()
        server = _Server(idle_s, identity)
        os.write(ready_fd, f"ready {os.getpid()}".encode())
    except BaseException as error:  # noqa: BLE001 - told to the starting process, which says it
        with contextlib.suppress(OSError):
            os.write(ready_fd, f"{type(error).__name__}: {error}".encode("utf-8", "replace"))
        os._exit(1)
    os.close(ready_fd)
    try:
        server.serve()
    finally:
        server.close()
        os._exit(0)


def _preload() -> None:
    """Import what a run may import: every module of the package but `_NOT_PRELOADED`, and
    every module those import anywhere, at the top or inside a function (read from their
    source: the command line defers most of its imports to where they are needed, and a
    child would otherwise import them again on every run). Then move it all out of the
    collector's sight: a child's collector never walks it, and so never writes to the
    pages it shares with this process."""
    import gc
    import pkgutil

    import checker

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as checker.cli.main sets it
    names = [module.name for module in pkgutil.walk_packages(checker.__path__, "checker.")
             if module.name not in _NOT_PRELOADED]
    for name in names:
        _import_quietly(name)
    imported = {name for module in names if module in sys.modules for name in _imports_in(sys.modules[module])}
    for name in sorted(imported):
        if not name.startswith(_NOT_PRELOADED):
            _import_quietly(name)
    from checker import cache, fastload, loader
    from checker.patterns import LazyPattern

    fastload.available()
    loader._plain_resolver()  # ruamel's typing of plain scalars, its patterns compiled here once
    _prepare_validators()
    cache.code_fingerprint()  # every file it covers is watched (`code_state`)
    for name in names:  # compiled here once, not in every child (the patterns are constants)
        for value in list(vars(sys.modules.get(name, fastload)).values()):
            if isinstance(value, LazyPattern):
                value.pattern  # noqa: B018 - its first use compiles it
    gc.collect()
    gc.freeze()


def _prepare_validators() -> None:
    """Every model of the package with its validator built (as pydantic builds it, kept in
    a cache of this process's memory): a child never reads one from the cache, as a run in
    its own process does for each model on its path."""
    from pydantic import BaseModel

    from checker import model
    from checker.cache import MemoryCache

    kept = MemoryCache("resident")
    model.build_validator(kept)
    models, stack = [], list(BaseModel.__subclasses__())
    while stack:
        each = stack.pop()
        stack.extend(each.__subclasses__())
        if each.__module__.startswith("checker.") and not each.__pydantic_generic_metadata__.get("origin"):
            models.append(each)
    for each in sorted(set(models), key=lambda each: f"{each.__module__}.{each.__qualname__}"):
        with contextlib.suppress(Exception):  # one pydantic cannot build yet (a forward reference): built when used
            model._install_validator(each, kept)
    kept_alive.append(kept)


# the memory cache the models' validators were kept in: referred to weakly by the model
# module while a run holds it, so held here for the children's runs' sake
kept_alive: list[Any] = []


def _import_quietly(name: str) -> None:
    with contextlib.suppress(Exception):  # an optional extra not installed: the run says so, if it needs it
        importlib.import_module(name)


def _imports_in(module: Any) -> set[str]:
    """The absolute names a module's source imports, wherever in it."""
    import ast

    path = getattr(module, "__file__", None)
    try:
        with open(path, "rb") as source:  # type: ignore[arg-type]
            tree = ast.parse(source.read())
    except (OSError, TypeError, SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # a submodule, when it is one
    return names


def code_state() -> tuple:
    """Each imported module's file and its stat, and every file the cache's code
    fingerprint covers (`checker.cache.code_files`: a child uses the fingerprint made
    here), to see whether plancheck's code (or a library's) changed on disk since."""
    from checker.cache import code_files

    files = {path for module in list(sys.modules.values()) if isinstance(path := getattr(module, "__file__", None), str)}
    files.update(str(path) for _, path in code_files())
    return tuple((path, _file_stat(path)) for path in sorted(files))


def code_moved(state: tuple) -> bool:
    return any(_file_stat(path) != was for path, was in state)


def _file_stat(path: str) -> tuple[int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


# in a child running a run: the resident process's pid (`-v` says the run was handed over)
serving: int | None = None


class _Server:
    """The listening socket, the children running, and when to stop."""

    def __init__(self, idle_s: float, identity: tuple) -> None:
        import socket

        self.idle_s = idle_s
        self.identity = identity
        self.code = code_state()
        self.started = time.time()
        self.served = 0
        self.running: dict[int, Any] = {}  # pid -> the client's socket
        self.stopping = False
        self.path = launch.socket_path()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._bind()
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)
        self.waiting: list[Any] = [self.listener, self.wake_read]
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.signal(signal.SIGTERM, self._stop_signal)
        signal.signal(signal.SIGINT, self._stop_signal)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def _bind(self) -> None:
        """Bound under a name of its own, then linked to the socket's name, which fails
        when it exists: of two resident processes started at once, one wins. A name left
        by one that died (nothing answers on it) is replaced."""
        own = f"{self.path}.{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(own)
        self.listener.bind(own)
        self.listener.listen(64)
        try:
            for _ in range(2):
                try:
                    os.link(own, self.path)
                    break
                except FileExistsError:
                    if status() is not None:
                        raise OSError(errno.EEXIST, "another resident process is running", self.path) from None
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self.path)
            else:
                raise OSError(errno.EEXIST, "the socket's name is taken", self.path)
        finally:
            os.unlink(own)
        self.inode = os.lstat(self.path).st_ino

    def _stop_signal(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def serve(self) -> None:
        last = time.monotonic()
        while True:
            if self.running:
                timeout = None
            elif self.stopping:
                return
            else:
                timeout = self.idle_s - (time.monotonic() - last)
                if timeout <= 0:
                    return
            try:
                ready, _, _ = select.select(self.waiting, [], [], timeout)
            except InterruptedError:
                continue
            if self.wake_read in ready:
                with contextlib.suppress(BlockingIOError):
                    while os.read(self.wake_read, 512):
                        pass
            self._reap()
            if self.listener in ready and not self.stopping:
                try:
                    conn, _ = self.listener.accept()
                except OSError:
                    continue
                self._request(conn)
                last = time.monotonic()

    def _reap(self) -> None:
        while self.running:
            try:
                pid, wait_status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.running.pop(pid, None)
            if conn is not None:
                with contextlib.suppress(OSError):
                    launch.send(conn, {"exit": os.waitstatus_to_exitcode(wait_status)})
                conn.close()

    def _request(self, conn: Any) -> None:
        fds: list[int] = []
        try:
            conn.settimeout(REQUEST_TIMEOUT_S)
            if launch.peer_uid(conn) != os.getuid():
                raise OSError(errno.EPERM, "a client of another user")
            got = launch.receive(conn, 3)
            if got is None:
                raise OSError(errno.EPROTO, "nothing asked")
            request, fds = got
            if not isinstance(request, dict):
                raise OSError(errno.EPROTO, "not a request")
            command = request.get("command")
            if command == "status":
                launch.send(conn, {"pid": os.getpid(), "started": self.started, "served": self.served,
                                   "running": len(self.running), "idle_s": self.idle_s,
                                   "socket": self.path})
            elif command == "stop":
                self.stopping = True
                launch.send(conn, {"pid": os.getpid()})
            elif command == "run" and self._serves(request, fds, conn):
                return  # the child has the client; the exit status is sent when it ends
        except (OSError, ValueError):
            pass
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
        conn.close()  # answered, refused or dropped (a run served returned above: its child has the client)

    def _serves(self, request: dict, fds: list[int], conn: Any) -> bool:
        """Fork the child for a run, when this process may serve it; False when it was
        refused (the client then runs it itself)."""
        if request.get("identity") != self.identity or len(fds) != 3 or not _well_formed(request) \
                or request["env"].get("PYDANTIC_DISABLE_PLUGINS", "__all__") != "__all__":
            # (pydantic plugins asked for: the validators here were built without them)
            launch.send(conn, {"refused": "identity"})
            return False
        if code_moved(self.code):
            self.stopping = True  # what it imported is not what is on disk any more: never again
            launch.send(conn, {"refused": "code"})
            return False
        pid = os.fork()
        if pid == 0:
            _child(request, fds, (self.listener.fileno(), self.wake_read, self.wake_write, conn.fileno()))
        self.served += 1
        conn.settimeout(None)
        launch.send(conn, {"pid": pid})
        self.running[pid] = conn
        return True

    def close(self) -> None:
        """The socket's name removed, when it is still this process's."""
        with contextlib.suppress(OSError):
            if os.lstat(self.path).st_ino == self.inode:
                os.unlink(self.path)
        self.listener.close()


def _well_formed(request: dict) -> bool:
    argv, env, streams = request.get("argv"), request.get("env"), request.get("streams")
    return (isinstance(request.get("cwd"), str) and isinstance(request.get("umask"), int)
            and 0 <= request["umask"] <= 0o777 and isinstance(argv, list) and all(isinstance(a, str) for a in argv)
            and isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
            and isinstance(streams, list) and len(streams) == 3
            and all(isinstance(s, tuple) and len(s) == 2 and all(isinstance(p, str) for p in s) for s in streams))


def _child(request: dict, fds: list[int], inherited: tuple[int, ...]) -> None:
    """The run, in the forked child: the client's streams, directory, environment and
    arguments, then `checker.cli.main` as the console script runs it. Never returns."""
    global serving
    code = 2
    try:
        serving = os.getppid()
        signal.set_wakeup_fd(-1)
        for fd in inherited:
            with contextlib.suppress(OSError):
                os.close(fd)
        # as the interpreter starts: SIGINT raises KeyboardInterrupt, the rest as the system has them
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        _standard_streams(request["streams"])
        os.chdir(request["cwd"])
        os.umask(request["umask"])  # the files the run writes (a report, a fix) are made as the client's would be
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = list(request["argv"])
        code = _run()
    except BaseException:  # noqa: BLE001 - the child must end here whatever happened
        with contextlib.suppress(BaseException):
            import traceback

            traceback.print_exc()
    finally:
        os._exit(code)


def _standard_streams(streams: list[tuple[str, str]]) -> None:
    """sys.stdin, stdout and stderr over the client's descriptors, as the interpreter makes
    them on this platform (newlines untranslated; stdout line-buffered on a terminal, stderr
    always), with the client's encodings and error handlers."""
    import io

    made = []
    for fd, (encoding, errors) in enumerate(streams):
        raw = io.FileIO(fd, "rb" if fd == 0 else "wb", closefd=False)
        buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
        line_buffering = fd == 2 or (fd == 1 and raw.isatty())
        stream = io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline="\n",
                                  line_buffering=line_buffering)
        stream.mode = "r" if fd == 0 else "w"  # type: ignore[misc]  # as the interpreter's own say
        made.append(stream)
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made  # type: ignore[misc]


def _run() -> int:
    """`checker.cli.main()` as the interpreter would run it: its exit status as the
    interpreter would make it of a SystemExit, an exception printed as a traceback, the
    exit handlers run and the streams flushed."""
    import atexit

    from checker.cli import main

    code = 0
    try:
        main()
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except KeyboardInterrupt:
        import traceback

        traceback.print_exc()
        code = -signal.SIGINT
    except BaseException:  # noqa: BLE001 - as the interpreter reports an uncaught exception
        import traceback

        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120  # the interpreter's status when it cannot flush the standard streams
    if code < 0:  # ended by the signal, as the interpreter ends on an uncaught KeyboardInterrupt
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


def _exit_code(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    with contextlib.suppress(BaseException):
        sys.stderr.write(f"{value}\n")
    return 1
