#!/usr/bin/env python3
"""Ray Data settings for the driver's actor pool, timed on a local Ray with 2 CPUs.

    .build/ray-venv/bin/python tools/ray/bench_ray_data.py [VARIANT...]

VARIANT (default: all) is `base`, `inflight1`, `cputask`, `autoscale` or `perfile`, each
optionally with `-fake` (the UDF sleeps 0.5 s per file instead of asking a `clipdetect worker`;
that isolates Ray Data's own overhead). 20 shapes-bench scenes in 2-file shards, 2 actors ×
1 CPU, one OpenBLAS thread per worker. Prints the time from the dataset's creation to its last
row (actor start and model load included, ray.init not). The results are in the table in
tools/ray/clipdetect_ray.py.
"""
import os
import sys
import time

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_AUTH_MODE", "token")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clipdetect_ray  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BENCH = os.path.join(REPO, "examples", "shapes-bench")
SCENES = sorted(os.path.join(BENCH, f) for f in os.listdir(BENCH) if f.endswith(".jpg"))[:20]
COMMAND = clipdetect_ray.worker_command(os.path.join(REPO, ".build", "release", "clipdetect"), "shapes-tiny",
                                        ["--classes", "red star,blue circle,green triangle,yellow square"])
ENV = {"CLIPDETECT_MODELS": os.path.join(REPO, "models"), "OPENBLAS_NUM_THREADS": "1"}
VARIANTS = ["base", "inflight1", "cputask", "autoscale", "perfile"]


class FakeMapper:
    """ShardMapper's shape without the process: 0.5 s per file."""

    def __init__(self, *args):
        pass

    def __call__(self, batch):
        import pyarrow as pa
        for shard in batch.to_pylist():
            for path in shard["paths"]:
                time.sleep(0.5)
                yield pa.table({"shard": [shard["shard"]], "path": [path], "reply": ["{}"]})


def run(variant):
    import ray.data
    name, _, fake = variant.partition("-")
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.target_max_block_size = 1
    start = time.monotonic()
    shards = clipdetect_ray.make_shards(SCENES, 2)
    if name == "perfile":  # one row per file, Ray Data's default block count and batch size
        dataset = ray.data.from_items([{"shard": k, "paths": [p]} for k, s in enumerate(shards) for p in s])
    else:
        dataset = ray.data.from_items([{"shard": k, "paths": s} for k, s in enumerate(shards)], override_num_blocks=len(shards))
    if name == "cputask":  # a CPU task stage before the pool: do the pool's CPUs starve it?
        dataset = dataset.map(lambda row: row)
    pool = {"inflight1": ray.data.ActorPoolStrategy(size=2, max_tasks_in_flight_per_actor=1),
            "autoscale": ray.data.ActorPoolStrategy(min_size=1, max_size=2)}.get(name, ray.data.ActorPoolStrategy(size=2))
    dataset = dataset.map_batches(FakeMapper if fake else clipdetect_ray.ShardMapper, fn_constructor_args=(COMMAND, ENV, "detect"),
                                  batch_size=None if name == "perfile" else 1, batch_format="pyarrow", compute=pool, num_cpus=1)
    rows = sum(1 for _ in dataset.iter_rows())
    return rows, time.monotonic() - start


def main():
    import ray
    variants = sys.argv[1:] or VARIANTS + [v + "-fake" for v in VARIANTS]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    for variant in variants:
        rows, seconds = run(variant)
        load = os.getloadavg()[0]
        print(f"{variant:16s} {rows} rows in {seconds:5.1f} s (load average {load:.1f})", flush=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
