"""The moto apply of tests/infra/test_terraform.py, started in the background at collection time.

Applying the generated AWS root module to moto is about 80 s of the hashicorp/aws provider's fixed
propagation waits (every SQS queue and queue policy is read 6 times 5 s apart, and the three are
chained; the S3 lifecycle and the KMS key poll too) and almost no CPU. Run inside the test, it
held a pytest-xdist worker idle for all of that. Instead the controlling pytest process starts it
as soon as it learns the test was collected, on a moto server of its own that lives until the
session ends; the test (on whichever worker) waits for the result, then runs the app against that
same server and checks it. What is applied, and every assertion, is unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MIRROR = Path(os.environ.get("INFRAR_TF_MIRROR", "/opt/tf-plugins"))
BINARY = shutil.which("tofu") or shutil.which("terraform")
NODE_ID = "tests/infra/test_terraform.py::test_apply_to_moto_then_the_app_uploads_to_what_was_applied"
RESULT = "result.json"
WAIT_SECONDS = 900  # the apply's own timeout; a result not there by then will not come


def available() -> bool:
    """The test can run at all: a terraform binary and the offline aws provider."""
    return BINARY is not None and (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir()


def tf_environment(directory: Path) -> dict[str, str]:
    """Environment for tofu/terraform: the offline provider mirror, no checkpoint calls."""
    config = directory / "cli.tfrc"
    config.write_text(textwrap.dedent(f"""\
        provider_installation {{
          filesystem_mirror {{
            path    = "{MIRROR}"
            include = ["registry.terraform.io/hashicorp/aws"]
          }}
          direct {{
            exclude = ["registry.terraform.io/hashicorp/aws"]
          }}
        }}
        """))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env.update({"TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"})
    return env


class Terraform:
    """Runs tofu/terraform commands one at a time; ``cancel()`` stops the one running."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._cancelled = False

    def run(self, directory: Path, env: Mapping[str, str], *args: str, timeout: int = 600) -> str:
        assert BINARY is not None
        if self._cancelled:
            raise RuntimeError("the session ended before the apply finished")
        self._process = subprocess.Popen([BINARY, f"-chdir={directory}", *args, "-no-color"], text=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(env))
        try:
            stdout, stderr = self._process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            stdout, stderr = self._process.communicate()
        returncode, self._process = self._process.returncode, None
        assert returncode == 0, f"{BINARY} {' '.join(args)} failed:\n{stdout[-3000:]}\n{stderr[-3000:]}"
        return stdout

    def cancel(self) -> None:
        self._cancelled = True
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()  # terraform stops its provider and exits on SIGTERM


def moto_override(endpoint: str, region: str, buckets: list[str]) -> str:
    services = ("iam", "kms", "s3", "sns", "sqs", "sts")
    endpoints = "\n".join(f'    {name} = "{endpoint}"' for name in services)
    return textwrap.dedent("""\
        # Test only: point the aws provider at moto.
        provider "aws" {
          region                      = "%s"
          skip_credentials_validation = true
          skip_requesting_account_id  = true
          skip_metadata_api_check     = true
          s3_use_path_style           = true
          endpoints {
        %s
          }
        }
        """) % (region, endpoints) + "".join(
        # moto serves plain HTTP and enforces bucket policies: the TLS-only policy would deny the app.
        f'\nmodule "bucket_{name.replace("-", "_")}" {{\n  tls_only = false\n}}\n' for name in buckets)


@dataclass(frozen=True)
class Applied:
    """What the apply made: the program's names, the root module's outputs, the moto it went to."""

    bucket: str
    queue: str
    topic: str
    outputs: dict[str, Any]
    moto: dict[str, str]  # moto's environment() (endpoint, region, its test keys)


def apply(work: Path, moto: dict[str, str], terraform: Terraform) -> Applied:
    """Generate a bucket, a queue with a dead letter and a topic feeding it, and apply them to moto."""
    # Imported here: tests/conftest.py imports this module in every session, most never apply.
    from infrar.infra.generate import generate
    from infrar.infra.project import parse_project
    from infrar.infra.writer import write_atomic

    suffix = uuid.uuid4().hex[:8]
    bucket, queue, topic = f"e2e-uploads-{suffix}", f"e2e-jobs-{suffix}", f"e2e-events-{suffix}"
    project = parse_project(textwrap.dedent(f"""\
        name: e2e
        resources:
          - {{name: {bucket}, type: bucket, versioning: true}}
          - {{name: {queue}, type: queue, dead_letter: true}}
          - {{name: {topic}, type: topic, subscriptions: [{queue}]}}
        """))
    out = work / "infra"
    write_atomic(generate(project, "aws", with_plugins=False), out)
    (out / "moto_override.tf").write_text(moto_override(moto["AWS_ENDPOINT_URL"], moto["AWS_REGION"], [bucket]))
    env = {**tf_environment(work), **{k: v for k, v in moto.items() if k.startswith("AWS_")}}
    terraform.run(out, env, "init", "-input=false")
    terraform.run(out, env, "apply", "-input=false", "-auto-approve", f"-var=region={moto['AWS_REGION']}",
                  timeout=WAIT_SECONDS)
    raw = json.loads(terraform.run(out, env, "output", "-json"))
    outputs = {name: body["value"] for name, body in raw.items()}
    return Applied(bucket, queue, topic, outputs, moto)


class BackgroundApply:
    """The controller's side: its own moto server and a thread that applies to it and writes RESULT."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="infrar-moto-apply-"))
        self._terraform = Terraform()
        self._thread = threading.Thread(target=self._run, name="moto-apply", daemon=True)
        self._moto: Any = None

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            from infrar.testing.aws import MotoEmulator  # boto3: imported only when the test runs

            self._moto = MotoEmulator(self.directory / "moto")
            self._moto.start()
            result: dict[str, Any] = {"applied": asdict(apply(self.directory, self._moto.environment(),
                                                                  self._terraform))}
        except BaseException as exc:  # the test reports it; a thread has no one else to tell
            result = {"error": f"{type(exc).__name__}: {exc}"}
        partial = self.directory / f"{RESULT}.part"
        partial.write_text(json.dumps(result))
        partial.replace(self.directory / RESULT)  # the test never reads half a file

    def stop(self) -> None:
        self._terraform.cancel()
        if self.started:
            self._thread.join(timeout=60)
        if self._moto is not None:
            self._moto.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def wait(directory: Path, timeout: float = WAIT_SECONDS) -> Applied:
    """The background apply's result (blocks until it is written); a failed apply fails here."""
    result = directory / RESULT
    deadline = time.monotonic() + timeout
    while not result.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"the background moto apply wrote no {result} within {timeout:.0f} s")
        time.sleep(0.5)
    done = json.loads(result.read_text())
    if "error" in done:
        raise AssertionError(f"the background moto apply failed: {done['error']}")
    return Applied(**done["applied"])
