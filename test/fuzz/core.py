"""What the three fuzzers share: the seed corpus, running a case in a child
process, classifying its outcome, and minimising what it finds.

A case is fully determined by (fuzzer, seed): `make_case` of a fuzzer module
rebuilds it, so a seed number is a reproducer. A case runs one tool
(`gasync-opt` or `gasync-run`) in a child process, so a signal or an abort is
seen as such, with a wall-clock limit: by default a child forked from a
server that imported the tools once (forkserver.py), else a subprocess that
starts Python and MLIR anew (the cases a fork cannot reproduce, and the
cross-check of the two).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import dataclasses
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterable

from .forkserver import ForkServer, limit_cpu

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {"gasync-opt": "gasync.tools.opt", "gasync-run": "gasync.tools.run"}
INPUT = "{input}"
"""Stands for the case's input file in its argument list."""

# Outcome classes, in the order reports list them. The last four are defects.
OK, LOCATED, UNLOCATED, TRACEBACK, SIGNAL, HANG = (
    "ok", "located error", "unlocated error", "traceback", "signal", "hang")
CLASSES = (OK, LOCATED, UNLOCATED, TRACEBACK, SIGNAL, HANG)
BAD = (UNLOCATED, TRACEBACK, SIGNAL, HANG)

DEFAULT_TIMEOUT = 30.0
"""CPU seconds a run may use before it counts as a hang. A CPU limit, not a
wall-clock one: on a machine shared with other work a case waits for a core
far longer than it computes, and a wall-clock limit would call slow cases
hangs there and not on a quiet machine."""
WALL_FACTOR = 10
"""A run that takes this many times its CPU limit in wall-clock time hangs too
(blocked, using no CPU)."""


@dataclasses.dataclass
class Case:
    """One run of one tool."""

    fuzzer: str
    seed: int
    tool: str
    args: list[str]
    """The tool's arguments; `INPUT` stands for the path of `data`."""
    data: bytes | None = None
    """The input file's contents (None: the arguments name no generated file)."""
    stdin: str = "devnull"
    """'devnull', 'closed' or 'input' (the input file's contents on stdin)."""
    stdout: str = "pipe"
    """'pipe' or 'full' (/dev/full: every write fails)."""
    origin: str = ""
    """What the case was made from (a seed file and the mutations), for the report."""

    def command(self, input_path: str = "case.mlir") -> str:
        """The shell command that reproduces the case with `data` saved at `input_path`."""
        argv = [self.tool] + [a.replace(INPUT, input_path) for a in self.args]
        text = " ".join(shlex.quote(a) for a in argv)
        if self.stdin == "closed":
            text += " <&-"
        elif self.stdin == "input":
            text += f" < {shlex.quote(input_path)}"
        if self.stdout == "full":
            text += " > /dev/full"
        return text


@dataclasses.dataclass
class Outcome:
    cls: str
    signature: str
    """What tells one defect from another within a class (see `signature`)."""
    returncode: int | None
    stderr: str

    @property
    def bad(self) -> bool:
        return self.cls in BAD


# Classification ----------------------------------------------------------

_LOCATED = re.compile(r"^\S.*?:\d+(:\d+)?: error: ")
_TOOL_OWN = re.compile(r"^(usage: )?gasync-(opt|run)\b")
_ERROR_LINE = re.compile(r"(^|: )error: |^LLVM ERROR: |Assertion .* failed|^gasync-(opt|run): ")
_ENTRY_ERROR = re.compile(r"^\S+: error: no top-level func\.func named '.*' to run$")
"""gasync-run's message about a wrong --entry: the command line is at fault, so
there is no line of the file to point at."""
_INTERNAL = re.compile(r"internal error")


def _normalise(text: str) -> str:
    """A message without the parts that vary from case to case."""
    text = re.sub(r"'[^']*'", "'_'", text)
    text = re.sub(r"\"[^\"]*\"", '"_"', text)
    text = re.sub(r"0x[0-9a-fA-F]+|\d+", "N", text)
    return text.strip()[:120]


def _traceback_signature(stderr: str) -> str:
    lines = stderr.splitlines()
    frames = [l for l in lines if l.startswith('  File "')]
    last = next((l for l in reversed(lines) if re.match(r"^[A-Za-z_.]+(Error|Exception|Exit|Interrupt)\b", l)),
                "")
    where = ""
    if frames:
        m = re.match(r'  File "([^"]+)", line \d+, in (\S+)', frames[-1])
        if m:
            where = f"{Path(m.group(1)).name}:{m.group(2)}"
    return f"{last.split(':')[0]} at {where}"


def classify(returncode: int | None, stderr: str, timed_out: bool) -> Outcome:
    """The outcome class of a finished (or timed out) run and its signature."""
    if timed_out or returncode == -signal.SIGXCPU:
        return Outcome(HANG, "hang", returncode, stderr)
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        cause = next((l for l in stderr.splitlines() if "Assertion" in l or "LLVM ERROR" in l
                      or "Fatal Python error" in l or "terminate called" in l), "")
        cause = re.sub(r"^.*?(Assertion|LLVM ERROR|Fatal Python error|terminate called)", r"\1", cause)
        return Outcome(SIGNAL, f"{name}: {_normalise(cause)}", returncode, stderr)
    if "Traceback (most recent call last)" in stderr:
        return Outcome(TRACEBACK, _traceback_signature(stderr), returncode, stderr)
    internal = next((l for l in stderr.splitlines() if _INTERNAL.search(l)), None)
    if internal is not None:
        # A Python exception the tools caught and printed: a traceback in disguise.
        return Outcome(TRACEBACK, _normalise(re.sub(r"^.*?internal error", "internal error",
                                                    internal)), returncode, stderr)
    error_lines = [l for l in stderr.splitlines() if _ERROR_LINE.search(l)]
    unlocated = [l for l in error_lines
                 if not (_LOCATED.match(l) or _TOOL_OWN.match(l) or _ENTRY_ERROR.match(l))]
    if unlocated:
        return Outcome(UNLOCATED, _normalise(unlocated[0]), returncode, stderr)
    if returncode == 0:
        return Outcome(OK, "ok", returncode, stderr)
    if not error_lines:
        return Outcome(UNLOCATED, f"exit {returncode} without an error message", returncode, stderr)
    return Outcome(LOCATED, "located", returncode, stderr)


# Running -----------------------------------------------------------------

FORK, SUBPROCESS = "fork", "subprocess"
MODES = (FORK, SUBPROCESS)
"""How a case runs: forked from a server that imported the tools once
(forkserver.py), or as a subprocess of its own."""

PRELOAD = (*TOOLS.values(), "gasync.pipeline.driver", "mlir.execution_engine", "mlir.runtime",
           "mlir.dialects.builtin", "mlir.dialects.memref", "locale")
"""What the fork server imports: the tools and what they import lazily on the
way to a result (each of these is paid per case otherwise)."""

_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server() -> ForkServer:
    """The process's fork server, started on first use."""
    global _server
    with _server_lock:
        if _server is None:
            _server = ForkServer(list(PRELOAD))
        return _server


@atexit.register
def stop_fork_server() -> None:
    """Stop the fork server, if one runs (the next case starts another)."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.close()
            _server = None


def forkable(case: Case) -> bool:
    """Whether a forked child reproduces the case: not when it is about the
    process's own descriptors at start (a closed stdin, a stdout that fails
    every write at exit's flush)."""
    return case.stdin != "closed" and case.stdout != "full"


def _run_forked(case: Case, args: list[str], tmp: str, path: str,
                timeout: float) -> tuple[int, bytes, bool]:
    stdout, stderr = os.path.join(tmp, "fuzz-stdout"), os.path.join(tmp, "fuzz-stderr")
    stdin = path if case.stdin == "input" else os.devnull
    returncode, timed_out = fork_server().run(TOOLS[case.tool], args, tmp, stdin, stdout, stderr,
                                              timeout, timeout * WALL_FACTOR)
    with open(stderr, "rb") as f:
        return returncode, f.read(), timed_out


def _run_subprocess(case: Case, args: list[str], tmp: str, path: str,
                    timeout: float) -> tuple[int, bytes, bool]:
    argv = [sys.executable, "-m", TOOLS[case.tool]] + args
    stdin = {"devnull": subprocess.DEVNULL, "closed": None, "input": None}[case.stdin]
    stdin_file = open(path, "rb") if case.stdin == "input" else None
    stdout_file = open("/dev/full", "wb") if case.stdout == "full" else None
    def preexec():
        limit_cpu(timeout)
        if case.stdin == "closed":  # the child starts with descriptor 0 not open at all
            os.close(0)

    try:
        proc = subprocess.Popen(argv, stdin=stdin_file or stdin,
                                stdout=stdout_file or subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=tmp, preexec_fn=preexec, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout * WALL_FACTOR)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
            timed_out = True
    finally:
        for f in (stdin_file, stdout_file):
            if f is not None:
                f.close()
    return proc.returncode, err, timed_out


def run_case(case: Case, timeout: float = DEFAULT_TIMEOUT, workdir: str | None = None,
             mode: str = FORK) -> Outcome:
    """Run `case` in a child process (forked when `mode` is FORK and the case
    allows it) with `timeout` CPU seconds, and classify what happened."""
    with tempfile.TemporaryDirectory(prefix="gasync-fuzz-", dir=workdir) as tmp:
        path = os.path.join(tmp, "case.mlir")
        if case.data is not None:
            with open(path, "wb") as f:
                f.write(case.data)
        args = [a.replace(INPUT, path) for a in case.args]
        run = _run_forked if mode == FORK and forkable(case) else _run_subprocess
        returncode, err, timed_out = run(case, args, tmp, path, timeout)
        # The case's file is named as the reproducer names it, so that
        # signatures do not depend on the temporary directory.
        stderr = err.decode("utf-8", "replace").replace(tmp + os.sep, "")
        return classify(returncode, stderr, timed_out)


def run_many(cases: Iterable[Case], jobs: int = 2, timeout: float = DEFAULT_TIMEOUT,
             progress: Callable[[Case, Outcome], None] | None = None,
             mode: str = FORK) -> list[tuple[Case, Outcome]]:
    """Run the cases `jobs` at a time; results in the cases' order."""
    cases = list(cases)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = []
        for case, outcome in zip(cases, pool.map(lambda c: run_case(c, timeout, mode=mode), cases)):
            if progress is not None:
                progress(case, outcome)
            outcomes.append((case, outcome))
    return outcomes


# Minimising --------------------------------------------------------------

def ddmin(items: list, still_fails: Callable[[list], bool], budget: int = 200) -> list:
    """Zeller's delta debugging: a 1-minimal sublist of `items` that still fails
    (within `budget` tests)."""
    n = 2
    tests = 0
    while len(items) >= 2 and tests < budget:
        chunk = max(1, len(items) // n)
        subsets = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        reduced = False
        for i in range(len(subsets)):
            complement = [x for j, s in enumerate(subsets) if j != i for x in s]
            tests += 1
            if complement and still_fails(complement):
                items, n, reduced = complement, max(n - 1, 2), True
                break
            if tests >= budget:
                break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
    return items


def minimise(case: Case, outcome: Outcome, timeout: float = DEFAULT_TIMEOUT,
             budget: int = 200, mode: str = FORK) -> Case:
    """A smaller case with the same outcome class and signature: arguments first
    (for command lines), then the input's lines, then its tokens."""
    def same(candidate: Case) -> bool:
        got = run_case(candidate, timeout, mode=mode)
        return got.cls == outcome.cls and got.signature == outcome.signature

    best = case
    if case.fuzzer == "cmdline":
        kept = ddmin(list(range(len(case.args))),
                     lambda idx: same(dataclasses.replace(best, args=[best.args[i] for i in idx])),
                     budget)
        best = dataclasses.replace(best, args=[best.args[i] for i in kept])
    if best.data is not None:
        lines = best.data.splitlines(keepends=True)
        lines = ddmin(lines, lambda ls: same(dataclasses.replace(best, data=b"".join(ls))), budget)
        best = dataclasses.replace(best, data=b"".join(lines))
        tokens = re.split(rb"(\s+)", best.data)
        if len(tokens) <= 400:
            tokens = ddmin(tokens, lambda ts: same(dataclasses.replace(best, data=b"".join(ts))),
                           budget)
            best = dataclasses.replace(best, data=b"".join(tokens))
    return best


def write_reproducer(case: Case, outcome: Outcome, directory: Path, stem: str) -> Path:
    """`stem.mlir` (the input, if any) and `stem.sh` (the command, the outcome) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    input_name = f"{stem}.mlir"
    if case.data is not None:
        (directory / input_name).write_bytes(case.data)
    script = directory / f"{stem}.sh"
    script.write_text(
        "#!/bin/sh\n"
        f"# {case.fuzzer} seed {case.seed}: {outcome.cls}: {outcome.signature}\n"
        f"# made from {case.origin}\n"
        f"cd \"$(dirname \"$0\")\" && {case.command(input_name)}\n")
    script.chmod(0o755)
    return script


# The seed corpus ---------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Seed:
    name: str
    """Where it comes from, relative to the repository (and the chunk)."""
    text: str
    run_args: tuple[str, ...] | None
    """gasync-run's arguments after the file (--entry ... --arg ...), when known."""


_RUN_COMMAND = re.compile(r"gasync-run\s+\S+\s+(--entry\s+[^|>]*?)\s*(?:2>&1)?\s*(?:\||$)")
SPLIT_MARKER = "// -----"


def _run_args(text: str) -> tuple[str, ...] | None:
    for line in text.splitlines():
        if line.lstrip().startswith("//"):
            m = _RUN_COMMAND.search(line)
            if m and "%t" not in m.group(1) and "--target" not in m.group(1):
                try:
                    return tuple(shlex.split(m.group(1)))
                except ValueError:
                    continue
    return None


def pick_seed(rng, seeds: list[Seed]) -> Seed:
    """Mostly a valid program (the deep passes see only those), sometimes one of
    the invalid lit inputs (the verifier's corner cases)."""
    valid = [s for s in seeds if "expected-" not in s.text]
    return rng.choice(valid if valid and rng.random() < 0.8 else seeds)


def corpus(generated: int = 24) -> list[Seed]:
    """examples/*.mlir, the lit tests' inputs (each split chunk a seed), and
    `generated` programs of the differential tester; always in the same order."""
    seeds = []
    files = sorted(ROOT.glob("examples/*.mlir")) + sorted((ROOT / "test").rglob("*.mlir"))
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        # lit's Output directories come and go with test runs: not seeds.
        if {"fuzz", "Output"} & set(path.relative_to(ROOT).parts):
            continue
        text = path.read_text()
        chunks = text.split("\n" + SPLIT_MARKER + "\n")
        if len(chunks) == 1:
            seeds.append(Seed(rel, text, _run_args(text)))
        else:
            seeds.extend(Seed(f"{rel}#{i}", chunk, None) for i, chunk in enumerate(chunks))
    sys.path.insert(0, str(ROOT / "test"))
    try:
        from difftest import generate as G
    finally:
        sys.path.pop(0)
    for seed in range(generated):
        program = G.generate(seed)
        text = G.emit(program)
        seeds.append(Seed(f"difftest seed {seed}", text, _run_args(text)))
    return seeds
