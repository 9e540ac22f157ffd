#!/usr/bin/env python3
"""Blockwork's peer runner: the workloads of bench/suite.go in Dask and NumPy.

    python3 bench/peers/run.py --engine dask-threaded --workload transpose_sum \
        --size small --repeat 3 [--variant end-to-end|persisted]

prints one JSON line per (workload, variant) with the fields of bench.Record,
and the line "#timed" when the timed runs are over (the Go runner stops
sampling the process tree's memory there, before the check). Engines:
dask-threaded (the threaded scheduler), dask-distributed (LocalCluster,
--workers worker processes of --threads threads, 2 of 1 by default: the
shape of Blockwork's blockwork-cluster engine, which blockwork bench
compares it with), numpy (plain NumPy, one process).

Sizes and seeds are those of bench/suite.go; the random values differ (each
engine has its own generator), so each engine's result is checked against
its own independent computation: identities and analytical expectations at
every size, and NumPy directly on the materialised inputs for Dask where the
inputs are small. Needs: apt-get install -y python3-dask python3-distributed
python3-numpy libopenblas0-pthread
"""

import argparse
import gc
import json
import math
import os
import resource
import statistics
import sys
import tempfile
import time

SEED = 42
DIRECT_LIMIT = 1 << 25  # elements: larger inputs are checked analytically

# keep in step with bench/suite.go (a Go test compares them)
SIZES = {
    "transpose_sum": {"tiny": {"n": 300, "chunk": 70}, "small": {"n": 4000, "chunk": 1000}, "medium": {"n": 20000, "chunk": 2000}},
    "matmul": {"tiny": {"n": 200, "chunk": 64}, "small": {"n": 2000, "chunk": 500}, "medium": {"n": 6000, "chunk": 1500}},
    "fused_chain": {"tiny": {"n": 10000, "chunk": 1500}, "small": {"n": 20_000_000, "chunk": 1_000_000}, "medium": {"n": 200_000_000, "chunk": 10_000_000}},
    "reductions": {"tiny": {"n": 300, "chunk": 70}, "small": {"n": 4000, "chunk": 1000}, "medium": {"n": 20000, "chunk": 2000}},
    "rechunk": {
        "tiny": {"n": 240, "from": [240, 10], "to": [10, 240]},
        "small": {"n": 4000, "from": [4000, 40], "to": [40, 4000]},
        "medium": {"n": 20000, "from": [20000, 200], "to": [200, 20000]},
    },
    "slicing": {
        "tiny": {"n": 300, "chunk": 70, "lo": 15, "hi": 75},
        "small": {"n": 4000, "chunk": 1000, "lo": 200, "hi": 1000},
        "medium": {"n": 20000, "chunk": 2000, "lo": 1000, "hi": 5000},
    },
    "task_overhead": {"tiny": {"n": 1000}, "small": {"n": 20000}, "medium": {"n": 100000}},
    "sort": {"tiny": {"n": 10_000, "chunk": 1_500}, "small": {"n": 20_000_000, "chunk": 2_000_000}, "medium": {"n": 200_000_000, "chunk": 10_000_000}},
    "zarr_read": {"tiny": {"n": 300, "chunk": 100}, "small": {"n": 12000, "chunk": 2000}, "medium": {"n": 36000, "chunk": 4000}},
    "stencil": {"tiny": {"n": 300, "chunk": 70}, "small": {"n": 4000, "chunk": 1000}, "medium": {"n": 16000, "chunk": 2000}},
    "tsqr": {
        "tiny": {"n": 3000, "cols": 20, "chunk": 250},
        "small": {"n": 200_000, "cols": 100, "chunk": 20_000},
        "medium": {"n": 2_000_000, "cols": 100, "chunk": 100_000},
    },
    "streaming": {
        "tiny": {"n": 100000, "chunk": 10000},
        "small": {"n": 187_500_000, "chunk": 12_500_000},
        "medium": {"n": 1_875_000_000, "chunk": 12_500_000},
    },
}
PERSIST = {"transpose_sum", "matmul", "fused_chain", "reductions", "rechunk", "slicing", "stencil", "tsqr"}
# numpy has no chunks and no task graph: these say nothing there
# Dask has no sort (only topk)
DASK_SKIP = {"sort": "Dask has no sort"}
NUMPY_SKIP = {"rechunk": "NumPy has no chunks", "task_overhead": "NumPy has no tasks", "zarr_read": "NumPy has no Zarr reader (zarr-python under Dask is the peer)"}
# where workloads that read files keep their data (--data; the Go runner writes it first)
DATA_DIR = None


DATA_WORKLOADS = {"zarr_read"}


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)


def data_path(w, size):
    """As bench.DataPath: <data>/<workload>-<size>.zarr."""
    return os.path.join(DATA_DIR, "%s-%s.zarr" % (w, size))
NOTES = {}


def permutation(n):
    """As bench.Permutation: Fisher-Yates driven by a 64-bit LCG seeded with SEED."""
    p = list(range(n))
    s = SEED
    for i in range(n - 1, 0, -1):
        s = (s * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        j = (s >> 33) % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def flops(w, d):
    if w == "tsqr":  # the QR of the whole matrix, Q formed (as bench/tsqr.go)
        m, n = float(d["n"]), float(d["cols"])
        return 4 * m * n * n - 4 * n ** 3 / 3
    return 2.0 * d["n"] ** 3 if w == "matmul" else 0.0


# workloads whose bytes give a rate end to end too (bench/suite.go's
# BytesEndToEnd): streaming's array, made and folded chunk by chunk
BYTES_END_TO_END = {"streaming"}


def nbytes(w, d):
    """Least bytes read + written by the persisted variant (as bench/suite.go)."""
    n = d["n"]
    return {
        "transpose_sum": 8.0 * n * n,
        "fused_chain": 8.0 * n,
        "reductions": 8.0 * n * n,
        "rechunk": 3 * 8.0 * n * n,
        "slicing": 8.0 * ((n + 2) // 3) * (d.get("hi", 0) - d.get("lo", 0)),
        "stencil": 8.0 * n * n,
        "streaming": 8.0 * n,
        "zarr_read": float(dir_bytes(d["path"])) if "path" in d else 0.0,
    }.get(w, 0.0)


def params(d):
    s = "n=%d" % d["n"]
    if "chunk" in d:
        s += " chunks=%d" % d["chunk"]
    if "from" in d:
        s += " chunks %s -> %s" % (fmt_list(d["from"]), fmt_list(d["to"]))
    if "hi" in d:
        s += " cols %d:%d" % (d["lo"], d["hi"])
    if "cols" in d:
        s += " x %d" % d["cols"]
    return s


def fmt_list(xs):
    return "[" + " ".join(str(x) for x in xs) + "]"


class CheckError(Exception):
    pass


def near(what, got, want, tol):
    if not (abs(got - want) <= tol):
        raise CheckError("%s = %.17g, want %.17g +- %.3g" % (what, got, want, tol))


def rel(what, got, want, tol):
    near(what, got, want, tol * max(1.0, abs(want)))


def uniform_sum(what, got, n):
    near(what, got, n / 2, 6 * math.sqrt(n / 12) + 1e-9 * n)


# ---------------------------------------------------------------- engines


class NumPyEngine:
    name = "numpy"

    def __init__(self):
        import numpy as np

        self.np = np

    def inputs(self, w, d):
        np = self.np
        rng = np.random.default_rng(SEED)
        n = d["n"]
        if w in ("transpose_sum", "reductions", "slicing", "rechunk", "stencil"):
            return [rng.random((n, n))]
        if w == "matmul":
            return [rng.random((n, n)), rng.random((n, n))]
        if w == "fused_chain":
            return [rng.uniform(-100, 100, n)]
        if w == "sort":
            return [rng.random(n)]
        if w == "tsqr":
            return [rng.random((n, d["cols"]))]
        if w == "streaming":
            return [d]  # made chunk by chunk inside the expression
        return []

    def persist(self, xs):
        return xs

    def outputs(self, w, d, xs):
        np = self.np
        if w == "transpose_sum":
            x = xs[0]
            return [(x + x.T - x.mean(axis=0)).sum()]
        if w == "matmul":
            return [(xs[0] @ xs[1]).sum()]
        if w == "fused_chain":
            x = xs[0]
            return [((np.sin(x) ** 2 + np.cos(x) ** 2) * 3 - 1).sum()]
        if w == "reductions":
            x = xs[0]
            return [x.mean(axis=0), x.std(axis=0), x.max(axis=0), x.mean(axis=1), x.std(axis=1), x.max(axis=1)]
        if w == "slicing":
            perm = np.array(permutation((d["n"] + 2) // 3))
            return [xs[0][::3, d["lo"]:d["hi"]][perm].sum(axis=1)]
        if w == "stencil":
            y = laplace5_periodic(np, xs[0])
            return [(y * y).mean()]
        if w == "tsqr":
            q, r = np.linalg.qr(xs[0])
            return [np.abs(r).sum(), (r * r).sum(), (q * q).sum(axis=0)]
        if w == "sort":
            srt = np.sort(xs[0], kind="stable")
            return [srt.sum(), xs[0].sum(), bool(np.all(srt[1:] >= srt[:-1]))]
        if w == "streaming":
            rng = np.random.default_rng(SEED)
            n, c, s = d["n"], d["chunk"], 0.0
            for lo in range(0, n, c):
                s += rng.random(min(c, n - lo)).sum()
            return [s]
        raise ValueError(w)

    def compute(self, outs):
        return list(outs), 0

    def materialise(self, xs):
        return xs


class DaskEngine:
    def __init__(self, distributed, workers=2, threads=1):
        import dask
        import dask.array as da
        import numpy as np

        self.dask, self.da, self.np = dask, da, np
        self.client = None
        if distributed:
            from distributed import Client, LocalCluster

            self.name = "dask-distributed"
            import logging

            cluster = LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True, dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(cluster)
            self.scheduler = None
        else:
            self.name = "dask-threaded"
            self.scheduler = "threads"

    def close(self):
        if self.client is not None:
            cluster = self.client.cluster
            self.client.close()
            cluster.close()

    def inputs(self, w, d):
        da = self.da
        rs = da.random.RandomState(SEED)
        n = d["n"]
        if w in ("transpose_sum", "reductions", "slicing", "stencil"):
            return [rs.random_sample((n, n), chunks=d["chunk"])]
        if w == "rechunk":
            return [rs.random_sample((n, n), chunks=tuple(d["from"]))]
        if w == "matmul":
            return [rs.random_sample((n, n), chunks=d["chunk"]), rs.random_sample((n, n), chunks=d["chunk"])]
        if w == "fused_chain":
            return [rs.uniform(-100, 100, size=n, chunks=d["chunk"])]
        if w == "tsqr":
            return [rs.random_sample((n, d["cols"]), chunks=(d["chunk"], d["cols"]))]
        if w == "streaming":
            return [rs.random_sample(n, chunks=d["chunk"])]
        if w == "zarr_read":
            path = d["path"]
            if not os.path.exists(os.path.join(path, ".blockwork-complete")):
                raise RuntimeError("no complete store at %s: run blockwork bench with engine blockwork first (it writes it)" % path)
            return [da.from_zarr(path)]
        return []

    def persist(self, xs):
        if self.client is not None:
            from distributed import wait

            ps = self.client.persist(xs)
            wait(ps)
            return ps
        return list(self.dask.persist(*xs, scheduler=self.scheduler))

    def outputs(self, w, d, xs):
        da = self.da
        if w == "transpose_sum":
            x = xs[0]
            return [(x + x.T - x.mean(axis=0)).sum()]
        if w == "matmul":
            return [(xs[0] @ xs[1]).sum()]
        if w == "fused_chain":
            x = xs[0]
            return [((da.sin(x) ** 2 + da.cos(x) ** 2) * 3 - 1).sum()]
        if w == "reductions":
            x = xs[0]
            return [x.mean(axis=0), x.std(axis=0), x.max(axis=0), x.mean(axis=1), x.std(axis=1), x.max(axis=1)]
        if w == "rechunk":
            return [xs[0].rechunk(tuple(d["to"])).sum()]
        if w == "slicing":
            perm = self.np.array(permutation((d["n"] + 2) // 3))
            return [xs[0][::3, d["lo"]:d["hi"]][perm].sum(axis=1)]
        if w == "task_overhead":
            return [da.ones(d["n"], chunks=1).sum()]
        if w == "zarr_read":
            return [xs[0].sum()]
        if w == "stencil":
            y = xs[0].map_overlap(laplace5_block, depth=1, boundary="periodic", dtype=float)
            return [(y * y).mean()]
        if w == "tsqr":
            q, r = da.linalg.qr(xs[0])
            return [abs(r).sum(), (r * r).sum(), (q * q).sum(axis=0)]
        if w == "streaming":
            return [xs[0].sum()]
        raise ValueError(w)

    def compute(self, outs):
        """Computes outs together; returns the values and the optimized graph's length."""
        from dask.base import collections_to_dsk

        tasks = len(collections_to_dsk(outs, optimize_graph=True))
        if self.client is not None:
            return list(self.client.compute(outs, sync=True)), tasks
        return list(self.dask.compute(*outs, scheduler=self.scheduler)), tasks

    def materialise(self, xs):
        return self.compute(xs)[0]


# ---------------------------------------------------------------- stencil


def laplace5_block(b):
    """The 5-point Laplacian inside a block extended by a halo of one (0 on the halo)."""
    import numpy as np

    out = np.zeros_like(b)
    out[1:-1, 1:-1] = b[:-2, 1:-1] + b[2:, 1:-1] + b[1:-1, :-2] + b[1:-1, 2:] - 4 * b[1:-1, 1:-1]
    return out


def laplace5_periodic(np, x):
    return np.roll(x, 1, 0) + np.roll(x, -1, 0) + np.roll(x, 1, 1) + np.roll(x, -1, 1) - 4 * x


# ---------------------------------------------------------------- checks


def value(w, outs):
    if w == "reductions":
        return float(sum(float(o.sum()) for o in outs))
    if w == "slicing":
        return float(outs[0].sum())
    return float(outs[0])


def check(eng, w, d, outs, xs):
    """Returns "ok (direct)" / "ok (analytical)" or raises CheckError."""
    np = eng.np
    n = d["n"]
    cells = n * d["cols"] if "cols" in d else n * n
    direct = eng.name != "numpy" and w in ("transpose_sum", "matmul", "reductions", "rechunk", "slicing", "stencil", "tsqr") and cells <= DIRECT_LIMIT
    xv = eng.materialise(xs) if direct else None
    if w == "transpose_sum":
        got = float(outs[0])
        if direct:
            x = xv[0]
            rel("direct (NumPy)", got, float((x + x.T - x.mean(axis=0)).sum()), 1e-9)
        else:  # (x + x.T - mean0).sum() = sum(x)
            rel("identity x.sum()", got, float(eng.compute([xs[0].sum()])[0][0]), 1e-9)
        uniform_sum("result", got, float(n) * n)
    elif w == "matmul":
        got = float(outs[0])
        if direct:
            want = float(xv[0].sum(axis=0) @ xv[1].sum(axis=1))
        else:
            ca, rb = eng.compute([xs[0].sum(axis=0), xs[1].sum(axis=1)])[0]
            want = float(np.asarray(ca) @ np.asarray(rb))
        rel("colsum(A) . rowsum(B)", got, want, 1e-9)
        rel("expectation n^3/4", got, n ** 3 / 4, 0.05)
    elif w == "fused_chain":
        rel("result", float(outs[0]), 2.0 * n, 1e-9)
    elif w == "reductions":
        names = ["mean(axis=0)", "std(axis=0)", "max(axis=0)", "mean(axis=1)", "std(axis=1)", "max(axis=1)"]
        vals = [np.asarray(o, dtype=float) for o in outs]
        if direct:
            x = xv[0]
            for i, ref in enumerate([x.mean(0), x.std(0), x.max(0), x.mean(1), x.std(1), x.max(1)]):
                err = np.max(np.abs(vals[i] - ref) / np.maximum(1, np.abs(ref)))
                if not err <= 1e-10:
                    raise CheckError("%s differs from NumPy by %.3g" % (names[i], err))
        for a in (0, 3):
            near("max |%s - 0.5|" % names[a], float(np.max(np.abs(vals[a] - 0.5))), 0, 6.5 * math.sqrt(1 / (12 * n)))
            near("max |%s - sqrt(1/12)|" % names[a + 1], float(np.max(np.abs(vals[a + 1] - math.sqrt(1 / 12)))), 0, 6.5 * 0.13 / math.sqrt(n))
            m = vals[a + 2]
            if not (np.all(m < 1) and np.all(m > 1 - 40 / n)):
                raise CheckError("%s outside (1 - 40/n, 1)" % names[a + 2])
        rel("mean of mean(axis=0) vs mean of mean(axis=1)", float(vals[0].mean()), float(vals[3].mean()), 1e-12)
    elif w == "rechunk":
        got = float(outs[0])
        if direct:
            rel("direct (NumPy)", got, float(xv[0].sum()), 1e-9)
        elif eng.name != "numpy":
            rel("identity x.sum()", got, float(eng.compute([xs[0].sum()])[0][0]), 1e-9)
        uniform_sum("result", got, float(n) * n)
    elif w == "slicing":
        r = np.asarray(outs[0], dtype=float)
        rows, k = (n + 2) // 3, d["hi"] - d["lo"]
        if r.shape != (rows,):
            raise CheckError("result has shape %s, want (%d,)" % (r.shape, rows))
        if direct:
            ref = xv[0][::3, d["lo"]:d["hi"]][np.array(permutation(rows))].sum(axis=1)
            err = np.max(np.abs(r - ref) / np.maximum(1, np.abs(ref)))
            if not err <= 1e-12:
                raise CheckError("rows differ from NumPy by %.3g" % err)
        near("max |row - k/2|", float(np.max(np.abs(r - k / 2))), 0, 6.5 * math.sqrt(k / 12))
    elif w == "stencil":
        got = float(outs[0])
        if direct:
            y = laplace5_periodic(np, np.asarray(xv[0]))
            rel("direct (NumPy roll)", got, float((y * y).mean()), 1e-9)
        near("mean (Lx)^2", got, 20.0 / 12, 30.0 / n)
    elif w == "tsqr":
        abs_r, r2, qq = float(outs[0]), float(outs[1]), np.asarray(outs[2], dtype=float)
        x2 = float((xv[0] ** 2).sum()) if direct else (float((xs[0] ** 2).sum()) if eng.name == "numpy" else float(eng.compute([(xs[0] ** 2).sum()])[0][0]))
        rel("sum R^2 vs sum x^2", r2, x2, 1e-9)
        near("max |Q[:, j]|^2 - 1", float(np.max(np.abs(qq - 1))), 0, 1e-9)
        if direct:
            rel("sum|R| vs NumPy's qr", abs_r, float(np.abs(np.linalg.qr(np.asarray(xv[0]))[1]).sum()), 1e-9)
        rel("sum x^2 vs its expectation mn/3", x2, n * d["cols"] / 3.0, 0.01)
    elif w == "task_overhead":
        if float(outs[0]) != n:
            raise CheckError("sum = %r, want %d" % (float(outs[0]), n))
    elif w == "streaming":
        uniform_sum("sum", float(outs[0]), float(n))
    elif w == "sort":
        if not outs[2]:
            raise CheckError("the result is not sorted")
        rel("sum of the sorted array vs the input's", float(outs[0]), float(outs[1]), 1e-9)
        uniform_sum("sum", float(outs[0]), float(n))
    elif w == "zarr_read":
        got = float(outs[0])
        if n * n <= DIRECT_LIMIT:
            import zarr

            rel("direct (zarr-python, NumPy sum)", got, float(np.asarray(zarr.open(d["path"], mode="r")[:]).sum()), 1e-12)
        uniform_sum("sum", got, float(n) * n)
    return "ok (direct)" if direct else "ok (analytical)"


# ---------------------------------------------------------------- runner


def self_peak_rss():
    a = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    b = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(a, b) * 1024


def run(eng, w, size, variant, repeat):
    d = dict(SIZES[w][size])
    if w in DATA_WORKLOADS:
        d["path"] = data_path(w, size)
    rec = {"engine": eng.name, "workload": w, "variant": variant, "size": size, "params": params(d)}
    if w in NOTES:
        rec["note"] = NOTES[w]
    xs = None
    if variant == "persisted":
        xs = eng.persist(eng.inputs(w, d))
    walls, outs, tasks = [], None, 0
    for i in range(max(repeat, 1) + 1):
        gc.collect()
        t0 = time.perf_counter()
        ins = xs if xs is not None else eng.inputs(w, d)
        outs, tasks = eng.compute(eng.outputs(w, d, ins))
        wall = time.perf_counter() - t0
        if i > 0:  # the first run is the warm-up
            walls.append(wall)
    print("#timed", flush=True)
    rec["wall_s"] = statistics.median(walls)
    rec["walls_s"] = walls
    rec["peak_rss_bytes"] = self_peak_rss()
    rec["tasks"] = tasks
    rec["value"] = value(w, outs)
    if flops(w, d):
        rec["gflops"] = flops(w, d) / rec["wall_s"] / 1e9
    if (variant == "persisted" or w in DATA_WORKLOADS or w in BYTES_END_TO_END) and nbytes(w, d):
        rec["gbps"] = nbytes(w, d) / rec["wall_s"] / 1e9
    if w == "task_overhead" and tasks:
        rec["us_per_task"] = rec["wall_s"] * 1e6 / tasks
    try:
        rec["check"] = check(eng, w, d, outs, xs if xs is not None else eng.inputs(w, d))
        rec["check_ok"] = True
    except CheckError as e:
        rec["check"], rec["check_ok"] = str(e), False
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", choices=["dask-threaded", "dask-distributed", "numpy"])
    ap.add_argument("--workload", default="all", help="comma-separated, or all")
    ap.add_argument("--size", default="small", choices=["tiny", "small", "medium"])
    ap.add_argument("--variant", default="all", choices=["all", "end-to-end", "persisted"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2, help="dask-distributed: worker processes (as blockwork bench -cluster-workers)")
    ap.add_argument("--threads", type=int, default=1, help="dask-distributed: threads per worker (as blockwork bench -cluster-threads)")
    ap.add_argument("--list-sizes", action="store_true", help="print SIZES as JSON and exit")
    ap.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "blockwork-bench"), help="folder of the data of zarr_read (as blockwork bench -data)")
    a = ap.parse_args()
    global DATA_DIR
    DATA_DIR = a.data
    if a.list_sizes:
        print(json.dumps(SIZES, sort_keys=True))
        return 0
    if a.engine is None:
        ap.error("--engine is required")
    try:
        if a.engine == "numpy":
            eng = NumPyEngine()
        else:
            eng = DaskEngine(distributed=a.engine == "dask-distributed", workers=a.workers, threads=a.threads)
    except ImportError as e:
        print("run.py: %s (install: apt-get install -y python3-dask python3-distributed python3-numpy libopenblas0-pthread)" % e, file=sys.stderr)
        return 3
    workloads = list(SIZES) if a.workload == "all" else a.workload.split(",")
    failed = False
    try:
        for w in workloads:
            if w not in SIZES:
                print("run.py: no workload %r in the peers (memory_bandwidth is measured in Go only)" % w, file=sys.stderr)
                continue
            if eng.name != "numpy" and w in DASK_SKIP:
                print("run.py: %s skips %s: %s" % (eng.name, w, DASK_SKIP[w]), file=sys.stderr)
                continue
            if eng.name == "numpy" and w in NUMPY_SKIP:
                print("run.py: numpy skips %s: %s" % (w, NUMPY_SKIP[w]), file=sys.stderr)
                continue
            variants = ["end-to-end", "persisted"] if a.variant == "all" else [a.variant]
            for v in variants:
                if v == "persisted" and w not in PERSIST:
                    continue
                try:
                    rec = run(eng, w, a.size, v, a.repeat)
                except Exception as e:  # report, go on with the next
                    failed = True
                    rec = {"engine": eng.name, "workload": w, "variant": v, "size": a.size, "error": "%s: %s" % (type(e).__name__, e)}
                print(json.dumps(rec), flush=True)
    finally:
        if isinstance(eng, DaskEngine):
            eng.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
