"""Generates bench/executor/kernels.mlir (the gasync side of the executor
benchmarks; run `python3 bench/executor/gen.py` after editing it).

(a) dispatch: a root future spawns N tasks; task j starts from
    x = float((gid & 1023) + j) and does K times { x = fma(x, a, b); yield },
    then returns x (K + 1 polls). The root joins them in order, sums the
    results (((r0 + r1) + r2) + ...) and the kernel stores the sum at out[gid].
(b) spawn+join: the root runs `batches` rounds; each round spawns P tasks
    (task i = (gid * batches + round) * P + j computes i * 3 + 1, one poll),
    joins them and adds their results (i32, wrapping) into out[gid].
Kernels are generated for thread and warp scope, twice: all four in
gpu.module @shared (one cubin) and each alone in gpu.module @alone_<kernel>
(each executor gets its own specialised runtime, so the two should compile
alike); (a) also at block scope, alone (one executor per thread block in
shared memory; every lane polls its own frames, warp 0's lanes' arguments
start the root, so thread (b, w, l) stores the result of lane l of warp 0).
CPU entries (func.func) with the same futures let the poll counts be checked
with --watchdog: dispatch N * (K + 1) + 2 polls, spawn batches * (P + 1) + 1.
"""

import pathlib

N = 8          # tasks per executor in (a), pool = N
P = 8          # tasks per batch in (b), pool = P
HERE = pathlib.Path(__file__).resolve().parent


def dispatch_root() -> str:
    lines = ["  func.func private @root_dispatch(%seed: i32, %a: f32, %b: f32, %k: i32) -> f32",
             "      attributes {gasync.async} {"]
    for j in range(N):
        lines += [
            f"    %c{j} = arith.constant {j} : i32",
            f"    %s{j} = arith.addi %seed, %c{j} : i32",
            f"    %x{j} = arith.sitofp %s{j} : i32 to f32",
            f"    %f{j} = \"gasync.future\"(%x{j}, %a, %b, %k) {{callee = @task_fma}}"
            " : (f32, f32, f32, i32) -> !gasync.fut<f32>",
            f"    %t{j} = \"gasync.spawn\"(%f{j}) : (!gasync.fut<f32>) -> !gasync.task<f32>",
        ]
    for j in range(N):
        lines.append(f"    %r{j} = \"gasync.await\"(%t{j}) : (!gasync.task<f32>) -> f32")
    acc = "%r0"
    for j in range(1, N):
        lines.append(f"    %acc{j} = arith.addf {acc}, %r{j} : f32")
        acc = f"%acc{j}"
    lines += [f"    return {acc} : f32", "  }"]
    return "\n".join(lines)


def spawn_root() -> str:
    lines = ["  func.func private @root_spawn(%gid: i32, %batches: i32) -> i32",
             "      attributes {gasync.async} {",
             "    %z = arith.constant 0 : i32",
             "    %one = arith.constant 1 : i32",
             f"    %cp = arith.constant {P} : i32",
             "    %g = arith.muli %gid, %batches : i32",
             "    %sum = scf.for %r = %z to %batches step %one iter_args(%acc = %z) -> (i32) : i32 {",
             "      %gr = arith.addi %g, %r : i32",
             "      %base = arith.muli %gr, %cp : i32"]
    for j in range(P):
        lines += [
            f"      %c{j} = arith.constant {j} : i32",
            f"      %i{j} = arith.addi %base, %c{j} : i32",
            f"      %f{j} = \"gasync.future\"(%i{j}) {{callee = @task_tiny}} : (i32) -> !gasync.fut<i32>",
            f"      %t{j} = \"gasync.spawn\"(%f{j}) : (!gasync.fut<i32>) -> !gasync.task<i32>",
        ]
    acc = "%acc"
    for j in range(P):
        lines += [f"      %r{j} = \"gasync.await\"(%t{j}) : (!gasync.task<i32>) -> i32",
                  f"      %a{j} = arith.addi {acc}, %r{j} : i32"]
        acc = f"%a{j}"
    lines += [f"      scf.yield {acc} : i32", "    }", "    return %sum : i32", "  }"]
    return "\n".join(lines)


def kernel_dispatch(scope: str) -> str:
    return f"""    gpu.func @dispatch_{scope}(%out: memref<?xf32>, %a: f32, %b: f32, %k: i32) kernel {{
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %gidx = arith.addi %base, %tid : index
      %gid = arith.index_cast %gidx : index to i32
      %m = arith.constant 1023 : i32
      %seed = arith.andi %gid, %m : i32
      %f = "gasync.future"(%seed, %a, %b, %k) {{callee = @root_dispatch}}
          : (i32, f32, f32, i32) -> !gasync.fut<f32>
      %r = "gasync.block_on"(%f) {{pool = {N} : i32, scope = "{scope}"}} : (!gasync.fut<f32>) -> f32
      memref.store %r, %out[%gidx] : memref<?xf32>
      gpu.return
    }}"""


def kernel_spawn(scope: str) -> str:
    return f"""    gpu.func @spawn_{scope}(%out: memref<?xi32>, %batches: i32) kernel {{
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %gidx = arith.addi %base, %tid : index
      %gid = arith.index_cast %gidx : index to i32
      %f = "gasync.future"(%gid, %batches) {{callee = @root_spawn}}
          : (i32, i32) -> !gasync.fut<i32>
      %r = "gasync.block_on"(%f) {{pool = {P} : i32, scope = "{scope}"}} : (!gasync.fut<i32>) -> i32
      memref.store %r, %out[%gidx] : memref<?xi32>
      gpu.return
    }}"""


def main() -> None:
    text = f"""// GENERATED by bench/executor/gen.py (N = {N} dispatch tasks, P = {P} spawn batch).
// The executor benchmarks (issue 5 item 5): see bench/executor/README.md.
module attributes {{gpu.container_module}} {{
  // One dispatch task: K rounds of (1 FMA, yield): K + 1 polls.
  func.func private @task_fma(%x0: f32, %a: f32, %b: f32, %k: i32) -> f32
      attributes {{gasync.async}} {{
    %c0 = arith.constant 0 : i32
    %c1 = arith.constant 1 : i32
    %r = scf.for %i = %c0 to %k step %c1 iter_args(%x = %x0) -> (f32) : i32 {{
      %y = math.fma %x, %a, %b : f32
      "gasync.yield"() : () -> ()
      scf.yield %y : f32
    }}
    return %r : f32
  }}

  // One spawn+join task: i * 3 + 1, ready at its first poll.
  func.func private @task_tiny(%i: i32) -> i32 attributes {{gasync.async}} {{
    %c3 = arith.constant 3 : i32
    %c1 = arith.constant 1 : i32
    %m = arith.muli %i, %c3 : i32
    %r = arith.addi %m, %c1 : i32
    return %r : i32
  }}

{dispatch_root()}

{spawn_root()}

  // CPU entries, for checking results and poll counts (--watchdog).
  func.func @cpu_dispatch(%seed: i32, %a: f32, %b: f32, %k: i32) -> f32 {{
    %f = "gasync.future"(%seed, %a, %b, %k) {{callee = @root_dispatch}}
        : (i32, f32, f32, i32) -> !gasync.fut<f32>
    %r = "gasync.block_on"(%f) {{pool = {N} : i32}} : (!gasync.fut<f32>) -> f32
    return %r : f32
  }}
  func.func @cpu_spawn(%gid: i32, %batches: i32) -> i32 {{
    %f = "gasync.future"(%gid, %batches) {{callee = @root_spawn}} : (i32, i32) -> !gasync.fut<i32>
    %r = "gasync.block_on"(%f) {{pool = {P} : i32}} : (!gasync.fut<i32>) -> i32
    return %r : i32
  }}

  // All four kernels in one gpu.module (one cubin): the executor's run loop
  // has four callers there.
  gpu.module @shared {{
{kernel_dispatch("thread")}
{kernel_dispatch("warp")}
{kernel_spawn("thread")}
{kernel_spawn("warp")}
  }}
  // Each kernel alone in its gpu.module (its own cubin): one caller.
  gpu.module @alone_dispatch_thread {{
{kernel_dispatch("thread")}
  }}
  gpu.module @alone_dispatch_warp {{
{kernel_dispatch("warp")}
  }}
  gpu.module @alone_dispatch_block {{
{kernel_dispatch("block")}
  }}
  gpu.module @alone_spawn_thread {{
{kernel_spawn("thread")}
  }}
  gpu.module @alone_spawn_warp {{
{kernel_spawn("warp")}
  }}
}}
"""
    (HERE / "kernels.mlir").write_text(text)


if __name__ == "__main__":
    main()
