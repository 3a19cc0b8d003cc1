"""gasync's passes, one module each; `PASSES` maps each name to its class."""

from .base import PASSES, ModulePass, PassContext, register
from . import (coro_lower, fault_sites, guard_division,  # noqa: F401  (each import registers its pass)
               link_cpu_runtime, lower_block_on, lower_combinators, outline_async_blocks, verify)
from . import clone_into_gpu_modules, link_device_runtime  # noqa: F401  (the GPU pipeline's passes)

__all__ = ["PASSES", "ModulePass", "PassContext", "register"]
