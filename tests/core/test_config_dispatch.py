"""Provider selection, dispatch caching, thread and fork safety, lazy SDK loading."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import infrar
from infrar import config, dispatch
from infrar.errors import ConfigurationError, InfrarError
from infrar.providers.local.storage import LocalStorage

CLOUD_SDK_PREFIXES = ("boto3", "botocore", "google", "azure")


def test_provider_defaults_to_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRAR_PROVIDER", raising=False)
    assert config.current_provider() == "local"


def test_unknown_provider_lists_valid_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "digitalocean")
    with pytest.raises(ConfigurationError) as caught:
        config.current_provider()
    message = str(caught.value)
    assert "INFRAR_PROVIDER='digitalocean'" in message
    assert "local, aws, gcp, azure" in message


def test_use_provider_overrides_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "aws")
    with infrar.use_provider("local"):
        assert config.current_provider() == "local"
        with infrar.use_provider("gcp"):
            assert config.current_provider() == "gcp"
        assert config.current_provider() == "local"
    assert config.current_provider() == "aws"


def test_a_plain_thread_keeps_the_environment_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    # contextvars semantics: an override belongs to its context, and threading.Thread
    # starts with an empty one.
    monkeypatch.setenv("INFRAR_PROVIDER", "gcp")
    seen: list[str] = []
    with infrar.use_provider("azure"):
        thread = threading.Thread(target=lambda: seen.append(config.current_provider()))
        thread.start()
        thread.join()
    assert seen == ["gcp"]


def test_spawn_thread_carries_the_override_into_the_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRAR_PROVIDER", raising=False)
    seen: list[str] = []
    with infrar.use_provider("azure"):
        thread = config.spawn_thread(lambda tag: seen.append(f"{tag}:{config.current_provider()}"), "worker")
    thread.start()  # started after the block closed: the copied context still says azure
    thread.join()
    assert seen == ["worker:azure"]


def test_background_thread_is_not_switched_by_another_threads_override(infrar_local: Path) -> None:
    started, switched, done = threading.Event(), threading.Event(), threading.Event()
    seen: list[object] = []

    def worker() -> None:
        started.set()
        switched.wait(10)
        seen.append(dispatch.adapter("storage"))
        done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    started.wait(10)
    with infrar.use_provider("aws"):
        switched.set()
        done.wait(10)
        in_block = dispatch.adapter("storage")
    thread.join()
    assert isinstance(seen[0], LocalStorage)
    assert type(in_block).__name__ == "AwsStorage"


def test_dispatch_follows_every_change_of_the_environment(infrar_local: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from unittest import mock

    assert isinstance(dispatch.adapter("storage"), LocalStorage)
    monkeypatch.setenv("INFRAR_PROVIDER", "aws")
    assert type(dispatch.adapter("storage")).__name__ == "AwsStorage"
    os.environ["INFRAR_PROVIDER"] = "gcp"
    assert type(dispatch.adapter("storage")).__name__ == "GcpStorage"
    with mock.patch.dict(os.environ, {"INFRAR_PROVIDER": "azure"}):
        assert type(dispatch.adapter("storage")).__name__ == "AzureStorage"
    assert type(dispatch.adapter("storage")).__name__ == "GcpStorage"
    os.environ.pop("INFRAR_PROVIDER")
    assert isinstance(dispatch.adapter("storage"), LocalStorage)
    os.environ.update(INFRAR_PROVIDER="nimbus")
    with pytest.raises(ConfigurationError, match="INFRAR_PROVIDER='nimbus'"):
        dispatch.adapter("storage")
    monkeypatch.setenv("INFRAR_PROVIDER", "local")
    assert isinstance(dispatch.adapter("storage"), LocalStorage)


def test_dispatch_follows_use_provider_and_caches_only_outside_it(infrar_local: Path) -> None:
    local = dispatch.adapter("storage")
    assert dispatch._selected == {"storage": local}
    with infrar.use_provider("aws"):
        assert not dispatch._selected  # an override is per context: nothing shared is kept
        assert type(dispatch.adapter("storage")).__name__ == "AwsStorage"
        assert not dispatch._selected
        with infrar.use_provider("local"):
            assert dispatch.adapter("storage") is local
        assert type(dispatch.adapter("storage")).__name__ == "AwsStorage"
    assert dispatch.adapter("storage") is local
    assert dispatch._selected == {"storage": local}


def test_use_provider_rejects_unknown_names() -> None:
    with pytest.raises(ConfigurationError, match="use_provider='nimbus'"):
        with infrar.use_provider("nimbus"):
            pass


def test_one_adapter_per_process_even_under_contention(infrar_local: Path) -> None:
    barrier = threading.Barrier(16)
    found: list[object] = []

    def grab() -> None:
        barrier.wait()
        found.append(dispatch.adapter("storage"))

    threads = [threading.Thread(target=grab) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(a) for a in found}) == 1
    assert isinstance(found[0], LocalStorage)


def test_adapter_is_rebuilt_in_a_forked_child(infrar_local: Path) -> None:
    parent = dispatch.adapter("storage")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: the cache must be empty, and dispatch must still work
        try:
            emptied = not dispatch._adapters
            child = dispatch.adapter("storage")
            ok = emptied and child is not parent and isinstance(child, LocalStorage)
            os.write(write_end, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write_end)
    assert os.read(read_end, 1) == b"1"
    os.waitpid(pid, 0)


def test_unknown_domain_names_installed_plugins() -> None:
    with pytest.raises(ConfigurationError, match="no installed plugin provides domain 'nosuch'"):
        dispatch.adapter("nosuch")


def test_provider_only_plugin_refuses_other_providers(infrar_local: Path) -> None:
    with pytest.raises(ConfigurationError, match="has no adapter for provider 'local'"):
        dispatch.adapter("aws.s3")


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def test_importing_infrar_loads_no_cloud_sdk() -> None:
    code = (
        "import sys, infrar, infrar.storage, infrar.errors, infrar.aws.s3, infrar.gcp, infrar.azure\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {CLOUD_SDK_PREFIXES!r}))"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_first_local_call_loads_no_cloud_sdk(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom infrar import storage\nstorage.write_bytes('b-1', 'k', b'x')\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {CLOUD_SDK_PREFIXES!r}))"
    )
    result = _run(code, INFRAR_PROVIDER="local", INFRAR_LOCAL_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


BLOCKER = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Blocker())
"""


@pytest.mark.parametrize(
    ("provider", "blocked"),
    [("aws", ("boto3", "botocore")), ("gcp", ("google",)), ("azure", ("azure",))],
)
def test_missing_sdk_is_missing_dependency_with_pip_command(provider: str, blocked: tuple[str, ...]) -> None:
    code = BLOCKER.format(blocked=blocked) + (
        "from infrar import storage\nfrom infrar.errors import MissingDependency\n"
        "try:\n    storage.exists('some-bucket', 'k')\n"
        "except MissingDependency as exc:\n    print(type(exc).__name__, isinstance(exc, ImportError), exc)\n"
    )
    result = _run(code, INFRAR_PROVIDER=provider)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("MissingDependency True ")
    assert f"pip install 'infrar[{provider}]'" in result.stdout


def test_every_error_is_an_infrar_error_and_its_builtin() -> None:
    import builtins

    from infrar import errors

    for name, builtin in errors.BUILTIN_OF.items():
        cls = getattr(errors, name)
        assert issubclass(cls, InfrarError)
        assert issubclass(cls, getattr(builtins, builtin))
