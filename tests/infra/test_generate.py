"""infrar infra: root modules for every provider, golden HCL, wiring, secrets, atomic writes, --diff."""

from __future__ import annotations

import argparse
import io
import os
import re
import textwrap
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import hcl2
import pytest

from infrar import plugins
from infrar.errors import ConfigurationError
from infrar.infra import cli as infra_cli
from infrar.infra import mapping
from infrar.infra.generate import GENERATED_ROOT_FILES, access_warnings, generate
from infrar.infra.hcl import Block, Comment, Expr, render
from infrar.infra.project import CAPABILITY_TYPES, RESOURCE_KINDS, load_project, parse_project
from infrar.infra.writer import diff, write_atomic

HERE = Path(__file__).parent
FULL_PROJECT = HERE / "full_project.yaml"
GOLDEN = HERE / "golden"
PROVIDERS = ("aws", "gcp", "azure")
UPDATE = os.environ.get("INFRAR_UPDATE_GOLDEN") == "1"
REQUIRED_MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")


def _full(provider: str) -> dict[str, str]:
    return generate(load_project(FULL_PROJECT), provider, with_plugins=False)


def test_full_project_uses_every_capability_and_resource() -> None:
    project = load_project(FULL_PROJECT)
    assert {c.type for c in project.capabilities} == set(CAPABILITY_TYPES)
    assert {r.kind for r in project.resources} == set(RESOURCE_KINDS)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_generated_file_parses_with_python_hcl2(provider: str) -> None:
    files = _full(provider)
    assert set(GENERATED_ROOT_FILES) <= set(files)
    for name, text in files.items():
        if name.endswith(".tf"):
            hcl2.loads(text)  # raises on a syntax error


@pytest.mark.parametrize("provider", PROVIDERS)
def test_root_module_matches_golden_files(provider: str) -> None:
    files = _full(provider)
    for name in GENERATED_ROOT_FILES:
        golden = GOLDEN / provider / name
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(files[name], encoding="utf-8")
        assert files[name] == golden.read_text(encoding="utf-8"), (
            f"{provider}/{name} differs from its golden file; if the change is intended, "
            "rerun with INFRAR_UPDATE_GOLDEN=1 and review the diff"
        )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_output_is_deterministic(provider: str) -> None:
    assert _full(provider) == _full(provider)
    assert list(_full(provider)) == sorted(_full(provider))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_providers_are_pinned_to_exact_versions(provider: str) -> None:
    versions = hcl2.loads(_full(provider)["versions.tf"])
    required = versions["terraform"][0]["required_providers"][0]
    assert required
    for name, spec in required.items():
        if not name.startswith("__"):  # python-hcl2's block marker
            assert all(ch.isdigit() or ch == "." for ch in _unquote(spec["version"])), spec


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_called_module_is_complete(provider: str) -> None:
    files = _full(provider)
    called = {name.split("/")[1] for name in files if name.startswith("modules/")}
    main = files["main.tf"]
    for module in called:
        for required in REQUIRED_MODULE_FILES:
            assert f"modules/{module}/{required}" in files, f"{provider}/{module} lacks {required}"
    for source in (line.split('"')[1] for line in main.splitlines() if line.strip().startswith("source")):
        assert source.removeprefix("./modules/") in called


def _unquote(text: str) -> str:
    """python-hcl2 keeps the quotes of string literals and quoted keys."""
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _module_outputs(files: dict[str, str], module: str) -> dict[str, Any]:
    parsed = hcl2.loads(files[f"modules/{module}/outputs.tf"])
    return {_unquote(name): body for block in parsed.get("output", []) for name, body in block.items()
            if not name.startswith("__")}


SECRET_WORDS = ("password", "secret_string", "secret_data", "auth_string", "access_key", "connection_string",
                "auth_token", "random_password")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_secret_reaches_any_output(provider: str) -> None:
    files = _full(provider)
    texts = [files["outputs.tf"], *(text for name, text in files.items() if name.endswith("/outputs.tf"))]
    for text in texts:
        blocks = re.split(r'(?m)^(?=output ")', text)
        for block in blocks:
            if block.startswith('output "secret_environment"'):
                # variables kept as secrets: references on AWS and GCP, the values (sensitive) on Azure
                assert "sensitive = true" in " ".join(block.split()) or all(
                    line.strip().endswith((".arn }", ".id }", "{}", ".id", ".arn", ".secret_environment,",
                                           ".secret_environment", "(", ")"))
                    for line in block.splitlines() if "=" in line and "description" not in line), block
                continue
            for line in block.splitlines():
                if "=" in line and not line.strip().startswith("description"):
                    # the id of the secret that holds a password is fine; the password is not
                    lowered = line.lower().replace("password_secret", "").replace("secret_manager_secret.password", "")
                    assert not any(word in lowered for word in SECRET_WORDS), line
    root = re.split(r'(?m)^(?=output ")', files["outputs.tf"])
    assert [b.split('"')[1] for b in root if "sensitive" in b] == (
        ["secret_environment"] if 'output "secret_environment"' in files["outputs.tf"] else [])


def test_generated_passwords_are_random_and_sensitive() -> None:
    for provider in ("gcp", "azure"):
        files = _full(provider)
        mains = [text for name, text in files.items() if name.endswith("/main.tf")]
        assert any('resource "random_password"' in text for text in mains)
        for text in mains:  # random_password.result is sensitive by the provider's schema
            for line in text.splitlines():
                if "random_password." in line and ".result" in line:
                    assert "output" not in line
    aws = "".join(_full("aws").values())
    assert "manage_master_user_password = true" in " ".join(aws.split())  # RDS generates and keeps it
    # ElastiCache: the password is generated by Secrets Manager and kept there inside the URL
    assert 'data "aws_secretsmanager_random_password" "app"' in aws
    assert "aws_secretsmanager_secret.url.arn" in aws and 'type      = "password"' in aws


def _module(main: str, label: str) -> dict[str, Any]:
    """The body of ``module "<label>"`` of a main.tf, as python-hcl2 reads it."""
    return next(body for block in hcl2.loads(main)["module"] for name, body in block.items()
                if _unquote(name) == label)


def test_aws_workloads_get_exactly_the_statements_of_the_resources_they_use() -> None:
    main = _full("aws")["main.tf"]  # full_project.yaml: web uses [shop-uploads, sessions]
    web = main.split('module "web_application_web"')[1].split("\nmodule ")[0]
    statements = {line.strip().rstrip(",") for line in web.splitlines() if ".policy_statements" in line}
    assert statements == {"module.bucket_shop_uploads.policy_statements", "module.cache_sessions.policy_statements"}
    database = _module(main, "database_orders")  # used by api and jobs, and so by the jobs of jobs' warehouse
    assert database["client_security_group_ids"] == ["${module.api_service_api.security_group_id}",
                                                     "${module.background_worker_jobs.security_group_id}",
                                                     "${module.warehouse_analytics.job_security_group_id}"]
    for module in ("s3_bucket", "sqs_queue", "sns_topic", "rds_postgres", "elasticache_redis"):
        text = _full("aws")[f"modules/{module}/outputs.tf"]
        assert '"*"' not in text.split('output "policy_statements"')[1], f"{module} grants on a wildcard"


USES_ONE_BUCKET = textwrap.dedent("""\
    capabilities:
      - {name: web, type: web_application, config: {container_image: web:1}, uses: [pics]}
      - {name: worker, type: background_worker, config: {container_image: worker:1}, uses: []}
    resources:
      - {name: pics, type: bucket}
      - {name: docs, type: bucket}
      - {name: jobs, type: queue}
    """)
# provider -> (argument of a resource module listing the workloads it grants, the workload's output)
GRANTS = {"gcp": ("members", "member"), "azure": ("principal_ids", "principal_id")}


def test_a_workload_using_one_bucket_gets_statements_for_that_bucket_only_on_aws() -> None:
    files = generate(parse_project(USES_ONE_BUCKET), "aws", with_plugins=False)
    main = files["main.tf"]
    # exactly the bucket's statements, not a concatenation with anything else
    assert _module(main, "web_application_web")["policy_statements"] == "${module.bucket_pics.policy_statements}"
    assert "policy_statements" not in _module(main, "background_worker_worker")  # uses: [] -> no policy
    # and those statements name only that module's own bucket and key: no wildcard, no other resource
    outputs = _module_outputs(files, "s3_bucket")["policy_statements"]["value"]
    resources = {_unquote(arn) for statement in outputs for arn in statement["Resource"]}
    assert resources == {"${aws_s3_bucket.this.arn}", "${aws_s3_bucket.this.arn}/*", "${aws_kms_key.this.arn}"}


@pytest.mark.parametrize("provider", sorted(GRANTS))
def test_a_workload_using_one_bucket_is_granted_on_that_bucket_only(provider: str) -> None:
    argument, output = GRANTS[provider]
    main = generate(parse_project(USES_ONE_BUCKET), provider, with_plugins=False)["main.tf"]
    assert _module(main, "bucket_pics")[argument] == [f"${{module.web_application_web.{output}}}"]
    for label in ("bucket_docs", "queue_jobs"):
        assert argument not in _module(main, label), f"{label} grants a workload that does not use it"
    assert main.count(f".{output}") == 1  # no other module mentions any workload's identity


def test_capabilities_without_uses_reach_every_resource_and_are_warned_about(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(textwrap.dedent("""\
        capabilities:
          - {name: web, type: web_application, config: {container_image: web:1}}
          - {name: worker, type: background_worker, config: {container_image: worker:1}, uses: [pics]}
          - {name: cluster, type: container_orchestrator}
        resources:
          - {name: pics, type: bucket}
          - {name: jobs, type: queue}
        """))
    main = generate(load_project(project), "gcp", with_plugins=False)["main.tf"]
    assert "module.web_application_web.member" in _module(main, "queue_jobs")["members"][0]
    assert access_warnings(load_project(project)) == [
        f"{project}:2:5: warning: capability 'web' declares no uses: and gets access to every resource of the "
        "project; declare uses: [names] to narrow it",
        f"{project}:4:5: warning: capability 'cluster' declares no uses: and gets access to every resource of "
        "the project; declare uses: [names] to narrow it",
    ]
    code, _ = _run_cli("--provider", "gcp", str(project), "-o", str(tmp_path / "out"))
    err = capsys.readouterr().err
    assert code == 0 and err.count("warning:") == 2
    assert "'web' declares no uses:" in err and "'cluster' declares no uses:" in err and "'worker'" not in err
    assert "declare uses: [names] to narrow it" in err


def test_no_warning_when_every_capability_declares_uses() -> None:
    assert access_warnings(load_project(FULL_PROJECT)) == []
    assert access_warnings(load_project(HERE.parent.parent / "examples" / "project.yaml")) == []


def test_topic_subscriptions_are_wired_to_their_queues_on_aws() -> None:
    main = _full("aws")["main.tf"]
    assert "tasks = module.queue_tasks.connection.arn" in main
    assert "publisher_topic_arns       = [module.topic_events.connection.arn]" in main


def test_settings_a_module_does_not_take_are_listed_not_passed() -> None:
    main = _full("aws")["main.tf"]
    assert "# not used by aws/elasticache_redis: engine" in main
    assert "engine" not in main.split('module "cache_sessions"')[1].split("\n  name")[1].split("}")[0]


def test_hcl_rendering_escapes_and_aligns() -> None:
    text = render([Comment("top"), Block("locals", (), (
        ("a", "x ${y} %{z} \"q\""), ("long_name", Expr("var.v")), ("m", {"k-1": 1, "two words": True}),
        ("after", None)))])
    assert '"x $${y} %%{z} \\"q\\""' in text
    assert "  a         = " in text and "  long_name = var.v" in text
    assert '"two words" = true' in text and "  after = null" in text
    hcl2.loads(text)


# --- plugins -------------------------------------------------------------------------------------

def test_a_plugin_contributes_a_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "infrar_acme_infra"
    module = package / "modules" / "aws" / "acme_queue"
    module.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name in REQUIRED_MODULE_FILES:
        (module / name).write_text("# acme\n")
    (module / "variables.tf").write_text('variable "name" {\n  type = string\n}\n')
    (module / "outputs.tf").write_text('output "connection" {\n  value = { name = var.name }\n}\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    plugin = plugins.parse_manifest(textwrap.dedent("""\
        name: acme-infra
        version: 1.0.0
        domain: acme.infra
        infra_modules:
          queue:
            aws: {path: modules/aws/acme_queue, arguments: {flavour: x}}
        """), "infrar_acme_infra", "acme/plugin.yaml")
    monkeypatch.setattr(plugins, "registry", lambda: {"acme.infra": plugin})
    project = parse_project("resources:\n  - {name: jobs, type: queue}\n")
    files = generate(project, "aws")
    assert 'source = "./modules/acme_infra__acme_queue"' in files["main.tf"]
    assert "modules/acme_infra__acme_queue/main.tf" in files
    assert "flavour" not in files["main.tf"]  # the module declares no such variable
    assert mapping.module_table("aws")["queue"].origin == "acme-infra"


def test_a_kind_without_a_module_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapping, "BUILTIN", {k: {} for k in mapping.BUILTIN})
    with pytest.raises(ConfigurationError, match="no aws module implements 'bucket'"):
        generate(parse_project("resources:\n  - {name: pics, type: bucket}\n"), "aws", with_plugins=False)


# --- writing and diffing -------------------------------------------------------------------------

def test_write_is_atomic_and_keeps_the_users_files(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    files = _full("aws")
    write_atomic(files, out)
    (out / "terraform.tfstate").write_text("{}")
    (out / "moto_override.tf").write_text("# mine\n")
    (out / "modules" / "stale").mkdir()
    (out / "modules" / "stale" / "main.tf").write_text("# gone after the next write\n")
    write_atomic(files, out)
    assert (out / "terraform.tfstate").read_text() == "{}"
    assert (out / "moto_override.tf").read_text() == "# mine\n"
    assert not (out / "modules" / "stale").exists()
    assert (out / "main.tf").read_text() == files["main.tf"]
    assert [p.name for p in tmp_path.iterdir()] == ["infra"]  # no staging directory left behind


def test_a_failed_write_leaves_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "infra"
    write_atomic({"main.tf": "old\n"}, out)
    (out / "terraform.tfstate").write_text("{}")
    real_replace = os.replace

    def failing(src: Any, dst: Any) -> None:
        if Path(src).name.startswith(".infra.new-"):  # the final swap fails
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        write_atomic({"main.tf": "new\n"}, out)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (out / "main.tf").read_text() == "old\n"
    assert (out / "terraform.tfstate").read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["infra"]


def _run_cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    infra_cli.configure(parser)
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = infra_cli.run(parser.parse_args(list(argv)))
    return code, buffer.getvalue()


def test_cli_writes_then_diff_reports_changes_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project.yaml"
    project.write_text("resources:\n  - {name: pics, type: bucket}\n")
    out = tmp_path / "out"
    code, printed = _run_cli("--provider", "aws", str(project), "-o", str(out))
    assert code == 0 and "wrote" in printed
    assert (out / "modules" / "s3_bucket" / "main.tf").exists()
    assert _run_cli("--provider", "aws", str(project), "-o", str(out), "--diff") == (0, "")
    project.write_text("resources:\n  - {name: pics, type: bucket}\n  - {name: jobs, type: queue}\n")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, printed = _run_cli("--provider", "aws", str(project), "-o", str(out), "--diff")
    assert code == 1
    assert '+module "queue_jobs" {' in printed and "+++ b/modules/sqs_queue/main.tf" in printed
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_diff_against_a_missing_directory_shows_every_file(tmp_path: Path) -> None:
    text = diff({"main.tf": "a\n"}, tmp_path / "nowhere")
    assert "--- /dev/null" in text and "+a" in text


def test_infra_is_a_subcommand_of_infrar() -> None:
    from infrar import cli

    assert cli.COMMANDS["infra"] == "infrar.infra.cli"
    assert (infra_cli.__doc__ or "").strip().splitlines()[0]


def test_modules_ship_inside_the_package() -> None:
    root = mapping.builtin_root()
    for provider in PROVIDERS:
        for kind, per_provider in mapping.BUILTIN.items():
            name = per_provider[provider][0]
            for required in REQUIRED_MODULE_FILES:
                assert root.joinpath(provider, name, required).is_file(), f"{provider}/{name}/{required} ({kind})"
