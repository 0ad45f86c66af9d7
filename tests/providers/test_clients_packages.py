"""Each provider's ``_clients`` package: one module per native service, a reset() that
reaches every loaded one, and no SDK imported until a service module is."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from infrar.testing.azure import ACCOUNT_KEY, ACCOUNT_NAME

# Per provider: the service module, the SDKs it imports, and native variables under which
# its client builds without reaching any network (building is offline for all three).
SERVICES = {
    "aws": ("s3", ("boto3", "botocore"), {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_DEFAULT_REGION": "eu-west-1",
    }),
    "gcp": ("gcs", ("google.cloud.storage", "google.auth"), {
        "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9", "GOOGLE_CLOUD_PROJECT": "test-project",
    }),
    "azure": ("blob_service", ("azure.storage.blob", "azure.core"), {
        "AZURE_STORAGE_CONNECTION_STRING": (  # Azurite's published development account
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint=http://127.0.0.1:9/{ACCOUNT_NAME};"
        ),
    }),
}


def _run(script: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
        env={**os.environ, **env}, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("provider", [*SERVICES, "local"])
def test_package_imports_no_sdk_and_its_reset_loads_nothing(provider: str) -> None:
    out = _run(f"""
        import sys
        import infrar.providers.{provider}._clients as clients
        clients.reset()
        import infrar.dispatch
        infrar.dispatch.reset()
        heavy = sorted(n for n in sys.modules if n.split(".")[0] in ("boto3", "botocore", "azure")
                       or n.startswith("google."))
        services = sorted(n for n in sys.modules if n.startswith(clients.__name__ + "."))
        print(heavy, services)
    """, {})
    assert out.strip() == "[] []"


@pytest.mark.parametrize("provider", SERVICES)
def test_reset_reaches_every_loaded_service_module(provider: str) -> None:
    service, sdks, env = SERVICES[provider]
    out = _run(f"""
        import sys
        import infrar.dispatch
        import infrar.providers.{provider}._clients as clients
        from infrar.providers.{provider}._clients import {service} as service

        first = service.client()
        assert service.client() is first, "built once"
        assert all(name in sys.modules for name in {list(sdks)!r})
        clients.reset()
        second = service.client()
        assert second is not first, "the package's reset() reset the service module"
        infrar.dispatch.reset()
        assert service.client() is not second, "dispatch.reset() goes through the package"
        print("ok")
    """, env)
    assert out.strip() == "ok"


def test_local_files_root_follows_infrar_local_root(tmp_path: os.PathLike[str]) -> None:
    out = _run("""
        import os
        from infrar.providers.local._clients import files
        first = files.root()
        os.environ["INFRAR_LOCAL_ROOT"] = os.path.join(str(first), "elsewhere")
        print(first, files.root(), files.root().is_absolute())
    """, {"INFRAR_LOCAL_ROOT": str(tmp_path)})
    first, second, absolute = out.split()
    assert first == str(tmp_path) and second == os.path.join(str(tmp_path), "elsewhere") and absolute == "True"
