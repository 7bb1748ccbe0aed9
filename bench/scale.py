"""`make bench-scale` (issue 17): the command line at warehouse scale, next to native DuckDB on the same files.

Data: `huaxiang sample` members and orders (no events) for HUAXIANG_SCALE_MEMBERS members (default 10,000,000) with
HUAXIANG_SCALE_ORDERS_PER_MEMBER orders each on average (default 10: about 100M order rows), generated once into
HUAXIANG_BENCH_DATA (default a folder under the system temp dir), and the benchmark's generated pack of 100 tags and
1,000 audience expressions (`huaxiang sample --only pack --seed 7`, the same pack as `make bench`).

huaxiang: the release CLI, as a user runs it, streaming the files from disk:
  - `huaxiang profile --rules pack.rules --count audiences.txt --timings`: load, RFM, the 100 tags, the 1,000
    audience counts, writing members.csv (one row per member with every tag); its timings.json gives each step and
    the process's peak memory;
  - `huaxiang audience --expr …` for one expression of the pack: the whole run and its peak memory.
DuckDB: the PyPI wheel, natively, with as many threads as the machine has cores, in its own process:
  - load: the two CSV files, cleaned as in the DuckDB-WASM comparison (bench/page/duckdb-sql.js: the same SQL);
  - RFM: the RFM table and its 8 segments (the same SQL);
  - tags: the engine's own DuckDB export of the same pack (`huaxiang profile --sql duckdb` on a small sample of the
    same generator, since the SQL depends only on the pack and the columns), creating member_tags;
  - counts: the audience table, then each expression as its own `SELECT count(*)` (the same translation).
Every result is cross-checked: the 8 segment sizes, every tag's count and each enumerated value's, every audience
count. Any difference fails the run (exit status 1). One run of each (HUAXIANG_SCALE_RUNS for more; the table gives
the median and every run).

Results: printed as Markdown and written to results/bench-scale-N.json and .md (git-ignored). Figures, not tests.
"""

import csv
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "target" / "release" / "huaxiang"
SEED = 7


def num(name, default):
    return int(str(os.environ.get(name, default)).replace("_", ""))


MEMBERS = num("HUAXIANG_SCALE_MEMBERS", 10_000_000)
ORDERS_PER = num("HUAXIANG_SCALE_ORDERS_PER_MEMBER", 10)
RUNS = num("HUAXIANG_SCALE_RUNS", 1)


def run(args, **kw):
    return subprocess.run([str(a) for a in args], check=True, **kw)


def dataset():
    """The sample files and the pack, generated once (into a scratch folder renamed when complete)."""
    base = Path(os.environ.get("HUAXIANG_BENCH_DATA", Path(tempfile.gettempdir()) / "huaxiang-bench"))
    folder = base / f"scale-{MEMBERS}-o{ORDERS_PER}"
    if not folder.exists():
        base.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=folder.name + "-partial-", dir=base))
        print(f"generating {MEMBERS:,} members with about {ORDERS_PER} orders each in {folder} …", flush=True)
        run([CLI, "sample", "--out", scratch, "--members", MEMBERS, "--only", "members"])
        run([CLI, "sample", "--out", scratch, "--members", MEMBERS, "--only", "orders", "--orders-per-member", ORDERS_PER])
        run([CLI, "sample", "--out", scratch, "--only", "pack", "--seed", SEED, "--tags", 100, "--audiences", 1000])
        # The pack's DuckDB SQL, from a small sample of the same generator (same columns, so the same SQL).
        small = scratch / "schema"
        run([CLI, "sample", "--out", small, "--members", 2000, "--only", "members"])
        run([CLI, "sample", "--out", small, "--members", 2000, "--only", "orders", "--orders-per-member", ORDERS_PER])
        run(
            [CLI, "profile", "--members", small / "sample_members.csv", "--orders", small / "sample_orders.csv",
             "--rules", scratch / "pack.rules", "--sql", "duckdb", "--out", small / "out"],
            stderr=subprocess.DEVNULL,
        )
        shutil.copy(small / "out" / "tags.duckdb.sql", scratch / "tags.duckdb.sql")
        shutil.rmtree(small)
        scratch.rename(folder)
    return folder


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def peak_of(args):
    """Runs a command (its stderr discarded) from a fresh Python process whose only child it is, and returns the
    command's peak resident memory in bytes (getrusage of the children, which cannot single out one child of ours)."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)\n"
    )
    return int(run([sys.executable, "-c", probe, *args], capture_output=True, text=True).stdout.strip())


def huaxiang_run(data, work):
    """One run of the CLI: `audience` for one expression, then `profile` with the pack and the counts."""
    files = ["--members", data / "sample_members.csv", "--orders", data / "sample_orders.csv"]
    first = next(l for l in (data / "audiences.txt").read_text(encoding="utf-8").splitlines() if l.strip())
    t = time.perf_counter()
    audience_peak = peak_of([CLI, "audience", *files, "--rules", data / "pack.rules", "--expr", first, "--out", work / "audience.csv"])
    audience_s = time.perf_counter() - t
    out = work / "out"
    t = time.perf_counter()
    run([CLI, "profile", *files, "--rules", data / "pack.rules", "--count", data / "audiences.txt", "--timings", "--out", out],
        stderr=subprocess.DEVNULL)
    profile_s = time.perf_counter() - t
    timings = json.loads((out / "timings.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    tags = {}
    for row in read_csv(out / "tags.csv"):
        if row["group"] == "系统":
            continue
        t_ = tags.setdefault(row["name"], {"count": 0, "values": {}})
        if row["type"] == "enum":
            t_["values"][row["value"]] = int(row["members"])
            t_["count"] += int(row["members"])
        else:
            t_["count"] = int(row["members"])
    counts = [int(r["members"]) for r in read_csv(out / "counts.csv")]
    audience_rows = sum(1 for _ in open(work / "audience.csv", encoding="utf-8-sig")) - 1
    s = timings["seconds"]
    return {
        "load": s["load"], "rfm": s["rfm"], "tags": s["rules"] + s["tags"], "counts": s["counts"], "write": s["write"],
        "countP50Ms": timings["counts"]["p50Ms"], "countP99Ms": timings["counts"]["p99Ms"],
        "profileSeconds": profile_s, "peakBytes": timings["peakRssBytes"],
        "audienceSeconds": audience_s, "audiencePeakBytes": audience_peak, "audienceRows": audience_rows,
        "members": summary["members"], "buyers": summary["buyers"], "orders": summary["orders"], "asOf": summary["asOf"],
        "segments": {x["key"]: x["count"] for x in summary["segments"]}, "tagResults": tags, "audienceCounts": counts,
    }


def duckdb_run(data, sql_file, out_file):
    """One DuckDB run in this process (started as its own process by the parent, so its peak memory is its own)."""
    import duckdb

    sql = json.loads(Path(sql_file).read_text(encoding="utf-8"))
    con = duckdb.connect()
    threads = os.cpu_count() or 1
    con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = true")
    times = {}
    t = time.perf_counter()
    con.execute(sql["load"]["members"].replace("{file}", str(data / "sample_members.csv")))
    con.execute(sql["load"]["orders"].replace("{file}", str(data / "sample_orders.csv")))
    # No events file at this scale: the tag SQL reads an empty events table.
    con.execute("CREATE TABLE events_t (member_id VARCHAR, type VARCHAR, time TIMESTAMP, target VARCHAR)")
    con.execute("CREATE VIEW events AS SELECT member_id, time, type, target, rowid AS row_no FROM events_t")
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(sql["rfm"])
    segments = {k: n for k, n in con.execute(sql["segments"]).fetchall()}
    times["rfm"] = time.perf_counter() - t
    t = time.perf_counter()
    con.execute((data / "tags.duckdb.sql").read_text(encoding="utf-8"))
    times["tags"] = time.perf_counter() - t
    columns = {name: kind for name, kind in con.execute("SELECT column_name, column_type FROM (DESCRIBE member_tags)").fetchall()}
    tags = {}
    for name in sql["tags"]:
        if columns.get(name) == "BOOLEAN":
            n = con.execute(f'SELECT count(*) FROM member_tags WHERE "{name}"').fetchone()[0]
            tags[name] = {"count": n, "values": {}}
        elif name in columns:
            values = dict(con.execute(f'SELECT "{name}", count(*) FROM member_tags WHERE "{name}" IS NOT NULL GROUP BY 1').fetchall())
            tags[name] = {"count": sum(values.values()), "values": values}
    t = time.perf_counter()
    con.execute(sql["audienceTable"])
    counts, count_ms = [], []
    for cond in sql["conditions"]:
        t1 = time.perf_counter()
        counts.append(con.execute(f"SELECT count(*) FROM hx_audience WHERE {cond}").fetchone()[0])
        count_ms.append((time.perf_counter() - t1) * 1000)
    times["counts"] = time.perf_counter() - t
    count_ms.sort()
    pct = lambda p: count_ms[max(1, min(len(count_ms), math.ceil(len(count_ms) * p))) - 1]
    members = con.execute("SELECT count(*) FROM member_tags").fetchone()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    Path(out_file).write_text(json.dumps({
        **times, "countP50Ms": pct(0.5), "countP99Ms": pct(0.99), "peakBytes": peak, "threads": threads,
        "version": duckdb.__version__, "members": members, "segments": segments, "tagResults": tags, "audienceCounts": counts,
    }))


def cross_check(hx, dk):
    problems = []
    for k in sorted(set(hx["segments"]) | set(dk["segments"])):
        if hx["segments"].get(k, 0) != dk["segments"].get(k, 0):
            problems.append(f"segment {k}: huaxiang {hx['segments'].get(k, 0)}, DuckDB {dk['segments'].get(k, 0)}")
    for name in sorted(set(hx["tagResults"]) | set(dk["tagResults"])):
        a, b = hx["tagResults"].get(name), dk["tagResults"].get(name)
        if a is None or b is None:
            problems.append(f"tag {name}: only in {'DuckDB' if a is None else 'huaxiang'}")
        elif a["count"] != b["count"] or a["values"] != {str(k): v for k, v in b["values"].items()}:
            problems.append(f"tag {name}: huaxiang {a}, DuckDB {b}")
    if len(hx["audienceCounts"]) != len(dk["audienceCounts"]):
        problems.append(f"audience counts: huaxiang {len(hx['audienceCounts'])}, DuckDB {len(dk['audienceCounts'])}")
    for i, (a, b) in enumerate(zip(hx["audienceCounts"], dk["audienceCounts"])):
        if a != b:
            problems.append(f"audience #{i + 1}: huaxiang {a}, DuckDB {b}")
    if hx["members"] != dk["members"]:
        problems.append(f"members: huaxiang {hx['members']}, DuckDB {dk['members']}")
    return problems


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "duckdb":
        return duckdb_run(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    if not CLI.exists():
        sys.exit(f"{CLI} is missing: run `cargo build --release --bin huaxiang` first (or `make bench-scale`)")
    data = dataset()
    tags = [l.split()[1] for l in (data / "pack.rules").read_text(encoding="utf-8").splitlines() if l.startswith("tag ")]
    work = Path(tempfile.mkdtemp(prefix="huaxiang-scale-"))
    sql_file = work / "duckdb-sql.json"
    sql = json.loads(run(["node", ROOT / "bench" / "scale-sql.mjs", data / "audiences.txt", *tags], capture_output=True).stdout)
    sql["tags"] = tags
    sql_file.write_text(json.dumps(sql), encoding="utf-8")
    size = sum((data / f).stat().st_size for f in ["sample_members.csv", "sample_orders.csv"])
    hx_runs, dk_runs = [], []
    for i in range(RUNS):
        print(f"run {i + 1}/{RUNS}: huaxiang CLI …", flush=True)
        hx_runs.append(huaxiang_run(data, work))
        shutil.rmtree(work / "out", ignore_errors=True)
        print(f"run {i + 1}/{RUNS}: DuckDB …", flush=True)
        out = work / "duckdb.json"
        run([sys.executable, __file__, "duckdb", data, sql_file, out])
        dk_runs.append(json.loads(out.read_text()))
    problems = [p for hx, dk in zip(hx_runs, dk_runs) for p in cross_check(hx, dk)]
    hx, dk = hx_runs[0], dk_runs[0]

    med = lambda rs, k: statistics.median(r[k] for r in rs)
    every = lambda rs, k: ", ".join(f"{r[k]:.2f}" for r in rs)
    gb = lambda b: f"{b / 1e9:.2f} GB" if b else "—"
    lines = [
        f"Data: {hx['members']:,} members, {hx['orders']:,} orders loaded ({size / 1e9:.2f} GB CSV: members + orders), "
        f"analysis date {hx['asOf']}, {hx['buyers']:,} buyers. Machine: {os.cpu_count()} cores. huaxiang: the release CLI, "
        f"one thread, streaming the files. DuckDB {dk['version']} (PyPI wheel, native, {dk['threads']} threads), the same "
        f"files. {RUNS} run(s); the median, then every run, in seconds.",
        "",
        "| step | huaxiang CLI | DuckDB native | huaxiang / DuckDB | every run (huaxiang; DuckDB) |",
        "|---|---|---|---|---|",
    ]
    for label, key in [("load members + orders CSV", "load"), ("RFM + 8 segments", "rfm"), ("100 tags", "tags"), ("1,000 audience counts", "counts")]:
        a, b = med(hx_runs, key), med(dk_runs, key)
        lines.append(f"| {label} | {a:.2f} s | {b:.2f} s | {a / b:.2f} | {every(hx_runs, key)}; {every(dk_runs, key)} |")
    a, b = med(hx_runs, "load") + med(hx_runs, "rfm"), med(dk_runs, "load") + med(dk_runs, "rfm")
    lines.append(f"| load + RFM | {a:.2f} s | {b:.2f} s | {a / b:.2f} | |")
    lines.append(f"| count p50 / p99 | {hx['countP50Ms']:.3f} / {hx['countP99Ms']:.3f} ms | {dk['countP50Ms']:.1f} / {dk['countP99Ms']:.1f} ms | | |")
    lines.append(f"| peak memory | {gb(max(r['peakBytes'] or 0 for r in hx_runs))} | {gb(max(r['peakBytes'] for r in dk_runs))} | | |")
    lines.append(f"| `huaxiang profile` (whole run, writing members.csv with every tag) | {med(hx_runs, 'profileSeconds'):.1f} s | | | |")
    lines.append(
        f"| `huaxiang audience` (one expression, whole run, {hx['audienceRows']:,} rows written) | {med(hx_runs, 'audienceSeconds'):.1f} s, "
        f"peak {gb(max(r['audiencePeakBytes'] or 0 for r in hx_runs))} | | | |"
    )
    lines.append("")
    if problems:
        lines.append(f"**{len(problems)} result(s) differ**: " + "; ".join(problems[:20]))
    else:
        lines.append(
            f"Both engines agree: the 8 segment sizes, all {len(hx['tagResults'])} tags' counts and values, "
            f"all {len(hx['audienceCounts'])} audience counts, {hx['members']:,} members."
        )
    md = "\n".join(lines)
    print("\n" + md)
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / f"bench-scale-{MEMBERS}.md").write_text(md + "\n", encoding="utf-8")
    strip = lambda r: {k: v for k, v in r.items() if k not in ("tagResults", "audienceCounts")}
    (results / f"bench-scale-{MEMBERS}.json").write_text(
        json.dumps({"huaxiang": [strip(r) for r in hx_runs], "duckdb": [strip(r) for r in dk_runs], "problems": problems}, indent=2)
    )
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
