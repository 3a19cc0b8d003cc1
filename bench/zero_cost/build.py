"""Zero-cost benchmark, the part that needs MLIR (run here).

Compiles bench/zero_cost/seed_kernels.mlir with gasync-to-cubin (timing the
compilation, best of 5), checks the PTX of @seed_async against @seed_plain,
and writes .gpu/bench/zero_cost/ (cubin, PTX, build.json) for run_device.py.
"""

import json
import pathlib
import re
import statistics
import sys
import time

import gasync

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "bench" / "zero_cost" / "seed_kernels.mlir"
OUT = ROOT / ".gpu" / "bench" / "zero_cost"


def compile_once(text: str):
    start = time.perf_counter()
    try:
        compiled = gasync.compile(text, name=str(SOURCE.relative_to(ROOT)))
    except gasync.CompileError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
    return compiled, time.perf_counter() - start


def body(ptx: str, kernel: str) -> list[str]:
    m = re.search(r"\.entry " + kernel + r"\((.*?)\n}\n", ptx, re.S)
    return [line.strip().replace(kernel, "K") for line in m.group(1).splitlines()
            if line.strip()]


def main() -> int:
    text = SOURCE.read_text()
    times = []
    for _ in range(5):
        art, seconds = compile_once(text)
        times.append(seconds)
    ptx = art.ptxs["kernels"]
    a, p = body(ptx, "seed_async"), body(ptx, "seed_plain")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "kernels.cubin").write_bytes(art.cubins["kernels"])
    (OUT / "kernels.ptx").write_text(ptx)
    info = {
        "source": str(SOURCE.relative_to(ROOT)),
        "compile_s_gasync_to_cubin": {"best": round(min(times), 4),
                                      "median": round(statistics.median(times), 4)},
        "ptx_instructions": {"seed_async": sum(not l.startswith((".", "//", "{", "}", ")"))
                                               for l in a),
                             "seed_plain": sum(not l.startswith((".", "//", "{", "}", ")"))
                                               for l in p)},
        "ptx_identical_modulo_name": a == p,
        "n": 4194304,
    }
    (OUT / "build.json").write_text(json.dumps(info, indent=2))
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
