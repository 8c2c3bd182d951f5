"""Wall time of ``collab-graph push`` against ``collab-graph export --format nt``, end to end.

Writes a synthetic corpus (``benchmarks/synth.py``), starts its own Virtuoso
(``tests/virtuoso_server.py``: Debian's virtuoso-t on loopback, own database,
stopped after), warms the disk cache with one export, then times, as a user
would run them (each a fresh ``collab-graph`` process, cache on):

* ``export --format nt -o FILE``;
* ``push --store .../sparql-auth --gsp .../sparql-graph-crud-auth --replace`` (Graph Store PUT);
* ``push --store .../sparql-auth --replace`` (SPARQL Update, INSERT DATA batches).

It prints the medians and the ratios to export; the issue's target is push ≤ 3× export.

Usage::

    python benchmarks/push.py --notes 10000 --runs 3 --update-runs 1
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import write_corpus  # noqa: E402


def _virtuoso_helper() -> object:
    spec = importlib.util.spec_from_file_location(
        "virtuoso_server", ROOT / "tests" / "virtuoso_server.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["virtuoso_server"] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def _time(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({done.returncode}): {done.stderr[-800:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3, help="runs of export and of the GSP push")
    ap.add_argument("--update-runs", type=int, default=1, help="runs of the SPARQL Update push")
    args = ap.parse_args()
    exe = str(Path(sys.executable).with_name("collab-graph"))
    vs = _virtuoso_helper()
    with tempfile.TemporaryDirectory(prefix="collab-graph-push-bench-") as tmp:
        files = [str(p) for p in write_corpus(args.notes, Path(tmp) / "corpus", seed=1)]
        env = dict(os.environ)
        env["COLLAB_GRAPH_CACHE"] = str(Path(tmp) / "cache")
        env["COLLAB_GRAPH_WORKSPACE"] = str(Path(tmp) / "workspace")
        env["BENCH_STORE_PASSWORD"] = vs.PASSWORD  # type: ignore[attr-defined]
        export = [exe, "export", *files, "--format", "nt", "-o", str(Path(tmp) / "out.nt")]
        _time(export, env)  # warm the disk cache: both commands then read the graph from it
        triples = (Path(tmp) / "out.nt").read_bytes().count(b"\n")
        with vs.running() as server:  # type: ignore[attr-defined]
            auth = ["--user", "dba", "--password-env", "BENCH_STORE_PASSWORD", "--replace"]
            push = [exe, "push", *files, "--store", server.update, *auth]
            gsp = [*push, "--gsp", server.gsp]
            t_export = [_time(export, env) for _ in range(args.runs)]
            t_gsp = [_time(gsp, env) for _ in range(args.runs)]
            t_update = [_time(push, env) for _ in range(args.update_runs)]
    m_export, m_gsp, m_update = (statistics.median(t) for t in (t_export, t_gsp, t_update))
    print(f"{args.notes:,} notes in {len(files)} files, {triples:,} triples")
    print(f"export --format nt : median {m_export:6.2f} s  runs {[round(t, 2) for t in t_export]}")
    print(
        f"push --gsp         : median {m_gsp:6.2f} s  runs {[round(t, 2) for t in t_gsp]}"
        f"  ratio {m_gsp / m_export:.2f}x"
    )
    print(
        f"push (Update)      : median {m_update:6.2f} s  runs {[round(t, 2) for t in t_update]}"
        f"  ratio {m_update / m_export:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
