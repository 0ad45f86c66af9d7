"""The generated AWS root module passes ``init`` + ``validate`` + ``fmt``, and deploys: its storage,
queue and topic resources are applied to moto, then an example program runs against exactly what
was applied, configured only by the module's outputs (deploy, then verify the app can upload).

Uses ``tofu`` where it exists, else ``terraform``, with the hashicorp/aws provider from the offline
mirror in /opt/tf-plugins (INFRAR_TF_MIRROR overrides it). Skips cleanly without either.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from infrar.infra.generate import generate
from infrar.infra.project import load_project, parse_project
from infrar.infra.writer import write_atomic
from infrar.providers._names import name_variable

ROOT = Path(__file__).resolve().parents[2]
FULL_PROJECT = Path(__file__).parent / "full_project.yaml"
MIRROR = Path(os.environ.get("INFRAR_TF_MIRROR", "/opt/tf-plugins"))
EXAMPLE = ROOT / "examples" / "corpus" / "log_archiver.py"
BINARY = shutil.which("tofu") or shutil.which("terraform")

pytestmark = [
    pytest.mark.skipif(BINARY is None, reason="neither tofu nor terraform is installed"),
    pytest.mark.skipif(not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir(),
                       reason=f"no hashicorp/aws provider mirror under {MIRROR}"),
]


@pytest.fixture(scope="session")
def tf_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for tofu/terraform: the offline provider mirror, no checkpoint calls."""
    config = tmp_path_factory.mktemp("tf") / "cli.tfrc"
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


def _tf(directory: Path, env: Mapping[str, str], *args: str, timeout: int = 600) -> str:
    assert BINARY is not None
    done = subprocess.run([BINARY, f"-chdir={directory}", *args, "-no-color"], capture_output=True, text=True,
                          env=dict(env), timeout=timeout)
    assert done.returncode == 0, f"{BINARY} {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_full_aws_root_module_inits_validates_and_is_formatted(tf_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "aws"
    write_atomic(generate(load_project(FULL_PROJECT), "aws", with_plugins=False), out)
    _tf(out, tf_env, "init", "-input=false", "-backend=false")
    assert "The configuration is valid" in _tf(out, tf_env, "validate")
    _tf(out, tf_env, "fmt", "-check", "-recursive")


def _moto_override(endpoint: str, region: str, buckets: list[str]) -> str:
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


def _outputs(out: Path, env: Mapping[str, str]) -> dict[str, Any]:
    raw = json.loads(_tf(out, env, "output", "-json"))
    return {name: body["value"] for name, body in raw.items()}


def test_apply_to_moto_then_the_app_uploads_to_what_was_applied(
    tf_env: dict[str, str], tmp_path: Path, infrar_emulators: Any
) -> None:
    emulator = infrar_emulators.get("moto")
    moto = emulator.environment()
    suffix = uuid.uuid4().hex[:8]
    bucket, queue, topic = f"e2e-uploads-{suffix}", f"e2e-jobs-{suffix}", f"e2e-events-{suffix}"
    project = parse_project(textwrap.dedent(f"""\
        name: e2e
        resources:
          - {{name: {bucket}, type: bucket, versioning: true}}
          - {{name: {queue}, type: queue, dead_letter: true}}
          - {{name: {topic}, type: topic, subscriptions: [{queue}]}}
        """))
    out = tmp_path / "infra"
    write_atomic(generate(project, "aws", with_plugins=False), out)
    (out / "moto_override.tf").write_text(_moto_override(moto["AWS_ENDPOINT_URL"], moto["AWS_REGION"], [bucket]))
    deploy_env = {**tf_env, **{k: v for k, v in moto.items() if k.startswith("AWS_")}}
    _tf(out, deploy_env, "init", "-input=false")
    _tf(out, deploy_env, "apply", "-input=false", "-auto-approve", f"-var=region={moto['AWS_REGION']}", timeout=900)
    outputs = _outputs(out, deploy_env)
    # the bucket got a unique, prefixed name, and the workloads' environment carries it to the adapters
    deployed = outputs["buckets"][bucket]["name"]
    assert deployed.startswith(f"e2e-prod-{bucket}-") and len(deployed) == len(bucket) + 18
    assert outputs["environment"][name_variable("bucket", bucket)] == deployed
    # queues and topics: <project>-<environment>-<name>, carried the same way (QUEUE_NAME_, TOPIC_NAME_)
    environment = outputs["environment"]
    assert outputs["queues"][queue]["name"] == f"e2e-prod-{queue}" == environment[name_variable("queue", queue)]
    assert outputs["topics"][topic]["name"] == f"e2e-prod-{topic}" == environment[name_variable("topic", topic)]

    # The application: configured by the outputs' environment (what the adapters read), plus the
    # credentials and endpoint of the account it runs in (moto's), exactly as a deployed task is.
    app_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "INFRAR_"))}
    app_env.update({k: moto[k] for k in moto if k.startswith("AWS_") and k not in outputs["environment"]})
    app_env.update(outputs["environment"])
    app_env.update({"INFRAR_PROVIDER": "aws", "APP_BUCKET": bucket,  # the program's own name for it
                    "APP_WORKDIR": str(tmp_path / "work"), "PYTHONPATH": str(ROOT)})
    done = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, env=app_env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "archived 3 files" in done.stdout

    import boto3

    session = boto3.session.Session(aws_access_key_id=moto["AWS_ACCESS_KEY_ID"],
                                    aws_secret_access_key=moto["AWS_SECRET_ACCESS_KEY"],
                                    region_name=moto["AWS_REGION"])
    s3 = session.client("s3", endpoint_url=moto["AWS_ENDPOINT_URL"])
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=deployed)["Contents"])
    assert keys == [f"logs/2024-03-0{d}/app-2024-03-0{d}.log" for d in (1, 2, 3)]
    encryption = s3.get_bucket_encryption(Bucket=deployed)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=deployed)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert s3.get_bucket_versioning(Bucket=deployed)["Status"] == "Enabled"
    sns = session.client("sns", endpoint_url=moto["AWS_ENDPOINT_URL"])
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=outputs["topics"][topic]["arn"])["Subscriptions"]
    assert [s["Endpoint"] for s in subscriptions] == [outputs["queues"][queue]["arn"]]

