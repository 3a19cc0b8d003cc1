"""Liveness of SSA values over one CFG region (a function body after scf-to-cf).

Coroutine lowering asks two questions of it: which values are live right
after a suspension point (they must survive in the frame), and which futures
are live where another future is created (their child frames cannot share
storage).
"""

from __future__ import annotations

from mlir import ir

from gasync.dialect.ir_utils import walk


def op_uses(op: ir.Operation) -> list[ir.Value]:
    """Values `op` reads, including those read by ops nested in its regions."""
    used = list(op.operands)
    if len(op.regions):
        inner_defs = set()
        for inner in walk(op):
            inner_defs.update(inner.results)
            for region in inner.regions:
                for block in region.blocks:
                    inner_defs.update(block.arguments)
        for region in op.regions:
            for block in region.blocks:
                inner_defs.update(block.arguments)
        for inner in walk(op):
            used.extend(v for v in inner.operands if v not in inner_defs)
    return used


class Liveness:
    def __init__(self, region: ir.Region):
        self.blocks = list(region.blocks)
        self.live_in: dict[ir.Block, set[ir.Value]] = {}
        self.live_out: dict[ir.Block, set[ir.Value]] = {}
        uses: dict[ir.Block, set[ir.Value]] = {}
        defs: dict[ir.Block, set[ir.Value]] = {}
        for block in self.blocks:
            u, d = set(), set(block.arguments)
            for op in block.operations:
                op = op.operation
                u.update(v for v in op_uses(op) if v not in d)
                d.update(op.results)
            uses[block], defs[block] = u, d
            self.live_in[block] = set(u)
            self.live_out[block] = set()
        changed = True
        while changed:
            changed = False
            for block in reversed(self.blocks):
                out = set()
                for succ in block.successors:
                    out |= self.live_in[succ]
                new_in = uses[block] | (out - defs[block])
                if out != self.live_out[block] or new_in != self.live_in[block]:
                    self.live_out[block], self.live_in[block] = out, new_in
                    changed = True

    def live_after(self, op: ir.Operation) -> set[ir.Value]:
        """Values live immediately after `op` (in the function body region)."""
        block = op.block
        live = set(self.live_out[block])
        for other in reversed(list(block.operations)):
            other = other.operation
            if other == op:
                return live
            live -= set(other.results)
            live |= set(op_uses(other))
        raise ValueError("op is not in its block")
