"""Celestra Engine vs celestra 0.0.3, side by side on the same workflows.

For each seeded synthetic workflow (10, 100, 1,000 nodes) this script
  * asks the engine for the workflow's Celestra DSL program (`celestra generate --target dsl`),
  * runs that program's Kubernetes part under the real celestra 0.0.3 (in-process, after
    `import celestra`, so interpreter start-up is not counted) and times it,
  * times the engine's own Kubernetes generation of the same workflow (parse, validate, plan,
    generate, write),
in two layouts, both tools writing the same way on tmpfs: one multi-document file (the engine's
default; celestra's `single_file` option) and one file per object (celestra's default), and
prints Markdown tables with the time per emitted object and the speed-up.

Run it with `make compare` (it installs the tools and builds the helpers first), or:
    python benches/compare_celestra.py --cli target/release/celestra \
        --synthetic target/release/synthetic --engine-time target/release/engine_time
"""

import argparse
import json
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

SIZES = [(10, 20), (100, 10), (1000, 5)]  # (nodes, repeats)
ENGINE_PROCESSES = 5  # engine processes per measurement (median of their medians)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


def kubernetes_part(program):
    """The DSL program without its Compose and Helm outputs (only `.to_yaml` is compared)."""
    keep = []
    for line in program.splitlines():
        if line.startswith("AppGroup(") and "to_docker_compose" in line:
            continue
        if line.startswith("HelmOutput("):
            continue
        keep.append(line)
    return "\n".join(keep) + "\n"


def time_celestra(program, workdir, repeats, single):
    """Median seconds of executing the program (builders + to_yaml) and the objects it wrote."""
    import contextlib
    import io
    import os

    import celestra  # noqa: F401  (imported once, outside the timing)
    from celestra.output import kubernetes_output

    # `to_yaml` writes through KubernetesOutput; its `single_file` option picks the layout.
    cls = kubernetes_output.KubernetesOutput
    original = getattr(cls, "_celestra_compare_get_option", None) or cls.get_option
    cls._celestra_compare_get_option = original

    def get_option(self, name, default=None):
        if name == "single_file":
            return single
        return original(self, name, default)

    cls.get_option = get_option

    code = compile(kubernetes_part(program), "workflow.py", "exec")
    times = []
    objects = 0
    cwd = os.getcwd()
    try:
        for _ in range(repeats):
            run_dir = pathlib.Path(tempfile.mkdtemp(dir=workdir))
            os.chdir(run_dir)
            with contextlib.redirect_stdout(io.StringIO()):
                t = time.perf_counter()
                exec(code, {"__name__": "__main__"})
                times.append(time.perf_counter() - t)
            objects = 0
            for f in (run_dir / "k8s").rglob("*.yaml"):
                text = f.read_text(encoding="utf-8")
                objects += max(1, text.count("\n---\n") + (1 if text.startswith("---\n") else 0)) if single else 1
            os.chdir(cwd)
    finally:
        os.chdir(cwd)
    return statistics.median(times), objects


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--synthetic", required=True)
    ap.add_argument("--engine-time", required=True)
    args = ap.parse_args()
    import importlib.metadata

    version = importlib.metadata.version("celestra")
    rows = []
    # Output on tmpfs, as in the celestra 0.0.3 baseline (docs/celestra-dsl-0.0.3.md section 6):
    # the comparison is about generating objects, not about the disk.
    shm = pathlib.Path("/dev/shm")
    base = str(shm) if shm.is_dir() else None
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        tmp = pathlib.Path(tmp)
        for layout, single in (("one multi-document file", True), ("one file per object", False)):
            for nodes, repeats in SIZES:
                wf = tmp / f"synthetic-{nodes}.json"
                if not wf.exists():
                    wf.write_text(run([args.synthetic, str(nodes)]), encoding="utf-8")
                dsl_dir = tmp / f"dsl-{nodes}"
                if not dsl_dir.exists():
                    run([args.cli, "generate", str(wf), "--target", "dsl", "-o", str(dsl_dir)])
                program = (dsl_dir / "workflow.py").read_text(encoding="utf-8")
                c_secs, c_objects = time_celestra(program, tmp, repeats, single)
                # The engine's runs are short: each of ENGINE_PROCESSES processes times
                # repeats * 4 runs; the median of their medians evens out a process that
                # happens to start on a busy core.
                runs = [json.loads(run([args.engine_time, str(wf), str(tmp / f"engine-{nodes}"),
                                        str(repeats * 4), "single" if single else "per-object"]))
                        for _ in range(ENGINE_PROCESSES)]
                e = {"objects": runs[0]["objects"],
                     "median_ms": statistics.median(r["median_ms"] for r in runs),
                     "write_ms": statistics.median(r["write_ms"] for r in runs)}
                c_per = c_secs * 1e6 / max(c_objects, 1)
                e_per = e["median_ms"] * 1e3 / max(e["objects"], 1)
                w_per = e["write_ms"] * 1e3 / max(e["objects"], 1)
                rows.append((layout, nodes, c_objects, c_secs * 1e3, c_per, e["objects"], e["median_ms"], e_per, w_per, c_per / e_per))
    where = "tmpfs" if base else "the default temp directory"
    print(f"celestra {version} (Python {sys.version.split()[0]}) vs Celestra Engine: Kubernetes YAML "
          f"of the same workflows, written on {where}; median of repeated runs.\n")
    print("| layout | nodes | celestra objects | celestra ms | celestra µs/object | engine objects | engine ms | engine µs/object | of which writing files | speed-up per object |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for layout, n, co, cms, cper, eo, ems, eper, wper, x in rows:
        print(f"| {layout} | {n:,} | {co:,} | {cms:.1f} | {cper:.0f} | {eo:,} | {ems:.2f} | {eper:.1f} | {wper:.1f} | {x:.0f}x |")
    for layout in ("one multi-document file", "one file per object"):
        worst = min(r[-1] for r in rows if r[0] == layout)
        print(f"\n{layout}: slowest speed-up {worst:.0f}x per object")
    # With one file per object, creating and writing the files (open, write, close on tmpfs)
    # is work both tools do; it alone bounds the speed-up any generator could reach.
    per_file = [r for r in rows if r[0] == "one file per object"]
    floor = statistics.median(r[8] for r in per_file)
    ceiling = min(r[4] for r in per_file) / floor
    print(f"one file per object: writing the files alone takes {floor:.1f} µs per object here, "
          f"which caps the speed-up of any generator at about {ceiling:.0f}x")


if __name__ == "__main__":
    main()
