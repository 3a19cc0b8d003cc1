"""bench/pipeline, the part that needs MLIR (run here):

    .venv/bin/python bench/pipeline/build.py

Compiles the gasync side of the benchmark with the GPU pipeline (sm_90, O3,
+ptx86 for the mbarrier and bulk-copy instructions): examples/pipeline.mlir
(kernel `pipeline`, module `kernels`) and bench/pipeline/handoff.mlir
(kernel `handoff`, module `handoff`). Writes .gpu/bench/pipeline/:
MODULE.cubin and MODULE.ptx per gpu.module, and build.json, for
run_device.py (which compiles the CUDA C references, refs.cu, with nvcc there).
"""

import json
import pathlib
import subprocess
import sys
import time

from gasync.pipeline import driver
from gasync.runtime.errors import GasyncError, report

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = {"kernels": ROOT / "examples" / "pipeline.mlir",
           "handoff": ROOT / "bench" / "pipeline" / "handoff.mlir"}
OUT = ROOT / ".gpu" / "bench" / "pipeline"
FEATURES = "+ptx86"


def compile_stage(path: pathlib.Path, stop: str) -> dict[str, object]:
    """Each gpu.module of `path` compiled to `stop` ("ptx" or "cubin")."""
    options = driver.Options(target="cuda", features=FEATURES)
    with driver.Compilation(options, source_name=str(path.relative_to(ROOT))) as c:
        compiled = driver.compile_source(c, path.read_text(), stop=stop, path=str(path))
        return {name: code.data for name, code in compiled.ir.items()}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    info = {"chip": "sm_90", "features": FEATURES, "modules": {}}
    for module, path in SOURCES.items():
        start = time.perf_counter()
        try:
            cubins = compile_stage(path, "cubin")
            ptxs = compile_stage(path, "ptx")
        except GasyncError as e:
            return report(e, "build.py")
        (OUT / f"{module}.cubin").write_bytes(cubins[module])
        (OUT / f"{module}.ptx").write_text(ptxs[module])
        info["modules"][module] = {"source": str(path.relative_to(ROOT)),
                                   "compile_s": round(time.perf_counter() - start, 3)}
    info["git_head"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                      capture_output=True, text=True).stdout.strip()
    (OUT / "build.json").write_text(json.dumps(info, indent=2))
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
