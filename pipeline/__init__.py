"""Named pipelines, the pass-manager driver, cubin generation and the CPU JIT."""

from .manager import (PassPipeline, PipelineError, build_pass_manager, build_pipeline,
                      parse_elements, run_pass_manager, run_pipeline)
from .pipelines import PIPELINES, Pipeline
from . import gpu  # noqa: F401,E402  (registers gasync-to-nvvm and gasync-to-cubin)

__all__ = ["PIPELINES", "PassPipeline", "Pipeline", "PipelineError", "build_pass_manager",
           "build_pipeline", "parse_elements",
           "run_pass_manager", "run_pipeline"]
