"""Erased output against the same program written by hand with each provider's native SDK.

    python bench/erase_ratio.py [--program paginated_inventory] [--check]

For each provider, examples/corpus/<program>.py is erased (`python -m infrar.erase --provider P`)
and every Python file erase wrote is measured against bench/handwritten_<sdk>.py:

- lines:  all lines, as `wc -l` counts them;
- code:   lines holding code (no blank, comment-only or docstring lines), the fairer figure
          when one side documents more than the other;
- ratio:  erased / hand-written, for both (target: lines <= 1.5);
- infrar: lines erase added (not in the user's program) that still mention infrar: a name,
          a message, a docstring or a comment, other than the INFRAR_* variables docs/erase.md
          keeps and says why (target 0).

Then the whole example corpus is erased as one tree per provider (its modules share one
private _cloud.py) and its lines are given against the corpus's own: there is no hand-written
twin of every program, so this is how much erase adds, not a ratio to native code.

With --check, each hand-written program, the runtime program (INFRAR_PROVIDER=P) and the erased
one run against a fresh bucket on the provider's test backend (a temporary directory on local,
moto / the GCS emulator / Azurite started by infrar.testing) and the bench says whether their
outputs are the same. Nothing is asserted: a missed target is reported, never raised.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import subprocess
import sys
import tempfile
import tokenize
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROVIDERS = ("local", "aws", "gcp", "azure")
HANDWRITTEN = {"local": "handwritten_local.py", "aws": "handwritten_boto3.py", "gcp": "handwritten_gcs.py",
               "azure": "handwritten_azure.py"}
TARGET = 1.5
BLOCKER = """
import sys
class _NoInfrar:
    def find_spec(self, name, path=None, target=None):
        if name == "infrar" or name.startswith("infrar."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
sys.meta_path.insert(0, _NoInfrar())
"""
RUN = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"


@dataclass
class Size:
    lines: int
    code: int


def code_lines(text: str) -> int:
    """Lines holding a token other than a comment, a newline or a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                assert value.end_lineno is not None
                docstrings.update(range(value.lineno, value.end_lineno + 1))
    lines: set[int] = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER, tokenize.ENCODING}
    for token in tokenize.tokenize(io.BytesIO(text.encode("utf-8")).readline):
        if token.type not in skip:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def size(files: list[Path]) -> Size:
    texts = [f.read_text(encoding="utf-8") for f in files]
    return Size(sum(len(t.splitlines()) for t in texts), sum(code_lines(t) for t in texts))


# What each copied definition is, by the module erase copied it from (see breakdown()).
CATEGORIES = (
    ("input checks", ("infrar/storage/rules.py", "infrar/providers/_names.py")),
    ("client and time bounds", ("infrar/providers/{p}/_clients/", "infrar/storage/timeouts.py")),
    ("error translation", ("infrar/providers/{p}/storage_errors.py",)),
    ("error classes", ("infrar/errors.py",)),
    ("operations and values", ("infrar/providers/{p}/storage.py", "infrar/storage/")),
)


def _bound_by(node: ast.stmt) -> list[str]:
    """The names a top-level def, class or assignment binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _origins(provider: str) -> dict[str, str]:
    """Top-level name (leading underscores stripped) -> category, over the modules erase copies from."""
    found: dict[str, str] = {}
    for category, patterns in CATEGORIES:
        for pattern in patterns:
            base = ROOT / pattern.format(p=provider)
            for path in sorted(base.glob("*.py") if pattern.endswith("/") else [base] if base.exists() else []):
                for node in ast.parse(path.read_text(encoding="utf-8")).body:
                    for name in _bound_by(node):
                        found.setdefault(name.lstrip("_"), category)
                    for item in getattr(node, "body", []) if isinstance(node, ast.ClassDef) else []:
                        if isinstance(item, ast.FunctionDef):  # adapter methods are lifted as functions
                            found.setdefault(item.name.lstrip("_"), category)
    return found


def breakdown(program: Path, erased: Path, provider: str) -> dict[str, int]:
    """Code lines of one erased file per category: the program's own, imports, and what erase copied."""
    text = erased.read_text(encoding="utf-8")
    own = {line.strip() for line in program.read_text(encoding="utf-8").splitlines()}
    origins = _origins(provider)
    lines = text.splitlines()
    counts: dict[str, int] = {}
    for node in ast.parse(text).body:
        assert node.end_lineno is not None
        chunk = "\n".join(lines[node.lineno - 1:node.end_lineno])
        name = next(iter(_bound_by(node)), "")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            category = "imports"
        elif all(line.strip() in own for line in chunk.splitlines()):
            category = "the program itself"
        else:
            category = origins.get(name.lstrip("_"), "the program itself")
        counts[category] = counts.get(category, 0) + code_lines(chunk + "\n")
    return counts


def erase(program: Path, provider: str, out: Path) -> list[Path] | str:
    done = subprocess.run(
        [sys.executable, "-m", "infrar.erase", "--provider", provider, str(program), "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode != 0:
        return f"erase exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
    return sorted(out.rglob("*.py"))


def added_infrar_lines(program: Path, erased: list[Path]) -> int:
    """Lines of the erased files that are not the user's own and mention infrar, other than the
    INFRAR_* variables docs/erase.md keeps (tests/erase/test_no_infrar_trace.py enforces 0)."""
    from tests.erase._traces import infrar_traces

    own = program.read_text(encoding="utf-8")
    return sum(len(infrar_traces(f.read_text(encoding="utf-8"), own)) for f in erased)


def _run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=cwd, timeout=600)
    if done.returncode != 0:
        return f"<exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}>"
    return done.stdout


def check(provider: str, program: Path, erased: Path, handwritten: Path, tmp: Path) -> str:
    """'same' if the three variants print the same, else which differ."""
    from infrar.testing.services import ServiceRegistry

    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("INFRAR_", "AWS_", "GOOGLE_", "STORAGE_EMULATOR", "AZURE_", "APP_"))}
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    registry = ServiceRegistry(tmp / "logs") if provider != "local" else None
    try:
        service = registry.for_provider(provider) if registry is not None else None
        outputs: dict[str, str] = {}
        for name, command, extra in (
            ("hand-written", [sys.executable, "-c", RUN, str(handwritten)], {}),
            ("runtime", [sys.executable, "-c", RUN, str(program)],
             {"INFRAR_PROVIDER": provider, "PYTHONPATH": pythonpath}),
            ("erased", [sys.executable, "-c", BLOCKER + RUN, str(erased)], {}),
        ):
            bucket = f"ratio-{uuid.uuid4().hex[:12]}"
            work = tmp / f"{provider}-{name}"
            (work / "root" / "storage" / bucket).mkdir(parents=True)
            env = {**base, **extra, "APP_BUCKET": bucket, "INFRAR_LOCAL_ROOT": str(work / "root"),
                   "STORAGE_ROOT": str(work / "root" / "storage")}
            if service is not None:
                env.update(service.environment())
                service.create_bucket(bucket)
            try:
                outputs[name] = _run(command, env, work)
            finally:
                if service is not None:
                    service.delete_bucket(bucket)
    finally:
        if registry is not None:
            registry.stop_all()
    differ = [name for name, out in outputs.items() if out != outputs["hand-written"]]
    return "same" if not differ else "differs: " + ", ".join(f"{n} {outputs[n][:80]!r}" for n in differ)


def corpus_row(provider: str, work: Path) -> str:
    source = work / "corpus"
    source.mkdir(parents=True)
    programs = [p for p in sorted((ROOT / "examples" / "corpus").glob("*.py"))
                if p.stem.split("_", 1)[0] not in set(PROVIDERS) - {provider}]
    for program in programs:
        (source / program.name).write_bytes(program.read_bytes())
    erased = erase(source, provider, work / "out")
    if isinstance(erased, str):
        return f"{provider:<8} {erased}"
    before, after = size(programs).lines, size(erased).lines
    shared = sum(size([f]).lines for f in erased if f.name.startswith("_cloud"))
    return f"{provider:<8} {len(programs):>8} {before:>13} {after:>13} {after / before:>6.2f} {shared:>14}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--program", default="paginated_inventory")
    parser.add_argument("--providers", default=",".join(PROVIDERS))
    parser.add_argument("--check", action="store_true", help="also run all three variants and compare outputs")
    parser.add_argument("--breakdown", action="store_true",
                        help="also give the erased file's code lines by what they are (checks, client, errors ...)")
    args = parser.parse_args()

    program = ROOT / "examples" / "corpus" / f"{args.program}.py"
    print(f"{args.program}.py ({size([program]).lines} lines) erased vs hand-written native, per provider")
    print(f"{'provider':<8} {'hand-written':<24} {'lines':>6} {'erased':>7} {'ratio':>6} "
          f"{'code':>5} {'erased':>7} {'ratio':>6} {'infrar':>7}  {'target':<8}" + ("  outputs" if args.check else ""))
    with tempfile.TemporaryDirectory(prefix="infrar-ratio-") as tmp_name:
        tmp = Path(tmp_name)
        for provider in args.providers.split(","):
            handwritten = ROOT / "bench" / HANDWRITTEN[provider]
            erased = erase(program, provider, tmp / provider)
            if isinstance(erased, str):
                print(f"{provider:<8} {erased}")
                continue
            hand, out = size([handwritten]), size(erased)
            ratio, code_ratio = out.lines / hand.lines, out.code / hand.code
            verdict = "met" if ratio <= TARGET else "missed"
            row = (f"{provider:<8} {handwritten.name:<24} {hand.lines:>6} {out.lines:>7} {ratio:>6.2f} "
                   f"{hand.code:>5} {out.code:>7} {code_ratio:>6.2f} {added_infrar_lines(program, erased):>7}  "
                   f"{verdict:<8}")
            if args.check:
                main_file = next(f for f in erased if f.name == program.name)
                row += "  " + check(provider, program, main_file, handwritten, tmp / "runs")
            print(row, flush=True)
            if args.breakdown:
                main_file = next(f for f in erased if f.name == program.name)
                parts = breakdown(program, main_file, provider)
                ranked = sorted(parts.items(), key=lambda kv: -kv[1])
                print("         code lines: " + ", ".join(f"{k} {v}" for k, v in ranked))
        print("\nexamples/corpus erased as one tree (programs tied to another provider left out)")
        print(f"{'provider':<8} {'programs':>8} {'source lines':>13} {'erased lines':>13} {'ratio':>6} "
              f"{'shared module':>14}")
        for provider in args.providers.split(","):
            print(corpus_row(provider, tmp / "corpus" / provider), flush=True)
    print(f"lines = every line (wc -l) of all .py files erase wrote; code = lines holding code; "
          f"target: lines ratio <= {TARGET}; infrar = lines erase added that mention infrar "
          f"(but the INFRAR_* variables docs/erase.md keeps).")


if __name__ == "__main__":
    main()
