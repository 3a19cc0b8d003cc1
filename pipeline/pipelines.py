"""gasync's named pipelines: each a table of stages, usable by name anywhere a
pass is (`--pass-pipeline='builtin.module(gasync-to-llvm)'`, `--gasync-to-llvm`).
"""

from __future__ import annotations

import dataclasses

from gasync.runtime import abi


@dataclasses.dataclass(frozen=True)
class Pipeline:
    name: str
    summary: str
    stages: tuple[str, ...]
    """Pipeline elements; `{option}` placeholders are filled from `defaults`."""
    defaults: tuple[tuple[str, str], ...] = ()

    def expand(self, options: str = "") -> str:
        values = dict(self.defaults)
        for item in options.split():
            key, _, value = item.partition("=")
            if key not in values:
                known = ", ".join(values) or "none"
                raise ValueError(f"pipeline '{self.name}' has no option '{key}' (options: {known})")
            values[key] = value
        return ",".join(stage.format(**values) for stage in self.stages)


PIPELINES: dict[str, Pipeline] = {}


def register_pipeline(p: Pipeline) -> Pipeline:
    PIPELINES[p.name] = p
    return p


# The coroutine lowering, shared by the CPU and GPU pipelines: afterwards no
# gasync op is left, only func/cf/arith/scf and llvm frame accesses. Kernels
# may name top-level async functions (directly or through gasync.then), so
# their gpu.modules get a copy of each first; without gpu.modules (the CPU
# target drops them before) the clone pass does nothing.
register_pipeline(Pipeline(
    "gasync-coro",
    "verify, clone the top-level functions gpu.modules use into them, lower hardware futures, "
    "outline async blocks, lower combinators, lower async functions to state machines, record "
    "fault sites, and lower block_on to poll loops",
    ("gasync-verify", "gasync-clone-into-gpu-modules",
     "gasync-lower-hardware-futures{{idle-wait-ms={idle-wait-ms}}}", "gasync-outline-async-blocks",
     "gasync-lower-combinators",
     "gasync-coro-lower", "gasync-fault-sites", "gasync-lower-block-on{{watchdog={watchdog}}}"),
    (("watchdog", str(abi.DEFAULT_WATCHDOG)), ("idle-wait-ms", str(abi.DEFAULT_IDLE_WAIT_MS))),
))

LLVM_LOWERING = ("gasync-guard-division", "gasync-check-bounds", "gasync-cpu-memory-spaces",
                 "convert-scf-to-cf", "expand-strided-metadata", "convert-to-llvm",
                 "reconcile-unrealized-casts", "gasync-link-cpu-runtime", "canonicalize", "cse")
"""The CPU pipeline after the coroutine lowering: integer division made defined,
marked array accesses checked, GPU address spaces refused, upstream passes to the
LLVM dialect (subviews first become pointer arithmetic), then the executor's CPU hooks (so the module is
complete for the ExecutionEngine)."""

register_pipeline(Pipeline(
    "gasync-to-llvm",
    "the CPU pipeline: gasync-coro, division guards, bounds checks, then upstream passes to the LLVM "
    "dialect, then the executor's CPU hooks: a complete module for the ExecutionEngine",
    ("gasync-coro{{watchdog={watchdog} idle-wait-ms={idle-wait-ms}}}",) + LLVM_LOWERING,
    (("watchdog", str(abi.DEFAULT_WATCHDOG)), ("idle-wait-ms", str(abi.DEFAULT_IDLE_WAIT_MS))),
))
