#!/usr/bin/env python3
"""End-to-end test of tools/ray/clipdetect_ray.py on a local Ray cluster (loopback, 2 CPUs).

detect: 20 shapes-bench scenes (+ one broken file) with 2 workers; one `clipdetect worker`
process is killed mid-run, then the driver itself; the rerun completes the output. Every row
must equal single-machine `clipdetect --json` output for its image, each image exactly one row.
index: one Ray Data pool actor is killed mid-run (Ray Data restarts it and retries its shard)
and the driver completes; a rerun writes nothing; then `clipdetect index --import` and
`clipdetect search` (also with --index OUTDIR, reading the shards directly) must give the same
results as an index built locally with `clipdetect index`.

Run by tools/ray/test.sh (which makes the venv); exits non-zero on the first failure.
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

# Ray takes the node address from the default route unless told that this is a one-machine
# cluster; then it binds the loopback address (127.0.0.1) only. Set before Ray is imported, and
# inherited by the driver processes.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
# Token authentication (the token in ~/.ray/auth_token, made on first use) for the cluster and
# the drivers alike; without this a connecting driver does not present the token.
os.environ["RAY_AUTH_MODE"] = "token"

import pyarrow.parquet as pq  # noqa: E402
import ray  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.abspath(os.environ.get("CLIPDETECT_BINARY", os.path.join(REPO, ".build", "release", "clipdetect")))
DRIVER = os.path.join(REPO, "tools", "ray", "clipdetect_ray.py")
SCENES = sorted(os.path.join(REPO, "examples", "shapes-bench", f) for f in os.listdir(os.path.join(REPO, "examples", "shapes-bench"))
                if f.endswith(".jpg"))[:20]
CLASSES = "red star,blue circle,green triangle,yellow square"
# One OpenBLAS thread, as each worker gets by default (--cpus-per-worker 1): OpenBLAS's thread
# count changes float32 sums in the last bits, so the local reference runs with the same setting.
ENV = dict(os.environ, CLIPDETECT_MODELS=os.path.join(REPO, "models"), OPENBLAS_NUM_THREADS="1")


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def clipdetect(*args):
    result = subprocess.run([BINARY, *args], capture_output=True, text=True, env=ENV)
    check(result.returncode == 0, f"clipdetect {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def processes(matches):
    """Pids of the running processes whose argv `matches` accepts (found in /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if matches(argv):
                pids.append(int(entry))
    return pids


def worker_pids():
    """Running `clipdetect worker` processes of this binary."""
    return processes(lambda argv: len(argv) > 1 and argv[0].decode(errors="replace") == BINARY and argv[1] == b"worker")


def actor_pids():
    """Running Ray Data pool actors of the driver (Ray names the process after the actor)."""
    return processes(lambda argv: argv[0].startswith(b"ray::MapWorker(MapBatches(ShardMapper))"))


def shards(outdir):
    return sorted(f for f in os.listdir(outdir) if f.startswith("shard-") and f.endswith(".parquet"))


def run_driver(args, address, kill_worker_after=None, kill_driver_after=None, victims=worker_pids):
    """Runs the driver; with the kill_* shard counts, SIGKILLs one of the `victims()` processes
    (clipdetect workers, or the Ray actors holding them) once that many shards exist, and then
    the driver; returns the driver's exit status (or the signal)."""
    command = [sys.executable, DRIVER, *args, "--address", address, "--workers", "2", "--shard-size", "2"]
    driver = subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE, text=True)
    outdir = args[args.index("--output") + 1]
    killed_worker = False
    while driver.poll() is None:
        written = len(shards(outdir)) if os.path.isdir(outdir) else 0
        if kill_worker_after is not None and not killed_worker and written >= kill_worker_after:
            pids = victims()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed_worker = True
                print(f"killed {victims.__name__[:-5]} process {pids[0]} after {written} shards", file=sys.stderr)
        if kill_driver_after is not None and killed_worker and written >= kill_driver_after:
            driver.send_signal(signal.SIGKILL)
            driver.wait()
            print(f"killed the driver after {written} shards", file=sys.stderr)
            return -signal.SIGKILL
        time.sleep(0.05)
    stderr = driver.stderr.read()
    sys.stderr.write(stderr)
    check(kill_worker_after is None or killed_worker, "the driver finished before a worker could be killed")
    check(kill_driver_after is None, f"the driver finished before it could be killed: {stderr}")
    check(driver.returncode == 0, f"driver failed ({driver.returncode})")
    return driver.returncode


def wait_for_no_workers(timeout=30):
    end = time.monotonic() + timeout
    while worker_pids() and time.monotonic() < end:
        time.sleep(0.2)
    check(not worker_pids(), "clipdetect worker processes outlived their driver")


def read_rows(outdir):
    names = shards(outdir)
    check(names == [f"shard-{i:05d}.parquet" for i in range(len(names))], f"shard files not contiguous: {names}")
    check(not [f for f in os.listdir(outdir) if f.startswith(".")], f"temporary files left in {outdir}: {os.listdir(outdir)}")
    return [row for name in names for row in pq.read_table(os.path.join(outdir, name)).to_pylist()]


def f32(x):
    import struct
    return struct.unpack("<f", struct.pack("<f", x))[0]


def test_detect(tmp, address):
    broken = os.path.join(tmp, "broken.jpg")
    with open(broken, "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 not really a jpeg")
    listing = os.path.join(tmp, "inputs.txt")
    with open(listing, "w") as f:
        f.write("# the scenes and one broken file\n" + "\n".join(SCENES + [broken]) + "\n")
    expected = {e["image"]: e for e in json.loads(clipdetect(*SCENES, "--classes", CLASSES, "--json", "-", "--no-save"))}
    check(len(expected) == 20, "local run did not give 20 images")

    outdir = os.path.join(tmp, "detect-out")
    args = ["detect", listing, "--output", outdir, "--model", "shapes-tiny", "--classes", CLASSES]
    run_driver(args, address, kill_worker_after=1, kill_driver_after=4)
    partial = len(shards(outdir))
    check(0 < partial < 11, f"{partial} shards after the kill; expected some but not all of 11")
    wait_for_no_workers()
    run_driver(args, address)
    rows = read_rows(outdir)
    by_path = {}
    for row in rows:
        by_path.setdefault(row["path"], []).append(row)
    check(sorted(by_path) == sorted(SCENES + [broken]), f"paths differ: {sorted(set(by_path) ^ set(SCENES + [broken]))}")
    check(all(len(v) == 1 for v in by_path.values()), "an image has more than one row")
    check(by_path[broken][0]["error"] and by_path[broken][0]["detections"] is None, f"broken file row: {by_path[broken]}")
    for path in SCENES:
        row, want = by_path[path][0], expected[path]
        check(row["error"] is None, f"{path}: error {row['error']}")
        check(row["frame"] is None and row["timestamp"] is None, f"{path}: frame fields set for an image")
        for key in ("width", "height", "model", "classes"):
            check(row[key] == want[key], f"{path}: {key} {row[key]} != {want[key]}")
        got = [(d["label"], d["class_id"], d["score"], d["box"], d["track_id"]) for d in row["detections"]]
        exp = [(d["label"], d["class_id"], f32(d["score"]), [f32(v) for v in d["box"]], d.get("track_id")) for d in want["detections"]]
        check(got == exp, f"{path}: detections differ:\n{got}\n{exp}")
    print(f"detect: {len(rows)} rows equal the local clipdetect --json output (resumed after {partial} of 11 shards)", file=sys.stderr)


def test_index(tmp, address):
    photos = os.path.join(tmp, "photos")
    os.makedirs(os.path.join(photos, "sub"))
    for i, scene in enumerate(SCENES):
        shutil.copy2(scene, os.path.join(photos, "sub" if i % 4 == 0 else "", os.path.basename(scene)))
    with open(os.path.join(photos, "broken.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n broken")
    local = os.path.join(tmp, "local.sqlite")
    clipdetect("index", photos, "--index", local, "--model", "shapes-tiny")

    outdir = os.path.join(tmp, "index-out")
    args = ["index", photos, "--output", outdir, "--model", "shapes-tiny"]
    # Here a Ray actor dies (its clipdetect worker with it) and the driver runs on: Ray Data
    # restarts the actor and retries its shard; the driver drops the rows it already has.
    run_driver(args, address, kill_worker_after=1, victims=actor_pids)
    wait_for_no_workers()
    check(len(shards(outdir)) == 11, f"{len(shards(outdir))} of 11 shards after a lost actor")
    run_driver(args, address)  # a rerun over a complete output writes nothing
    rows = read_rows(outdir)
    paths = [r["path"] for r in rows]
    check(len(paths) == len(set(paths)) == 21, f"{len(paths)} rows, {len(set(paths))} paths; expected 21 each")

    cluster = os.path.join(tmp, "cluster.sqlite")
    summary = json.loads(clipdetect("index", "--import", outdir, "--index", cluster, "--json"))
    check((summary["imported"], summary["failed"], summary["skipped"]) == (20, 1, 0), f"import summary {summary}")

    def table(db):
        with sqlite3.connect(db) as c:
            return c.execute("SELECT path, model, size, mtime_ns, length(embedding), error IS NOT NULL FROM images ORDER BY path").fetchall()
    check(table(local) == table(cluster), f"index rows differ:\n{table(local)}\n{table(cluster)}")

    def search(db, *query):
        return json.loads(clipdetect("search", *query, "--index", db, "--top", "20", "--json"))
    worst = 0.0
    # The imported index, and (one query) search reading the Parquet shards directly.
    for query, index in ((["red star"], cluster), (["a blue circle and a green triangle"], cluster),
                         (["--image", SCENES[3]], cluster), (["red star"], outdir)):
        a, b = search(local, *query), search(index, *query)
        check([h["path"] for h in a] == [h["path"] for h in b], f"search {query} in {index}: order differs\n{a}\n{b}")
        worst = max([worst] + [abs(x["score"] - y["score"]) for x, y in zip(a, b)])
    check(worst <= 1e-5, f"search scores differ by {worst}")
    print(f"index: 21 rows imported; search (imported, and over the shards directly) equals the local index (largest score difference {worst:.2e})", file=sys.stderr)


def main():
    check(os.access(BINARY, os.X_OK), f"{BINARY}: no clipdetect binary (swift build -c release first)")
    start = time.monotonic()
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=100 * 1024 * 1024, log_to_driver=False)
    address = ray.get_runtime_context().gcs_address
    check(address.startswith("127.0.0.1:"), f"Ray is not on loopback: {address}")
    tmp = tempfile.mkdtemp(prefix="clipdetect-ray-test-")
    try:
        test_detect(tmp, address)
        test_index(tmp, address)
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"ray tests passed in {time.monotonic() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
