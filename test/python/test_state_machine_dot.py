"""The picture of the state machines (`gasync-opt --emit-dot`, `gasync-run
--emit dot`): valid Graphviz dot, drawn from the plan the lowering uses (the
frames it shows are the frames the lowered IR has), and an SVG only where
Graphviz's dot is installed."""

import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from gasync.tools.opt import main as opt_main
from gasync.tools.run import main as run_main

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROGRAMS = sorted((ROOT / "examples").glob("*.mlir")) + [
    ROOT / "test" / "Coro" / "state-machine-dot.mlir",
    ROOT / "test" / "Coro" / "slot-sharing.mlir",
    ROOT / "test" / "Run" / "then_blocks.mlir",
]


def tool(name: str, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"gasync.tools.{name}", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env)


def in_process(main, capfd, *args: str) -> str:
    """What the tool's `main` prints, run in this process (fast: MLIR is
    imported once); it must succeed."""
    capfd.readouterr()
    rc = main(list(args))
    out, err = capfd.readouterr()
    assert rc == 0, err
    return out


def emit_dot(program: pathlib.Path, capfd) -> str:
    return in_process(opt_main, capfd, str(program), "--gasync-coro", "--emit-dot")


# A parser of the dot language (graphviz.org/doc/info/lang.html), enough to
# reject what Graphviz would reject in what we write: statements, attribute
# lists, subgraphs, ports, quoted and HTML strings; HTML labels must be XML.

TOKEN = re.compile(r'\s+|//[^\n]*|/\*.*?\*/|(?P<arrow>->|--)|(?P<punct>[{}\[\]=;,:])'
                   r'|(?P<id>[A-Za-z_\x80-\uffff][\w\x80-\uffff]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?))'
                   r'|(?P<quoted>"(\\.|[^"\\])*")|(?P<html><)', re.S)
KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(text):
        m = TOKEN.match(text, at)
        assert m, f"not dot at offset {at}: {text[at:at + 40]!r}"
        kind = m.lastgroup
        if kind == "html":  # balanced <...>
            depth, end = 0, at
            while True:
                depth += {"<": 1, ">": -1}.get(text[end], 0)
                end += 1
                if depth == 0:
                    break
                assert end < len(text), "unclosed HTML string"
            out.append(("html", text[at + 1:end - 1]))
            at = end
            continue
        if kind is not None:
            value = m.group(kind)
            if kind == "id" and value.lower() in KEYWORDS:
                kind = value.lower()
            out.append((kind if kind in KEYWORDS or kind in ("id", "quoted", "arrow") else value,
                        value))
        at = m.end()
    return out


class Dot:
    """Parses a file of graphs; `nodes`, `edges` and `html` say what it holds."""

    def __init__(self, text: str):
        self.toks = tokens(text)
        self.at = 0
        self.nodes: set[str] = set()
        self.edges: list[tuple[str, str | None, str]] = []  # (from, its port, to)
        self.html: list[str] = []
        self.ports: dict[str, set[str]] = {}
        """Node -> the PORTs of its HTML label."""
        self.graphs = 0
        while self.at < len(self.toks):
            self.graph()

    def peek(self) -> str | None:
        return self.toks[self.at][0] if self.at < len(self.toks) else None

    def take(self, kind: str) -> str:
        assert self.peek() == kind, f"expected {kind}, got {self.toks[self.at:self.at + 3]}"
        self.at += 1
        return self.toks[self.at - 1][1]

    def ident(self) -> str:
        kind = self.peek()
        assert kind in ("id", "quoted", "html"), f"expected an ID, got {self.toks[self.at:][:3]}"
        value = self.take(kind)
        if kind == "html":
            ET.fromstring(f"<label>{value}</label>")  # raises on malformed XML
            self.html.append(value)
        elif kind == "quoted":
            value = re.sub(r'\\(.)', r'\1', value[1:-1])
        return value

    def graph(self) -> None:
        if self.peek() == "strict":
            self.take("strict")
        self.take("digraph" if self.peek() == "digraph" else "graph")
        if self.peek() != "{":
            self.ident()
        self.body()
        self.graphs += 1

    def body(self) -> None:
        self.take("{")
        while self.peek() != "}":
            self.statement()
            if self.peek() == ";":
                self.take(";")
        self.take("}")

    def attributes(self) -> dict[str, str]:
        found = {}
        while self.peek() == "[":
            self.take("[")
            while self.peek() != "]":
                key = self.ident()
                self.take("=")
                found[key] = self.ident()
                if self.peek() in (",", ";"):
                    self.take(self.peek())
            self.take("]")
        return found

    def endpoint(self) -> tuple[str, str | None] | None:
        if self.peek() in ("subgraph", "{"):
            self.subgraph()
            return None
        name, port = self.ident(), None
        if self.peek() == ":":
            self.take(":")
            port = self.ident()
        return name, port

    def subgraph(self) -> None:
        if self.peek() == "subgraph":
            self.take("subgraph")
            if self.peek() != "{":
                self.ident()
        self.body()

    def statement(self) -> None:
        if self.peek() in ("graph", "node", "edge"):
            self.take(self.peek())
            self.attributes()
            return
        start = self.at
        first = self.endpoint()
        if self.peek() == "=" and first is not None:
            self.at = start
            self.ident()
            self.take("=")
            self.ident()
            return
        if self.peek() != "arrow":
            attributes = self.attributes()
            if first is not None:
                self.nodes.add(first[0])
                self.ports[first[0]] = set(re.findall(r'PORT="([^"]*)"',
                                                      attributes.get("label", "")))
            return
        while self.peek() == "arrow":
            self.take("arrow")
            target = self.endpoint()
            if first is not None and target is not None:
                self.edges.append((first[0], first[1], target[0]))
            first = target
        self.attributes()


def test_the_parser_rejects_what_graphviz_rejects():
    Dot('digraph "g" { "a" [label=<<B>x</B>>]; "a" -> "b":p [style=dashed]; subgraph c { x } }')
    for bad in ('digraph { "a" -> }', 'digraph { "a" [label="x] }', "digraph { a [label=<<B>x>] }",
                'digraph { "a" [label=<<B>x</I>>] }', "digraph { a -> b", 'digraph { a [b] }'):
        with pytest.raises((AssertionError, ET.ParseError)):
            Dot(bad)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_the_dot_is_valid(program, capfd):
    dot = Dot(emit_dot(program, capfd))
    assert dot.graphs == 1
    assert dot.edges, "every async function has at least a step from start"
    for source, port, target in dot.edges:
        assert source in dot.nodes and target in dot.nodes, (source, target)
        assert port is None or port in dot.ports[source], (source, port)


def frames_of_lowered_ir(program: pathlib.Path, capfd) -> dict[str, tuple[int, int, int]]:
    """@function -> (size, align, states) of the frames the lowered IR declares."""
    lowered = in_process(run_main, capfd, str(program), "--emit", "coro")
    frames = {}
    for m in re.finditer(r"func\.func private @\"?([^\s(\"]+)\$init\"?\(.*gasync\.frame = "
                         r"\{align = (\d+) : i64, result_offset = -?\d+ : i64, size = (\d+) : i64, "
                         r"states = (\d+) : i64\}", lowered):
        frames.setdefault(m.group(1), (int(m.group(3)), int(m.group(2)), int(m.group(4))))
    return frames


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_the_picture_shows_the_frames_the_lowering_builds(program, capfd):
    """On the CPU target (no gpu.module copies): each function's frame size,
    alignment and number of states are those of the lowered IR, and every
    item of its table lies aligned inside the frame."""
    lowered = frames_of_lowered_ir(program, capfd)
    dot = in_process(run_main, capfd, str(program), "--emit", "dot")
    clusters = re.findall(r'label="async @(\S+) [(][^\n]*\n(.*?)\n  }', dot, re.S)
    assert clusters and {name for name, _ in clusters} == set(lowered)
    for name, body in clusters:
        size, align = map(int, re.search(r"<B>frame: (\d+) bytes, align (\d+)</B>", body).groups())
        states = len(re.findall(r'_s\d+" \[shape=', body))
        assert (size, align, states) == lowered[name], name
        rows = [tuple(map(int, r)) for r in
                re.findall(r"<TR><TD[^>]*>\d+</TD><TD>(\d+)</TD><TD>(\d+)</TD><TD>(\d+)</TD>", body)]
        for offset, item_size, item_align in rows:
            assert offset % item_align == 0 and offset + item_size <= size, (name, rows)


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="Graphviz's dot is not on PATH: the dot text is checked by the "
                           "parser above only")
def test_graphviz_renders_it(tmp_path, capfd):
    for program in PROGRAMS:
        dot = emit_dot(program, capfd)
        r = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True)
        assert r.returncode == 0 and not r.stderr, (program, r.stderr)
    svg = tmp_path / "seed.svg"
    r = tool("run", "examples/seed_demo.mlir", "--emit", "dot", "-o", str(svg))
    assert r.returncode == 0, r.stderr
    assert ET.parse(svg).getroot().tag.endswith("svg")
    r = tool("opt", "examples/seed_demo.mlir", "--gasync-coro", "--emit-dot", "-o",
             str(tmp_path / "opt.svg"))
    assert r.returncode == 0, r.stderr
    assert "async @async_multi_step" in (tmp_path / "opt.svg").read_text()


def test_an_svg_without_graphviz_is_a_clear_error(tmp_path):
    env = {"PATH": str(tmp_path)}  # no dot there
    out = tmp_path / "x.svg"
    r = tool("run", "examples/seed_demo.mlir", "--emit", "dot", "-o", str(out), env=env)
    assert r.returncode == 2 and not out.exists()
    assert "an SVG needs Graphviz's 'dot' on PATH" in r.stderr and "Traceback" not in r.stderr
    r = tool("opt", "examples/seed_demo.mlir", "--gasync-coro", "--emit-dot", "-o", str(out),
             env=env)
    assert r.returncode == 1 and not out.exists()
    assert "an SVG needs Graphviz's 'dot' on PATH" in r.stderr and "Traceback" not in r.stderr


def test_emit_dot_needs_the_coroutine_lowering():
    r = tool("opt", "examples/seed_demo.mlir", "--canonicalize", "--emit-dot")
    assert r.returncode == 1 and r.stdout == ""
    assert "error: --emit-dot draws the state machines that gasync-coro-lower builds" in r.stderr
    r = tool("run", "examples/seed_demo.mlir", "--emit", "dot", "--from", "mlir")
    assert r.returncode == 2
    assert "--emit dot draws the coroutine lowering of gasync IR" in r.stderr


def test_an_svg_holds_one_graph(tmp_path):
    out = tmp_path / "x.svg"
    r = tool("opt", "test/Coro/state-machine-dot.mlir", "--split-input-file", "--gasync-coro",
             "--emit-dot", "-o", str(out))
    assert r.returncode == 1 and not out.exists()
    assert "an SVG holds one graph, and --split-input-file made 2" in r.stderr
