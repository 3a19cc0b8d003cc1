"""Named pipelines, the pass-manager driver, cubin generation and the CPU JIT."""

from .manager import PipelineError, build_pass_manager, parse_pipeline, run_pass_manager, run_pipeline
from .pipelines import PIPELINES, Pipeline

__all__ = ["PIPELINES", "Pipeline", "PipelineError", "build_pass_manager", "parse_pipeline",
           "run_pass_manager", "run_pipeline"]
