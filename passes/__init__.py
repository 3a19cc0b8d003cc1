"""gasync's passes, one module each; `PASSES` maps each name to its class."""

from .base import PASSES, ModulePass, PassContext, register
from . import (coro_lower, link_cpu_runtime, lower_block_on,  # noqa: F401  (each import registers its pass)
               lower_combinators, outline_async_blocks, verify)
from . import clone_into_gpu_modules, link_device_runtime, module_to_binary  # noqa: F401  (the GPU pipeline's passes)

__all__ = ["PASSES", "ModulePass", "PassContext", "register"]
