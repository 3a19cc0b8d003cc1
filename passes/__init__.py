"""gasync's passes, one module each; `PASSES` maps each name to its class."""

from .base import PASSES, ModulePass, PassContext, register
from . import (check_bounds, coro_lower, cpu_memory_spaces, fault_sites, guard_division,  # noqa: F401  (each import registers its pass)
               link_cpu_runtime, lower_block_on, lower_combinators, lower_hardware_futures,
               outline_async_blocks, verify)
from . import clone_into_gpu_modules, link_device_runtime, module_to_binary  # noqa: F401  (the GPU pipeline's passes)



def parse_pipeline(text: str, context=None, **options):
    """A gasync.pipeline.PassPipeline for `text`, a pass pipeline that mixes
    gasync's passes and pipelines with upstream MLIR passes, by name
    (`builtin.module(gasync-coro,canonicalize,gpu.module(cse))`). Run it on a
    module (`.run(module)`), or add it to your own PassManager
    (`.add_to(pm)`); docs/embedding.md shows both. The options are those of
    gasync.pipeline.manager.parse_pass_pipeline."""
    from gasync.pipeline.manager import parse_pass_pipeline  # the pipeline package imports this one

    return parse_pass_pipeline(text, context, **options)


__all__ = ["PASSES", "ModulePass", "PassContext", "parse_pipeline", "register"]
