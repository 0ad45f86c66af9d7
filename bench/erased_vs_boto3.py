"""An erased program against the same program written by hand with boto3, on moto.

    python bench/erased_vs_boto3.py [--runs 7] [--program paginated_inventory]

The program is examples/corpus/<program>.py (1005 PUTs and paginated listings by default);
its hand-written twin is bench/handwritten_boto3.py. Three variants run the same work in
fresh subprocesses against one moto server, a fresh bucket per run, interleaved so that
drift hits all alike:

- handwritten: bench/handwritten_boto3.py (plain boto3);
- erased:      `python -m infrar.erase --provider aws` output, run with `infrar` unimportable;
- runtime:     the corpus program through infrar's runtime dispatch (INFRAR_PROVIDER=aws).

Reports median wall time per run and its ratio to the hand-written one (target 1.00 within
noise), and import time of each program module (median of fresh interpreters, not calling
main()). The outputs of the three must be identical, or the bench says so. No assertions.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from infrar.testing.aws import MotoEmulator  # noqa: E402

BLOCKER = """
import sys
class _NoInfrar:
    def find_spec(self, name, path=None, target=None):
        if name == "infrar" or name.startswith("infrar."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
sys.meta_path.insert(0, _NoInfrar())
"""
RUN = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"
IMPORT = (
    "import time, runpy, sys; t = time.perf_counter(); runpy.run_path(sys.argv[1], run_name='bench'); "
    "print(time.perf_counter() - t)"
)


def erase(program: Path, out: Path) -> Path | None:
    done = subprocess.run(
        [sys.executable, "-m", "infrar.erase", "--provider", "aws", str(program), "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode != 0:
        print(f"erase failed (exit {done.returncode}); the erased row is left out:\n{done.stderr}")
        return None
    found = sorted(out.rglob(program.name))
    return found[0] if found else None


def base_env() -> dict[str, str]:
    prefixes = ("INFRAR_", "AWS_", "APP_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--program", default="paginated_inventory")
    parser.add_argument("--handwritten", default=str(ROOT / "bench" / "handwritten_boto3.py"))
    args = parser.parse_args()

    program = ROOT / "examples" / "corpus" / f"{args.program}.py"
    with tempfile.TemporaryDirectory(prefix="infrar-bench-") as tmp_name:
        tmp = Path(tmp_name)
        emulator = MotoEmulator(tmp / "logs")
        emulator.start()
        try:
            erased = erase(program, tmp / "erased")
            cloud = {**base_env(), **emulator.environment()}
            pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
            variants: dict[str, tuple[list[str], dict[str, str]]] = {
                "handwritten boto3": ([sys.executable, "-c", RUN, args.handwritten], cloud),
                "runtime dispatch": (
                    [sys.executable, "-c", RUN, str(program)],
                    {**cloud, "INFRAR_PROVIDER": "aws", "PYTHONPATH": pythonpath},
                ),
            }
            if erased is not None:
                variants["erased"] = ([sys.executable, "-c", BLOCKER + RUN, str(erased)], cloud)

            walls: dict[str, list[float]] = {name: [] for name in variants}
            cpus: dict[str, list[float]] = {name: [] for name in variants}
            outputs: dict[str, set[str]] = {name: set() for name in variants}
            names = list(variants)
            cleanup_failures: list[str] = []
            for run in range(args.runs + 1):  # run 0 warms the server and the disk cache
                order = names[run % len(names):] + names[: run % len(names)]
                for name in order:
                    command, env = variants[name]
                    bucket = f"bench-{uuid.uuid4().hex[:16]}"
                    emulator.create_bucket(bucket)
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    started = time.perf_counter()
                    done = subprocess.run(command, env={**env, "APP_BUCKET": bucket}, capture_output=True,
                                          text=True, cwd=tmp)
                    elapsed = time.perf_counter() - started
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                    try:
                        emulator.delete_bucket(bucket)
                    except Exception as exc:  # a leftover bucket does not change the timings
                        cleanup_failures.append(f"{bucket}: {exc}")
                    if done.returncode != 0:
                        raise SystemExit(f"{name} failed:\n{done.stderr}")
                    if run:
                        walls[name].append(elapsed)
                        cpus[name].append(cpu)
                    outputs[name].add(done.stdout)

            imports: dict[str, list[float]] = {name: [] for name in variants}
            for _ in range(args.runs):
                for name in names:
                    command, env = variants[name]
                    code = command[2].replace(RUN, IMPORT)
                    done = subprocess.run([command[0], "-c", code, command[3]], env={**env, "APP_BUCKET": "b-x"},
                                          capture_output=True, text=True, cwd=tmp, check=True)
                    imports[name].append(float(done.stdout.strip().splitlines()[-1]))
        finally:
            emulator.stop()

    same = len(set().union(*outputs.values())) == 1
    base_wall = statistics.median(walls["handwritten boto3"])
    base_import = statistics.median(imports["handwritten boto3"])
    print(f"\n{args.program}.py on moto, {args.runs} runs each (fresh interpreter and bucket per run)")
    print(f"outputs identical across variants: {same}")
    base_min = min(walls["handwritten boto3"])
    base_cpu = statistics.median(cpus["handwritten boto3"])
    print(f"{'variant':<20} {'wall median s':>14} {'ratio':>7} {'wall min s':>11} {'ratio':>7} "
          f"{'client CPU s':>13} {'ratio':>7} {'import ms':>10} {'ratio':>7}")
    for name in names:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name])
        imp = statistics.median(imports[name])
        print(f"{name:<20} {wall:>14.3f} {wall / base_wall:>7.2f} {min(walls[name]):>11.3f} "
              f"{min(walls[name]) / base_min:>7.2f} {cpu:>13.3f} {cpu / base_cpu:>7.2f} "
              f"{imp * 1000:>10.1f} {imp / base_import:>7.2f}")
    if cleanup_failures:
        print(f"(could not delete {len(cleanup_failures)} bench buckets, e.g. {cleanup_failures[0]})")
    spread = (max(walls["handwritten boto3"]) - min(walls["handwritten boto3"])) / base_wall
    print(f"noise: hand-written runs spread {spread:.1%} of their median")
    print("client CPU = user+sys time of the program's process (startup and imports included), the steadier "
          "figure when the server and other load make wall time noisy.")
    print("import = loading the program module without calling main(); the hand-written program builds its "
          "client at import, erased and runtime code build it on first use.")


if __name__ == "__main__":
    main()
