"""The structural mutator: valid gasync programs, changed op by op.

Works on the text, one op per line as every seed is written: ops are
dropped, duplicated (with fresh result names), swapped and moved; operands
are replaced by other values of the function; types are replaced everywhere
at once (so the mutant still parses and reaches the passes with an odd type:
i0, i65536, scalable vectors, ...); attributes get huge or odd values
(integers wider than 64 bits, pools and watchdogs past their limits, bad
callees); regions are emptied, duplicated or nested a thousand deep; and
gasync ops are inserted where they do not belong.
"""

from __future__ import annotations

import random
import re

from .core import INPUT, Case, Seed, pick_seed

NAME = "structural"

ODD_TYPES = ["i0", "i1", "i2", "i17", "i128", "i65535", "i16777215", "si32", "ui64", "index",
             "f16", "bf16", "f80", "f128", "tf32", "f8E4M3FN", "complex<f32>", "tuple<>",
             "tuple<i32, i32>", "none", "vector<4xi32>", "vector<[4]xi32>", "vector<[4]x[4]xf32>",
             "vector<0xi32>", "vector<1x1x1x1xi8>", "vector<1024xi64>", "vector<3xi1>",
             "memref<?xi32>", "memref<0xi32>", "memref<4x?xi32>", "memref<1099511627776xi8>",
             "memref<2xi32, strided<[2]>>", "memref<*xi32>", "tensor<4xi32>", "!llvm.ptr",
             "!gasync.fut<i32>", "!gasync.task<none>", "!gasync.fut<vector<[4]xi32>>",
             "!gasync.fut<i0>", "!gasync.fut<!gasync.fut<i32>>", "!gasync.chan<i32>", "!foo.bar"]
HUGE_INTS = ["0", "-1", "1", "2147483647", "-2147483648", "4294967296", "9223372036854775807",
             "-9223372036854775808", "18446744073709551616", "340282366920938463463374607431768211457",
             "-" + "9" * 40, "65536", "65537", "1099511627776", "1e400", "0x7fffffffffffffffff"]
ATTR_TYPES = ["i32", "i64", "i128", "i1", "i0", "index", "i65536", "f32"]
SCOPES = ['"thread"', '"warp"', '"block"', '"grid"', '""', '"\\ff"', "1", "unit"]

_OP_LINE = re.compile(r"^\s*(%[\w$.#:-]+(:\d+)?\s*(,\s*%[\w$.]+)*\s*=\s*)?"
                      r"(\"?[a-z_]+\.[\w.]+\"?|return|func\.return)")
_RESULT = re.compile(r"^(\s*)(%[\w$.-]+)((?::\d+)?\s*=)")
_VALUE = re.compile(r"%[A-Za-z_$.][\w$.-]*|%\d+")
_TYPE = re.compile(r"\b(?:i\d+|f16|f32|f64|bf16|index)\b|(?:memref|vector|tensor)<[^<>]*>|"
                   r"!gasync\.(?:fut|task)<[^<>]*(?:<[^<>]*>)?[^<>]*>")
_INT_ATTR = re.compile(r"(=\s*|constant\s+)(-?\d+)(\s*:\s*)(i\d+|index)")
_SYMBOL = re.compile(r"@[\w$.-]+")


def _op_lines(lines: list[str]) -> list[int]:
    """Indices of lines that hold one whole op: no region opens or closes on them
    (an attribute dictionary opens and closes on the same line)."""
    out = []
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        if code.strip() and code.count("{") == code.count("}") and _OP_LINE.match(code):
            out.append(i)
    return out


def _regions(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indices of ops whose regions span several lines."""
    spans, stack = [], []
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        opens, closes = code.count("{"), code.count("}")
        if opens > closes:
            stack.extend([i] * (opens - closes))
        elif closes > opens:
            for _ in range(closes - opens):
                if stack:
                    spans.append((stack.pop(), i))
    return spans


def _function_of(lines: list[str], i: int) -> tuple[int, int]:
    """The span of the func.func holding line i (or the whole file)."""
    for first, last in _regions(lines):
        if first <= i <= last and "func.func" in lines[first]:
            return first, last
    return 0, len(lines) - 1


def _values_in(lines: list[str], lo: int, hi: int) -> list[str]:
    names = []
    for line in lines[lo:hi + 1]:
        names.extend(_VALUE.findall(line.split("//", 1)[0]))
    return sorted(set(names))


class Mutator:
    def __init__(self, rng: random.Random, seeds: list[Seed]):
        self.rng = rng
        self.seeds = seeds
        self.fresh = 0

    def fresh_name(self, base: str) -> str:
        self.fresh += 1
        return f"{base}_fz{self.fresh}"

    # Ops ------------------------------------------------------------------
    def drop_op(self, lines):
        ops = _op_lines(lines)
        if ops:
            del lines[self.rng.choice(ops)]
        return "drop op"

    def duplicate_op(self, lines):
        ops = _op_lines(lines)
        if not ops:
            return None
        i = self.rng.choice(ops)
        copy = _RESULT.sub(lambda m: m.group(1) + self.fresh_name(m.group(2)) + m.group(3), lines[i])
        lines.insert(i + 1, copy)
        return "duplicate op"

    def swap_ops(self, lines):
        ops = _op_lines(lines)
        if len(ops) < 2:
            return None
        i = self.rng.choice(ops)
        near = [j for j in ops if j != i and abs(j - i) <= 6] or [j for j in ops if j != i]
        j = self.rng.choice(near)
        lines[i], lines[j] = lines[j], lines[i]
        return "swap ops"

    def move_op(self, lines):
        ops = _op_lines(lines)
        if len(ops) < 2:
            return None
        line = lines.pop(self.rng.choice(ops))
        lines.insert(self.rng.choice(_op_lines(lines) or [0]), line)
        return "move op"

    def drop_return(self, lines):
        """A function or async block whose body lacks its terminator."""
        rets = [i for i, l in enumerate(lines)
                if re.match(r"\s*(return|func\.return|\"gasync\.return\")\b", l)]
        if not rets:
            return None
        i = self.rng.choice(rets)
        if self.rng.random() < 0.5:
            lines[i] = '  "gasync.yield"() : () -> ()'
        else:
            del lines[i]
        return "drop return"

    # Operands -------------------------------------------------------------
    def swap_operand(self, lines):
        ops = [i for i in _op_lines(lines) if "=" in lines[i] or "(" in lines[i]]
        if not ops:
            return None
        i = self.rng.choice(ops)
        lo, hi = _function_of(lines, i)
        pool = _values_in(lines, lo, hi)
        m = _RESULT.match(lines[i])
        start = m.end() if m else 0
        uses = [u for u in _VALUE.finditer(lines[i]) if u.start() >= start]
        if not uses or not pool:
            return None
        use = self.rng.choice(uses)
        lines[i] = lines[i][:use.start()] + self.rng.choice(pool) + lines[i][use.end():]
        return "swap operand"

    # Types ------------------------------------------------------------------
    def replace_type(self, lines):
        text = "\n".join(lines)
        found = sorted(set(_TYPE.findall(text)))
        if not found:
            return None
        old = self.rng.choice(found)
        new = self.rng.choice(ODD_TYPES)
        pattern = r"(?<![\w<x])" + re.escape(old) + r"(?![\w>])" if re.match(r"^\w+$", old) \
            else re.escape(old)
        if self.rng.random() < 0.7:
            text = re.sub(pattern, new, text)      # everywhere: stays consistent
        else:
            text = re.sub(pattern, new, text, count=1)
        lines[:] = text.split("\n")
        return f"type {old} -> {new}"

    # Attributes -----------------------------------------------------------
    def odd_integer(self, lines):
        spots = [(i, m) for i, l in enumerate(lines) for m in _INT_ATTR.finditer(l)]
        if not spots:
            return None
        i, m = self.rng.choice(spots)
        value = self.rng.choice(HUGE_INTS)
        ty = m.group(4) if self.rng.random() < 0.5 else self.rng.choice(ATTR_TYPES)
        lines[i] = lines[i][:m.start()] + m.group(1) + value + m.group(3) + ty + lines[i][m.end():]
        return f"integer {value} : {ty}"

    def executor_attr(self, lines):
        spots = [i for i, l in enumerate(lines) if '"gasync.block_on"(' in l]
        if not spots:
            return None
        i = self.rng.choice(spots)
        line = re.sub(r"\{[^{}]*\}\s*:", ":", lines[i])
        attrs = []
        if self.rng.random() < 0.8:
            attrs.append(f"pool = {self.rng.choice(HUGE_INTS)} : {self.rng.choice(ATTR_TYPES)}")
        if self.rng.random() < 0.5:
            attrs.append(f"scope = {self.rng.choice(SCOPES)}")
        if self.rng.random() < 0.2:
            attrs.append("callee = @main")
        lines[i] = re.sub(r"\)\s*:", ") {" + ", ".join(attrs) + "} :", line, count=1)
        return f"block_on {{{', '.join(attrs)}}}"

    def symbol(self, lines):
        spots = [(i, m) for i, l in enumerate(lines) if "callee" in l for m in _SYMBOL.finditer(l)]
        if not spots:
            return None
        i, m = self.rng.choice(spots)
        names = sorted(set(_SYMBOL.findall("\n".join(lines))))
        new = self.rng.choice(names + ["@nowhere", "@main", '"f"', "42", "@f::@g", "unit"])
        lines[i] = lines[i][:m.start()] + new + lines[i][m.end():]
        return f"callee -> {new}"

    def async_attr(self, lines):
        funcs = [i for i, l in enumerate(lines) if "func.func" in l]
        if not funcs:
            return None
        i = self.rng.choice(funcs)
        if "gasync.async" in lines[i]:
            lines[i] = re.sub(r"\s*attributes\s*\{\s*gasync\.async\s*\}", "", lines[i])
            lines[i] = lines[i].replace("gasync.async", self.rng.choice(
                ["gasync.async = 1 : i32", "gasync.asink", "gasync.async"]))
        elif "{" in lines[i] and "attributes" not in lines[i]:
            lines[i] = lines[i].replace("{", "attributes {gasync.async} {", 1)
        else:
            return None
        return "toggle gasync.async"

    # Regions --------------------------------------------------------------
    def empty_region(self, lines):
        spans = [(a, b) for a, b in _regions(lines) if b - a >= 2]
        if not spans:
            return None
        a, b = self.rng.choice(spans)
        del lines[a + 1:b]
        return "empty region"

    def duplicate_region_op(self, lines):
        spans = [(a, b) for a, b in _regions(lines) if "func.func" not in lines[a]]
        if not spans:
            return None
        a, b = self.rng.choice(spans)
        block = [_RESULT.sub(lambda m: m.group(1) + self.fresh_name(m.group(2)) + m.group(3), l)
                 if k == 0 else l for k, l in enumerate(lines[a:b + 1])]
        lines[b + 1:b + 1] = block
        return "duplicate region op"

    def deep_nest(self, lines):
        """Wrap an op in scf.execute_region (sync code) or async blocks, up to 1,200 deep."""
        ops = [i for i in _op_lines(lines) if not _RESULT.match(lines[i])
               and not re.match(r"\s*(return|\"gasync\.return\")", lines[i])]
        if not ops:
            return None
        i = self.rng.choice(ops)
        depth = self.rng.choice([2, 10, 100, 1200])
        if self.rng.random() < 0.5:
            head = ["scf.execute_region {"] * depth
            tail = ["scf.yield", "}"] * depth
            lines[i:i + 1] = head + [lines[i]] + tail
            return f"nest {depth} execute_regions"
        head, tail = [], []
        for d in range(depth):
            head.append(f'%nest{d}_fz = "gasync.future"() ({{')
        for d in reversed(range(depth)):
            if d + 1 < depth:
                tail.append(f'"gasync.await"(%nest{d + 1}_fz) : (!gasync.fut<none>) -> ()')
            tail.append('"gasync.return"() : () -> ()')
            tail.append("}) : () -> !gasync.fut<none>")
        tail.append('"gasync.await"(%nest0_fz) : (!gasync.fut<none>) -> ()')
        lines[i:i + 1] = head + [lines[i]] + tail
        return f"nest {depth} async blocks"

    def many_functions(self, lines):
        """Thousands of async functions, or a chain of them."""
        n = self.rng.choice([100, 2000])
        chain = self.rng.random() < 0.5
        extra = []
        for k in range(n):
            extra.append(f"func.func private @fz{k}() attributes {{gasync.async}} {{")
            if chain and k + 1 < n:
                extra.append(f'  %f = "gasync.future"() {{callee = @fz{k + 1}}} : () -> !gasync.fut<none>')
                extra.append('  "gasync.await"(%f) : (!gasync.fut<none>) -> ()')
            extra.append("  return")
            extra.append("}")
        at = next((i for i, l in enumerate(lines) if l.startswith("func.func") or
                   l.lstrip().startswith("func.func")), len(lines))
        lines[at:at] = extra
        return f"{n} async functions" + (" in a chain" if chain else "")

    # gasync ops -----------------------------------------------------------
    def insert_gasync_op(self, lines):
        ops = _op_lines(lines)
        if not ops:
            return None
        i = self.rng.choice(ops)
        lo, hi = _function_of(lines, i)
        futs = [v for v in _values_in(lines, lo, hi)]
        v = self.rng.choice(futs) if futs else "%x"
        t = self.rng.choice(["!gasync.fut<none>", "!gasync.fut<i32>", "!gasync.task<i32>", "i32"])
        name = self.fresh_name("%g")
        options = [
            '"gasync.yield"() : () -> ()',
            f'{name} = "gasync.ready"() : () -> !gasync.fut<none>',
            f'{name} = "gasync.spawn"({v}) : ({t}) -> !gasync.task<i32>',
            f'"gasync.await"({v}) : ({t}) -> ()',
            f'"gasync.block_on"({v}) : ({t}) -> ()',
            f'{name} = "gasync.future"() {{callee = @main}} : () -> !gasync.fut<none>',
            f'"gasync.return"({v}) : ({t}) -> ()',
            f'{name} = "gasync.then"({v}) {{callee = @main}} : ({t}) -> !gasync.fut<none>',
            f'{name} = "gasync.bogus"() : () -> i32',
            f'{name}:2 = "gasync.ready"() : () -> (!gasync.fut<none>, i32)',
        ]
        lines.insert(i + self.rng.choice([0, 1]), "  " + self.rng.choice(options))
        return "insert gasync op"

    def splice(self, lines):
        donor = self.rng.choice(self.seeds).text.splitlines()
        ops = _op_lines(donor)
        if not ops:
            return None
        at = self.rng.choice(_op_lines(lines) or [0])
        lines.insert(at, donor[self.rng.choice(ops)])
        return "splice op"

    def odd_bytes(self, lines):
        """Bytes that are not UTF-8 (kept as surrogate escapes until written)."""
        i = self.rng.randrange(len(lines)) if lines else 0
        junk = self.rng.choice(["\udcff", "\udcc3(", "\udced\udca0\udc80", "\x00", "\udcfe\udcff"])
        where = self.rng.choice(["comment", "string", "anywhere"])
        if where == "comment":
            lines.insert(i, "// " + junk)
        elif where == "string" and lines and '"' in lines[i]:
            lines[i] = lines[i].replace('"', '"' + junk, 1)
        elif lines:
            pos = self.rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + junk + lines[i][pos:]
        return f"non-UTF-8 bytes ({where})"

    MUTATIONS = ("drop_op", "duplicate_op", "swap_ops", "move_op", "drop_return", "swap_operand",
                 "replace_type", "odd_integer", "executor_attr", "symbol", "async_attr",
                 "empty_region", "duplicate_region_op", "deep_nest", "many_functions",
                 "insert_gasync_op", "splice", "odd_bytes")
    WEIGHTS = (4, 3, 3, 2, 2, 4, 5, 4, 3, 2, 2, 2, 2, 1, 1, 3, 2, 1)

    def mutate(self, text: str) -> tuple[str, list[str]]:
        lines = text.split("\n")
        done = []
        for _ in range(self.rng.choice([1, 1, 1, 2, 2, 3])):
            name = self.rng.choices(self.MUTATIONS, self.WEIGHTS)[0]
            what = getattr(self, name)(lines)
            if what:
                done.append(what)
        return "\n".join(lines), done


OPT_PIPELINES = (["--gasync-verify"], ["--gasync-coro"], ["--gasync-to-llvm"], ["--gasync-to-llvm"],
                 ["--gasync-to-llvm", "--canonicalize"])


def program_case(fuzzer: str, seed: int, rng: random.Random, source: Seed, data: bytes,
                 origin: str, run_share: float) -> Case:
    """Run a mutant through gasync-run (when its seed's run command is known, with
    probability `run_share`) or through gasync-opt and one of the pipelines."""
    if source.run_args is not None and rng.random() < run_share:
        return Case(fuzzer, seed, "gasync-run", [INPUT, *source.run_args, "--watchdog", "1000000"],
                    data, origin=origin)
    return Case(fuzzer, seed, "gasync-opt", [INPUT, *rng.choice(OPT_PIPELINES)], data, origin=origin)


def make_case(seed: int, seeds: list[Seed], run_share: float = 0.4) -> Case:
    rng = random.Random(f"{NAME}:{seed}")
    source = pick_seed(rng, seeds)
    text, done = Mutator(rng, seeds).mutate(source.text)
    data = text.encode("utf-8", "surrogateescape")
    return program_case(NAME, seed, rng, source, data, f"{source.name}: {'; '.join(done) or 'unchanged'}",
                        run_share)
