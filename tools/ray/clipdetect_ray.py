#!/usr/bin/env python3
"""Batch detection and indexing with clipdetect on a Ray cluster.

    python3 tools/ray/clipdetect_ray.py detect INPUT... --classes "a,b" --output OUTDIR \
        [--model M] [--address ADDR] [--workers N] [any clipdetect detect flag]
    python3 tools/ray/clipdetect_ray.py index INPUT... --output OUTDIR [--model M] ...
    clipdetect index --import OUTDIR --index photos.sqlite     # then search as usual
    clipdetect search "a cat" --index OUTDIR                    # or search the shards directly

INPUT: image or video files, folders (recursive, hidden names skipped), or .txt files listing
one path per line (relative paths from the working directory; blank lines and # comments
skipped). Paths are made absolute: every node must see them under the same path.

How it runs (the design, and why):
- The sorted, de-duplicated path list is cut into shards of --shard-size files; shard K always
  holds the same files (OUTDIR/_manifest.json records the inputs and flags, and a rerun with
  other inputs or flags into the same OUTDIR is refused).
- Ray Data shards the work: a dataset with one row (and block) per shard still to write goes
  through `map_batches` on an actor pool of --workers actors (`ActorPoolStrategy`, one shard per
  call). Each actor keeps one `clipdetect worker` process (model and class embeddings loaded
  once per worker) and feeds it JSON-line requests; the worker answers with the CLI's own
  `--json` elements (detect) or index rows (embed), so the cluster output equals a local run.
  The actor yields one row per file, so the driver counts progress per file.
- The driver collects the rows per shard and writes each complete shard as
  OUTDIR/shard-KKKKK.parquet through a hidden temporary file and a rename, so a shard file is
  complete or absent (Ray Data's own writers name files per run and write them from the
  workers, which gives neither fixed shard ids nor resumability). A rerun skips shards already
  written: killing a worker, an actor or the driver loses at most the shards in flight and
  never duplicates a row.
- A worker process that dies is restarted and the file retried once; a file that kills it twice
  becomes an error row. An actor that dies (node lost) is restarted by Ray Data and its shard
  retried; the driver drops rows it already has. Files that fail are rows with `error` set,
  never a failed job.

Measured choices (`tools/ray/bench_ray_data.py`: local Ray, 2 CPUs, 20 shapes-bench scenes in
2-file shards, 2 actors × 1 CPU; seconds from the dataset's creation to its last row, actor
start and model load included; 2026-11-29 13:44 UTC, shared 2-core machine at load 6–8, so only
differences of several seconds mean anything):
| Ray Data setting                                                    | clipdetect | sleep 0.5 s/file |
|---------------------------------------------------------------------|------------|------------------|
| one row and block per shard, batch_size=1, fixed pool of 2          | 16.0 s     | 8.6 s            |
| same, max_tasks_in_flight_per_actor=1 (used: no shard waits behind  | 15.8 s     | 9.3 s            |
|   another on a busy actor while one is idle)                        |            |                  |
| + a CPU task stage before the pool (do the pool's CPUs starve it?)  | 15.7 s     | 9.0 s            |
| autoscaling pool (1, 2) instead of a fixed 2                        | 17.1 s     | 9.5 s            |
| one row per file, Ray Data's default blocks and batch size          | 14.4 s     | 9.1 s            |
None of them is the 10× slowdown an earlier Ray Data attempt saw; its Ray logs show 31–93 s per
actor constructor and ~100 s per 2-file task, i.e. time inside the actors on a then overloaded
machine, not Ray Data scheduling. The end-to-end test took 81 s with the plain-actor driver
and 88 s with this one, back to back at load ~11.5.

Parquet (pyarrow; uncompressed, PLAIN, no dictionary, data pages v1 — the subset
`clipdetect index --import` reads without a Parquet library):
- detect: one row per image or detected video frame: path, frame, timestamp (null for images),
  width, height, model, classes list<string>, detections list<struct<label, class_id, score
  float32, box list<float32>, track_id>>, error.
- index: path, size, mtime_ns, model, model_source, embedding (little-endian float32 bytes, the
  SQLite index's blob), error.
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid

VIDEO_EXTENSIONS = {"mp4", "avi", "mov", "mkv", "webm", "m4v"}
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "gif", "pgm", "ppm", "pnm"}
PARQUET_OPTIONS = dict(compression="none", use_dictionary=False, data_page_version="1.0", write_statistics=False)
SHARD_PREFIX = "shard-"


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- inputs and shards

def extension(path):
    return os.path.splitext(path)[1][1:].lower()


def expand_inputs(inputs, op):
    """Absolute, sorted, de-duplicated paths of the files INPUT names."""
    wanted = IMAGE_EXTENSIONS | (VIDEO_EXTENSIONS if op == "detect" else set())
    paths = set()
    for item in inputs:
        if os.path.isdir(item):
            for root, dirs, files in os.walk(item):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                paths.update(os.path.abspath(os.path.join(root, f)) for f in files
                             if not f.startswith(".") and extension(f) in wanted)
        elif item.endswith(".txt") and os.path.isfile(item):
            with open(item, encoding="utf-8") as listing:
                for line in listing:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        paths.add(os.path.abspath(line))
        elif os.path.exists(item) or "%" in os.path.basename(item):
            paths.add(os.path.abspath(item))
        else:
            fail(f"{item}: no such file or folder")
    return sorted(paths)


def make_shards(paths, size):
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def shard_name(index):
    return f"{SHARD_PREFIX}{index:05d}.parquet"


def check_manifest(outdir, manifest):
    """Records the run in OUTDIR/_manifest.json; refuses an OUTDIR holding another run."""
    path = os.path.join(outdir, "_manifest.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
        if old != manifest:
            changed = [k for k in manifest if old.get(k) != manifest[k]]
            fail(f"{outdir}: holds shards of another run (different {', '.join(changed) or 'manifest'}); use a new --output folder")
        return
    write_atomically(path, lambda tmp: open(tmp, "w", encoding="utf-8").write(json.dumps(manifest, indent=1, sort_keys=True) + "\n"))


def write_atomically(path, write):
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# ---------------------------------------------------------------- rows and Parquet

def detect_schema():
    import pyarrow as pa
    detection = pa.struct([("label", pa.string()), ("class_id", pa.int64()), ("score", pa.float32()),
                           ("box", pa.list_(pa.float32())), ("track_id", pa.int64())])
    return pa.schema([pa.field("path", pa.string(), nullable=False), ("frame", pa.int64()), ("timestamp", pa.float64()),
                      ("width", pa.int64()), ("height", pa.int64()), ("model", pa.string()),
                      ("classes", pa.list_(pa.string())), ("detections", pa.list_(detection)), ("error", pa.string())])


def index_schema():
    import pyarrow as pa
    return pa.schema([pa.field("path", pa.string(), nullable=False), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                      ("model", pa.string()), ("model_source", pa.string()), ("embedding", pa.binary()), ("error", pa.string())])


def detect_rows(path, reply):
    if "error" in reply:
        return [{"path": path, "error": reply["error"]}]
    rows = []
    for r in reply["results"]:
        rows.append({"path": path, "frame": r.get("frame"), "timestamp": r.get("timestamp"), "width": r["width"],
                     "height": r["height"], "model": r["model"], "classes": r["classes"],
                     "detections": [{"label": d["label"], "class_id": d["class_id"], "score": d["score"], "box": d["box"],
                                     "track_id": d.get("track_id")} for d in r["detections"]]})
    if not rows:
        rows.append({"path": path, "error": "no frame was detected (empty video or range)"})
    return rows


def index_rows(path, reply):
    if "error" in reply:
        return [{"path": path, "error": reply["error"]}]
    r = reply["record"]
    embedding = base64.b64decode(r["embedding"]) if r.get("embedding") else None
    return [{"path": r["path"], "size": r["size"], "mtime_ns": r["mtime_ns"], "model": r["model"],
             "model_source": r["model_source"], "embedding": embedding, "error": r.get("error")}]


def write_shard(outdir, index, op, replies):
    import pyarrow as pa
    import pyarrow.parquet as pq
    to_rows = detect_rows if op == "detect" else index_rows
    rows = [row for path, reply in replies for row in to_rows(path, reply)]
    table = pa.Table.from_pylist(rows, schema=detect_schema() if op == "detect" else index_schema())
    write_atomically(os.path.join(outdir, shard_name(index)), lambda tmp: pq.write_table(table, tmp, **PARQUET_OPTIONS))
    return len(rows)


# ---------------------------------------------------------------- the worker process

class WorkerProcess:
    """One `clipdetect worker` subprocess: a request line in, a reply line out."""

    def __init__(self, command, env):
        self.command, self.env = command, env
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env={**os.environ, **self.env}, text=True, bufsize=1, encoding="utf-8")

    def ask(self, request):
        """The reply to `request`, or None when the process died (it is then restarted)."""
        if self.process is None or self.process.poll() is not None:
            self.start()
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if line:
            return json.loads(line)
        status = self.process.wait()
        self.process = None
        return {"_died": status}

    def answer(self, op, path):
        """The reply for one file; a file that kills the process twice becomes an error reply."""
        request = {"op": op, "path": path}
        reply = self.ask(request)
        if "_died" in reply:
            reply = self.ask(request)  # once more on a fresh process
            if "_died" in reply:
                reply = {"path": path, "error": f"the clipdetect worker process died on this file twice (exit status {reply['_died']})"}
        return reply

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()


class ShardMapper:
    """The Ray Data `map_batches` callable: one instance per pool actor, holding one
    `clipdetect worker` process for the actor's lifetime. Takes a batch of shard rows
    (shard id, paths) and yields one single-row table per file (shard, path, JSON reply), so the
    driver sees every file as it finishes (the driver sets the target block size to one byte:
    each yielded table is its own block)."""

    def __init__(self, command, env, op):
        self.op = op
        self.worker = WorkerProcess(command, env)
        self.worker.start()

    def __call__(self, batch):
        import pyarrow as pa
        for shard in batch.to_pylist():
            for path in shard["paths"]:
                reply = json.dumps(self.worker.answer(self.op, path))
                yield pa.table({"shard": [shard["shard"]], "path": [path], "reply": [reply]})

    def __del__(self):
        self.worker.close()


def worker_command(binary, model, passthrough):
    return [binary, "worker"] + (["--model", model] if model else []) + passthrough


def check_worker_setup(command, env):
    """Starts one worker locally with no request, so bad flags or a bad model fail at once."""
    try:
        result = subprocess.run(command, input="", capture_output=True, text=True, env={**os.environ, **env}, timeout=600)
    except FileNotFoundError:
        fail(f"{command[0]}: clipdetect binary not found (build it with swift build -c release, or give --binary)")
    if result.returncode != 0:
        fail(f"clipdetect worker does not start: {result.stderr.strip() or f'exit status {result.returncode}'}")


# ---------------------------------------------------------------- progress

class Progress:
    def __init__(self, total, already):
        self.total, self.done, self.start = total, already, time.monotonic()
        self.started_with = already
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def add(self, files, force=False):
        self.done += files
        now = time.monotonic()
        if not (force or self.tty or now - self.last >= 5 or self.done == self.total):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        rate = (self.done - self.started_with) / elapsed
        left = self.total - self.done
        eta = f"{left / rate:.0f} s" if rate > 0 else "-"
        line = f"{self.done}/{self.total} files, {rate:.2f} files/s, ETA {eta}"
        end = "\n" if (not self.tty or self.done == self.total) else ""
        print(("\r" if self.tty else "") + line + ("\x1b[K" if self.tty else ""), end=end, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- driver

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("op", choices=["detect", "index"])
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--output", required=True, help="folder for the Parquet shards (created when missing)")
    parser.add_argument("--model", help="model folder or shipped name, as clipdetect --model (default: shapes-tiny)")
    parser.add_argument("--address", help="Ray cluster address (e.g. auto, or HEAD_IP:6379); default: a local Ray")
    parser.add_argument("--workers", type=int, default=None, help="clipdetect worker processes (default: one per CPU)")
    parser.add_argument("--cpus-per-worker", type=float, default=1, help="Ray CPUs each worker reserves (and its OpenBLAS threads)")
    parser.add_argument("--shard-size", type=int, default=32, help="files per shard (one Parquet file each)")
    parser.add_argument("--binary", default=None, help="clipdetect binary on every node (default: clipdetect on PATH, else this checkout's .build/release/clipdetect)")
    args, passthrough = parser.parse_known_args(argv)
    # The remaining arguments are clipdetect flags; an INPUT after them lands here too.
    if any(not a.startswith("-") and (i == 0 or not passthrough[i - 1].startswith("-")) for i, a in enumerate(passthrough)):
        fail("give the INPUTs before the clipdetect flags")
    if args.op == "detect" and not any(a.split("=")[0] in ("--classes", "--classes-file", "--class-image") for a in passthrough):
        fail('detect needs classes: --classes "a,b", --classes-file FILE or --class-image NAME=PATH')
    if args.shard_size < 1:
        fail("--shard-size must be ≥ 1")
    if args.workers is not None and args.workers < 1:
        fail("--workers must be ≥ 1")
    return args, passthrough


def default_binary():
    found = shutil.which("clipdetect")
    if found:
        return found
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "clipdetect"))


def main(argv=None):
    start = time.monotonic()
    args, passthrough = parse_args(sys.argv[1:] if argv is None else argv)
    binary = args.binary or default_binary()
    model = os.path.abspath(args.model) if args.model and os.path.isdir(args.model) else args.model
    command = worker_command(binary, model, passthrough)
    # Only these variables travel to the workers (merged over each node's own environment).
    env = {k: v for k, v in os.environ.items() if k.startswith(("CLIPDETECT_", "HF_", "OPENBLAS_"))}
    # OpenBLAS threads per worker = the CPUs it reserves, so N workers do not oversubscribe.
    env.setdefault("OPENBLAS_NUM_THREADS", str(max(1, int(args.cpus_per_worker))))
    env.setdefault("CLIPDETECT_MODELS", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "models")))

    paths = expand_inputs(args.inputs, args.op)
    if not paths:
        fail("no input files found")
    shards = make_shards(paths, args.shard_size)
    os.makedirs(args.output, exist_ok=True)
    manifest = {"op": args.op, "command": command[1:], "shard_size": args.shard_size, "files": len(paths),
                "paths_sha256": hashlib.sha256("\n".join(paths).encode()).hexdigest()}
    check_manifest(args.output, manifest)
    for name in os.listdir(args.output):  # temporaries of a killed run (only the driver writes OUTDIR)
        if name.startswith(f".{SHARD_PREFIX}") and ".tmp-" in name:
            os.remove(os.path.join(args.output, name))
    todo = [i for i in range(len(shards)) if not os.path.exists(os.path.join(args.output, shard_name(i)))]
    print(f"{len(paths)} files in {len(shards)} shards, {len(shards) - len(todo)} already written in {args.output}",
          file=sys.stderr, flush=True)
    if not todo:
        return 0
    check_worker_setup(command, env)

    import ray
    import ray.data
    if args.address:
        ray.init(address=args.address, log_to_driver=True)
    else:
        ray.init(include_dashboard=False, log_to_driver=True)
    cpus = ray.cluster_resources().get("CPU", 1)
    count = min(args.workers or max(1, int(cpus // args.cpus_per_worker)), len(todo))
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the driver prints its own progress line
    context.print_on_execution_start = False
    context.target_max_block_size = 1  # every file's row its own block: per-file progress
    request_op = "detect" if args.op == "detect" else "embed"
    # One input row (and block) per shard still to do; each map call gets one shard.
    dataset = ray.data.from_items([{"shard": k, "paths": shards[k]} for k in todo], override_num_blocks=len(todo))
    dataset = dataset.map_batches(
        ShardMapper, fn_constructor_args=(command, env, request_op), batch_size=1, batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=count, max_tasks_in_flight_per_actor=1), num_cpus=args.cpus_per_worker)
    progress = Progress(len(paths), len(paths) - sum(len(shards[i]) for i in todo))
    print(f"{count} workers on Ray Data ({cpus:g} CPUs); start-up {time.monotonic() - start:.1f} s", file=sys.stderr, flush=True)
    pending, written = {}, set()  # shard → {path: reply} until the shard is complete; shards written
    failed = repeated = 0
    for row in dataset.iter_rows():
        shard, path = row["shard"], row["path"]
        replies = pending.setdefault(shard, {}) if shard not in written else {path: None}
        if path in replies:  # a task retried after its actor was lost yields its files again
            repeated += 1
            continue
        reply = json.loads(row["reply"])
        replies[path] = reply
        failed += 1 if "error" in reply or (reply.get("record") or {}).get("error") else 0
        progress.add(1)
        if len(replies) == len(shards[shard]):
            write_shard(args.output, shard, args.op, [(p, replies[p]) for p in shards[shard]])
            del pending[shard]
            written.add(shard)
    if pending:
        fail(f"shards {sorted(pending)} came back incomplete")
    seconds = time.monotonic() - progress.start
    done = progress.done - progress.started_with
    print(f"{done} files in {seconds:.1f} s ({done / max(seconds, 1e-9):.2f} files/s after start-up) → {args.output}", file=sys.stderr, flush=True)
    if repeated:
        print(f"{repeated} files answered again by retried tasks (lost actors); the repeats were dropped", file=sys.stderr, flush=True)
    if failed:
        print(f"warning: {failed} files failed (rows with an error in {args.output})", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
