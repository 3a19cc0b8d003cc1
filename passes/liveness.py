"""Liveness of SSA values over one CFG region (a function body after scf-to-cf).

Coroutine lowering asks it which values are live right after a suspension
point (they must survive in the frame), and where each value dies (the
storage-conflict scan of passes/coro_analysis.py). The cost is linear in the
size of the region plus the size of the live sets it keeps (one per block
boundary): a worklist, so a block is revisited only when a successor's
live-in set grew.
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
        self.ops: dict[ir.Block, list[ir.Operation]] = {}
        self.uses: dict[ir.Operation, list[ir.Value]] = {}
        upward: dict[ir.Block, set[ir.Value]] = {}
        defs: dict[ir.Block, set[ir.Value]] = {}
        predecessors: dict[ir.Block, list[ir.Block]] = {b: [] for b in self.blocks}
        for block in self.blocks:
            ops = [op.operation for op in block.operations]
            self.ops[block] = ops
            u, d = set(), set(block.arguments)
            for op in ops:
                used = self.uses[op] = op_uses(op)
                u.update(v for v in used if v not in d)
                d.update(op.results)
            upward[block], defs[block] = u, d
            self.live_in[block] = set(u)
            self.live_out[block] = set()
            for succ in block.successors:
                predecessors[succ].append(block)
        work = list(self.blocks)  # popped from the end: the last blocks first
        queued = set(work)
        while work:
            block = work.pop()
            queued.discard(block)
            out = set()
            for succ in block.successors:
                out |= self.live_in[succ]
            self.live_out[block] = out
            new_in = upward[block] | (out - defs[block])
            if new_in != self.live_in[block]:
                self.live_in[block] = new_in
                for pred in predecessors[block]:
                    if pred not in queued:
                        queued.add(pred)
                        work.append(pred)

    def live_after(self, op: ir.Operation) -> set[ir.Value]:
        """Values live immediately after `op` (in the function body region)."""
        block = op.block
        live = set(self.live_out[block])
        for other in reversed(self.ops[block]):
            if other == op:
                return live
            live -= set(other.results)
            live |= set(self.uses[other])
        raise ValueError("op is not in its block")

    def deaths(self, block: ir.Block) -> dict[ir.Operation, list[ir.Value]]:
        """For each op of `block`: the values it uses that are dead after it."""
        live = set(self.live_out[block])
        dying: dict[ir.Operation, list[ir.Value]] = {}
        for op in reversed(self.ops[block]):
            live.difference_update(op.results)
            dead = [v for v in dict.fromkeys(self.uses[op]) if v not in live]
            if dead:
                dying[op] = dead
            live.update(self.uses[op])
        return dying
