"""Named pipelines, the pass-manager driver, cubin generation and the CPU JIT."""

from .manager import PipelineError, build_pass_manager, parse_pipeline, run_pass_manager, run_pipeline
from .pipelines import PIPELINES, Pipeline
from . import gpu  # noqa: F401,E402  (registers gasync-to-nvvm and gasync-to-cubin)

__all__ = ["PIPELINES", "Pipeline", "PipelineError", "build_pass_manager", "parse_pipeline",
           "run_pass_manager", "run_pipeline"]
