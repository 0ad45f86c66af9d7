"""Where infrar's time goes on top of boto3: ``python -m bench.storage_profile [--ops N]``.

Two views, both against a fresh moto server:
1. the pure-Python steps infrar adds to every call, timed alone with timeit (no network):
   dispatch, argument checks, the client getter;
2. cProfile of ``ops`` write_bytes + read_bytes pairs, restricted to infrar's own functions,
   next to the total: what is left is boto3, the socket and the server.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import timeit
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import moto_server

STEPS = {
    "dispatch.adapter('storage')": "dispatch.adapter('storage')",
    "  of which: os.environ.get('INFRAR_PROVIDER')": "os.environ.get('INFRAR_PROVIDER')",
    "argument checks (bucket, key)": "aws._check_object('bench', 'small/infrar/00001')",
    "rules.check_data(1 KiB)": "rules.check_data(body, 'bench', 'k')",
    "s3.client() (cached)": "s3.client()",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storage_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=300, help="put+get pairs to profile (default 300)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="infrar-bench-moto-") as logs, moto_server(Path(logs)) as server:
        server.create_bucket("bench")
        import infrar.storage as storage
        from infrar import dispatch
        from infrar.providers.aws import storage as aws
        from infrar.providers.aws._clients import s3
        from infrar.storage import rules

        body = os.urandom(1024)
        scope = {"dispatch": dispatch, "os": os, "aws": aws, "rules": rules, "s3": s3, "body": body}
        storage.write_bytes("bench", "warm", body)  # builds the adapter and the client
        print("infrar's own steps per call, no network (best of 5 x 100,000):")
        for label, stmt in STEPS.items():
            best = min(timeit.repeat(stmt, globals=scope, number=100_000, repeat=5)) / 100_000
            print(f"  {best * 1e9:8,.0f} ns  {label}")

        def pairs() -> None:
            for i in range(args.ops):
                storage.write_bytes("bench", f"p/{i:05d}", body)
                storage.read_bytes("bench", f"p/{i:05d}")

        profile = cProfile.Profile()
        profile.runcall(pairs)
        stats = pstats.Stats(profile)
        total = sum(entry[2] for entry in stats.stats.values())  # type: ignore[attr-defined]
        own = sum(entry[2] for func, entry in stats.stats.items()  # type: ignore[attr-defined]
                  if "/infrar/" in func[0])
        print(f"\ncProfile of {args.ops} write_bytes + read_bytes on moto: {total:.3f} s profiled in all, "
              f"{own * 1e3:.1f} ms ({own / total:.2%}) in infrar's own code (tottime), "
              f"{own / args.ops * 1e6:.1f} us per pair (profiler overhead included)")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(r"/infrar/", 12)
        text = out.getvalue()
        print(text[text.index("   ncalls"):].rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
