"""gasync's passes, one module each; `PASSES` maps each name to its class."""

from .base import PASSES, ModulePass, PassContext, register
from . import lower_combinators, outline_async_blocks, verify  # noqa: F401  (each import registers its pass)

__all__ = ["PASSES", "ModulePass", "PassContext", "register"]
