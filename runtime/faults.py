"""Executor faults as the host sees them (CPU and GPU alike). MLIR-free.

An executor that stops records a fault code and a detail (runtime/executor.mlir
documents the status word); the host reads them after the run and reports
the fault, and gasync-run exits with 3.
"""

from __future__ import annotations

FAULTS = {
    1: "deadlock: no task can make progress and the root is not done",
    2: "task pool overflow: a spawn found every slot of the executor's pool taken",
    3: "executor invariant broken",
    4: "watchdog: the executor's poll budget ran out (a task that never finishes?)",
}


class ExecutorFault(RuntimeError):
    """An executor stopped with fault `code`; `where` names the kernel, block and
    thread on the GPU."""

    def __init__(self, code: int, detail: int, where: str = ""):
        self.code, self.detail, self.where = code, detail, where
        what = FAULTS.get(code, f"unknown fault {code}")
        detail_text = {2: f" (spawning a task of kind {detail})",
                       4: f" (polling the task in slot {detail})"}.get(code, "")
        super().__init__((f"{where}: " if where else "") + what + detail_text)
