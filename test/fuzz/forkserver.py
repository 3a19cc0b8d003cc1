"""A fork server for the fuzzers: the tools' start-up paid once, not per case.

Most of a case's time as a subprocess (`python -m gasync.tools.opt ...`) is
Python and MLIR starting: the interpreter, numpy, the bindings, gasync. The
server is one process that imports all of that once and then forks a child
per case. The child points descriptors 0, 1 and 2 at the case's files (the
stdio objects it inherited write to those descriptors), sets `sys.argv`,
calls the tool's `main()` as `python -m` would, and exits with its status.
The server reports how each child ended (its exit code, or minus the signal
that killed it, as `subprocess` reports it); a child has a CPU limit
(RLIMIT_CPU, as core.py gives a subprocess) and the server kills its
process group with SIGKILL when it runs past its wall-clock time, so the
classification of core.py sees the same things as from a subprocess.

Forking is safe only while the server has one thread and holds no MLIR
context: it imports modules and nothing more (numpy's OpenBLAS starts a
thread pool on import unless told to use one thread, so the server is
started with OPENBLAS_NUM_THREADS=1), and it refuses to serve if a second
thread exists. Each child builds its own context (the driver's Compilation
turns MLIR's multithreading off in it).

What a fork cannot reproduce runs as a subprocess instead (core.py decides):
a closed stdin, a stdout that fails every write, anything about the
process's own start.

The server is this file run as a script; `ForkServer` (the client) starts
it and may be used from several threads at once. Protocol: one JSON object
per line each way, over two pipes; a request names the module, argv, the
working directory, the stdio files and the time limits; the reply gives the
status and whether the wall-clock time ran out.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import importlib
import json
import math
import os
import resource
import selectors
import signal
import subprocess
import sys
import threading
import time
import traceback


# Server side (a script: the standard library and the modules it is told to import) ----

def limit_cpu(seconds: float) -> None:
    """This process gets SIGXCPU after `seconds` of CPU time (SIGKILL 5 s later)."""
    soft = max(1, math.ceil(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))


def _exit_status(code) -> int:
    """The process exit status that `sys.exit(code)` gives."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _child(request: dict) -> None:
    """Run one case in this (forked) process and exit; never returns."""
    status = 1
    try:
        os.setsid()  # its own process group, so a hang is killed with all it started
        limit_cpu(request["cpu_limit"])
        os.chdir(request["cwd"])
        for fd, path, flags in ((0, request["stdin"], os.O_RDONLY),
                                (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            opened = os.open(path, flags, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the server's pipes and pidfds
        module = importlib.import_module(request["module"])
        sys.argv = [module.__file__, *request["args"]]
        try:
            status = _exit_status(module.main())  # as `python -m`: sys.exit(main())
        except SystemExit as e:
            status = _exit_status(e.code)
        except BaseException:  # what the interpreter does with an uncaught exception
            sys.excepthook(*sys.exc_info())
            status = 1
        # The interpreter's own exit: exit handlers, then the streams flushed;
        # a stdout that cannot be flushed is exit 120.
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception as e:
                if stream is sys.stdout:
                    print(f"Exception ignored in: {stream!r}\n{type(e).__name__}: {e}",
                          file=sys.stderr)
                    status = 120
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(status)


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def serve(request_fd: int, reply_fd: int, modules: list[str]) -> None:
    for name in modules:
        importlib.import_module(name)
    if _threads() != 1:
        raise SystemExit(f"fork server: {_threads()} threads after the imports; forking is unsafe")
    import gc
    gc.freeze()  # the imported objects stay shared with the children (no copy on write by gc)

    selector = selectors.DefaultSelector()
    selector.register(request_fd, selectors.EVENT_READ, None)
    running: dict[int, list] = {}  # pidfd -> [request id, pid, deadline, timed out]
    pending = b""
    reply = os.fdopen(reply_fd, "w", buffering=1)
    open_requests = True
    while open_requests or running:
        now = time.monotonic()
        wait = min((r[2] for r in running.values() if not r[3]), default=None)
        events = selector.select(None if wait is None else max(0.0, wait - now))
        for key, _ in events:
            if key.data is None:
                chunk = os.read(request_fd, 1 << 16)
                if not chunk:  # the client is gone: so are its cases
                    open_requests = False
                    selector.unregister(request_fd)
                    for pidfd, (_, pid, _, _) in running.items():
                        os.killpg(pid, signal.SIGKILL)
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    request = json.loads(line)
                    sys.stdout.flush()
                    sys.stderr.flush()
                    pid = os.fork()
                    if pid == 0:
                        _child(request)
                    pidfd = os.pidfd_open(pid)
                    running[pidfd] = [request["id"], pid, time.monotonic() + request["wall_limit"],
                                      False]
                    selector.register(pidfd, selectors.EVENT_READ, pidfd)
            else:
                pidfd = key.data
                ident, pid, _, timed_out = running.pop(pidfd)
                selector.unregister(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                if open_requests:
                    reply.write(json.dumps({"id": ident, "returncode": os.waitstatus_to_exitcode(status),
                                            "timed_out": timed_out}) + "\n")
        now = time.monotonic()
        for record in running.values():
            if not record[3] and now >= record[2]:
                record[3] = True
                try:
                    os.killpg(record[1], signal.SIGKILL)
                except ProcessLookupError:
                    pass


# Client side ------------------------------------------------------------------------

class ForkServerDied(RuntimeError):
    pass


class ForkServer:
    """A running server that has imported `modules`; `run` a case through it."""

    def __init__(self, modules: list[str]):
        request_r, self._request_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), str(request_r), str(reply_w), *modules],
            pass_fds=(request_r, reply_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            env=env)
        os.close(request_r)
        os.close(reply_w)
        self._requests = os.fdopen(self._request_w, "w", buffering=1)
        self._lock = threading.Lock()
        self._waiting: dict[int, concurrent.futures.Future] = {}
        self._next_id = 0
        self._dead: str | None = None
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()

    def _read_replies(self) -> None:
        with os.fdopen(self._reply_r, "r") as replies:
            for line in replies:
                reply = json.loads(line)
                with self._lock:
                    future = self._waiting.pop(reply["id"])
                future.set_result((reply["returncode"], reply["timed_out"]))
        status = self.proc.wait()
        with self._lock:
            self._dead = f"the fork server exited with status {status}"
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            future.set_exception(ForkServerDied(self._dead))

    def run(self, module: str, args: list[str], cwd: str, stdin: str, stdout: str,
            stderr: str, cpu_limit: float, wall_limit: float) -> tuple[int, bool]:
        """(return code, timed out) of `python -m module *args` run in `cwd` with
        its stdio on those files: SIGXCPU after `cpu_limit` CPU seconds, SIGKILL
        (timed out) after `wall_limit` seconds."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._lock:
            if self._dead:
                raise ForkServerDied(self._dead)
            ident = self._next_id
            self._next_id += 1
            self._waiting[ident] = future
            self._requests.write(json.dumps(
                {"id": ident, "module": module, "args": args, "cwd": cwd, "stdin": stdin,
                 "stdout": stdout, "stderr": stderr, "cpu_limit": cpu_limit,
                 "wall_limit": wall_limit}) + "\n")
        return future.result()

    def close(self) -> None:
        """Stop the server (it kills any case still running)."""
        with self._lock:
            if not self._requests.closed:
                self._requests.close()
        self.proc.wait()
        self._reader.join()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
