"""The generated AWS root module passes ``init`` + ``validate`` + ``fmt``, and deploys: its storage,
queue and topic resources are applied to moto, then an example program runs against exactly what
was applied, configured only by the module's outputs (deploy, then verify the app can upload).
The apply itself runs in the background from collection time on (tests/infra/_moto_apply.py).

Uses ``tofu`` where it exists, else ``terraform``, with the hashicorp/aws provider from the offline
mirror in /opt/tf-plugins (INFRAR_TF_MIRROR overrides it). Skips cleanly without either.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from infrar.infra.generate import generate
from infrar.infra.project import load_project
from infrar.infra.writer import write_atomic
from infrar.providers._names import name_variable
from tests.infra import _moto_apply

ROOT = Path(__file__).resolve().parents[2]
FULL_PROJECT = Path(__file__).parent / "full_project.yaml"
EXAMPLE = ROOT / "examples" / "corpus" / "log_archiver.py"
BINARY, MIRROR = _moto_apply.BINARY, _moto_apply.MIRROR  # tests/infra/test_observability_tools.py uses them

pytestmark = [
    pytest.mark.skipif(BINARY is None, reason="neither tofu nor terraform is installed"),
    pytest.mark.skipif(not _moto_apply.available(), reason=f"no hashicorp/aws provider mirror under {MIRROR}"),
]


@pytest.fixture(scope="session")
def tf_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for tofu/terraform: the offline provider mirror, no checkpoint calls."""
    return _moto_apply.tf_environment(tmp_path_factory.mktemp("tf"))


def _tf(directory: Path, env: Mapping[str, str], *args: str, timeout: int = 600) -> str:
    return _moto_apply.Terraform().run(directory, env, *args, timeout=timeout)


def test_full_aws_root_module_inits_validates_and_is_formatted(tf_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "aws"
    write_atomic(generate(load_project(FULL_PROJECT), "aws", with_plugins=False), out)
    _tf(out, tf_env, "init", "-input=false", "-backend=false")
    assert "The configuration is valid" in _tf(out, tf_env, "validate")
    _tf(out, tf_env, "fmt", "-check", "-recursive")


def test_apply_to_moto_then_the_app_uploads_to_what_was_applied(
    tmp_path: Path, moto_apply: Path | None, infrar_emulators: Any
) -> None:
    if moto_apply is not None:  # started by the controlling pytest process at collection time
        applied = _moto_apply.wait(moto_apply)
    else:
        moto = infrar_emulators.get("moto").environment()
        applied = _moto_apply.apply(tmp_path, moto, _moto_apply.Terraform())
    bucket, queue, topic, outputs, moto = applied.bucket, applied.queue, applied.topic, applied.outputs, applied.moto
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

