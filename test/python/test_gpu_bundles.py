"""Every GPU execution test builds into a bundle here, with no GPU (issue 4):
the GPU machine then only runs them (tools/run_gpu_tests.py run)."""

import glob
import importlib.util
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_runner():
    spec = importlib.util.spec_from_file_location("run_gpu_tests",
                                                  ROOT / "tools" / "run_gpu_tests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_gpu_test_builds_a_bundle(tmp_path, monkeypatch):
    runner = load_runner()
    monkeypatch.setattr(runner, "BUILD", str(tmp_path))
    tests = sorted(glob.glob(str(ROOT / "test" / "GPU" / "*.mlir")))
    assert runner.build(tests) == 0
    index = json.loads((tmp_path / "index.json").read_text())
    with_exec = [t for t in tests if "GPU-EXEC:" in pathlib.Path(t).read_text()]
    assert len(index) == len(with_exec) >= 14
    for entry in index:
        manifest = json.loads((tmp_path / entry["bundle"] / "manifest.json").read_text())
        assert manifest["kernel"], entry
        cubin = tmp_path / entry["bundle"] / manifest["cubin"]
        assert cubin.read_bytes()[:4] == b"\x7fELF", entry  # a cubin is an ELF file
    key = (tmp_path / "cache" / "cache-key.txt").read_text()  # for the API check of a cache hit
    assert (tmp_path / "cache" / key[:2] / f"{key}.json").is_file()


def test_python_examples_build_bundles(tmp_path, monkeypatch):
    """The seed's Python demo goes to the GPU machine as a bundle whose
    expected output is the CPU's answers for every thread."""
    runner = load_runner()
    monkeypatch.setattr(runner, "BUILD", str(tmp_path))
    monkeypatch.setenv("GASYNC_CACHE_DIR", "")
    assert runner.build([], runner.PYTHON_EXAMPLES) == 0
    index = json.loads((tmp_path / "index.json").read_text())
    assert [e["name"] for e in index] == [name for name, *_ in runner.PYTHON_EXAMPLES]
    shift = next(e for e in index if e["name"] == "negative-shift-python")
    assert shift["exit"] == 3 and "negative shift count" in shift["stderr"]
    manifest = json.loads((tmp_path / "pipeline-python" / "manifest.json").read_text())
    # y = 2x + 0.5 for x = 0, 0.25, 0.5, ...: the CPU pipeline's answers
    assert manifest["expected"][1].startswith("arg 1: [5.000000e-01, 1.000000e+00, 1.500000e+00, ")
    manifest = json.loads((tmp_path / "seed-demo-python" / "manifest.json").read_text())
    assert manifest["kernel"] == "seed_kernel" and manifest["grid"] == [2, 1, 1]
    (line,) = manifest["expected"]
    assert line.startswith("arg 0: [42, 126, 42, 84, 294, 142, 44, ")  # thread 0: the seed's six
    assert len(line.split(",")) == 256 * 6
