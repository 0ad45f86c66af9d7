"""project.yaml: loading, defaults, and one clear error per kind of mistake (file:line:col, key, fix)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from infrar.errors import InfrarError
from infrar.infra.project import Capability, ProjectError, Resource, load_project, parse_project

GOOD = """\
name: shop
capabilities:
  - name: storefront
    type: web_application
    config:
      container_image: shop/web:1.0
      cpu: 1
      memory: 2048
      env: {DEBUG: false, WORKERS: 4}
    uses: [uploads, orders-db]
  - name: nightly
    type: background_worker
    config: {container_image: shop/jobs:1.0, schedule: "0 2 * * *"}
  - name: platform
    type: container_orchestrator
    config: {node_count: 2, node_size: large}
    uses: []
resources:
  - {name: uploads, type: bucket, versioning: true}
  - {name: orders-db, type: database, size: medium, storage_gb: 50}
  - {name: jobs, type: queue}
  - {name: order-events, type: topic, subscriptions: [jobs]}
usage:
  uploads: {storage_gb: 250}
"""


def test_good_project_loads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(GOOD)
    project = load_project(path)
    assert project.name == "shop" and project.path == path
    web, worker, k8s = project.capabilities
    assert web == Capability(name="storefront", type="web_application", container_image="shop/web:1.0",
                             cpu=1.0, memory=2048, port=8080, env={"DEBUG": "false", "WORKERS": "4"},
                             uses=("uploads", "orders-db"))
    assert web.location == f"{path}:3:5"
    assert worker.schedule == "0 2 * * *" and worker.port is None and worker.min_instances == 1
    assert worker.uses is None  # not declared: reaches every resource (and `infrar infra` warns)
    assert (k8s.node_count, k8s.node_size, k8s.uses) == (2, "large", ())
    db = project.resources[1]
    assert db == Resource(kind="database", name="orders-db", settings={
        "engine": "postgres", "size": "medium", "storage_gb": 50, "high_availability": False,
        "backup_retention_days": 7})
    assert project.resources[3].settings["subscriptions"] == ("jobs",)
    assert project.usage == {"uploads": {"storage_gb": 250.0}}
    assert project.kind_of("jobs") == "queue" and project.kind_of("nope") is None
    assert project.resource("bucket", "uploads") is project.resources[0]


def test_project_dataclasses_are_frozen() -> None:
    project = parse_project(GOOD)
    with pytest.raises(AttributeError):
        project.capabilities[0].cpu = 2  # type: ignore[misc]


# (case id, project text, expected "line:col: key", words the message must contain)
BAD: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("unknown-top-level-key", "name: shop\nresorces: []\n", "2:1: resorces",
     ("unknown key", "did you mean 'resources'?")),
    ("unknown-capability-key", "capabilities:\n  - name: web-app\n    type: api_service\n    confg: {}\n",
     "4:5: capabilities[0].confg", ("unknown key", "did you mean 'config'?")),
    ("bad-capability-type", "capabilities:\n  - name: web-app\n    type: web_app\n",
     "3:11: capabilities[0].type", ("'web_app' is not allowed", "allowed: web_application, api_service",
                                    "did you mean 'web_application'?")),
    ("missing-container-image", "capabilities:\n  - name: web-app\n    type: web_application\n"
     "    config: {cpu: 1}\n", "4:13: capabilities[0].config.container_image", ("missing required key",)),
    ("cpu-not-a-number", "capabilities:\n  - name: web-app\n    type: api_service\n"
     "    config: {container_image: x, cpu: two}\n", "4:39: capabilities[0].config.cpu",
     ("expected a number", "'two'")),
    ("memory-too-small", "capabilities:\n  - name: web-app\n    type: api_service\n"
     "    config: {container_image: x, memory: 64}\n", "4:42: capabilities[0].config.memory",
     ("too small", "allowed: 128 to 122,880")),
    ("min-above-max", "capabilities:\n  - name: web-app\n    type: api_service\n    config:\n"
     "      container_image: x\n      min_instances: 4\n      max_instances: 2\n",
     "7:22: capabilities[0].config.max_instances", ("below min_instances", "raise max_instances")),
    ("schedule-on-web", "capabilities:\n  - name: web-app\n    type: web_application\n    config:\n"
     "      container_image: x\n      schedule: '0 2 * * *'\n", "6:7: capabilities[0].config.schedule",
     ("unknown key", "allowed:", "container_image")),
    ("bad-cron", "capabilities:\n  - name: cron-job\n    type: background_worker\n    config:\n"
     "      container_image: x\n      schedule: daily\n", "6:17: capabilities[0].config.schedule",
     ("'daily' is not valid", "five-field cron")),
    ("bad-env-name", "capabilities:\n  - name: web-app\n    type: api_service\n    config:\n"
     "      container_image: x\n      env: {bad-name: 1}\n", "6:13: capabilities[0].config.env.bad-name",
     ("invalid key", "letters, digits and underscores")),
    ("bad-engine", "resources:\n  - name: main-db\n    type: database\n    engine: mysql\n",
     "4:13: resources[0].engine", ("'mysql' is not allowed; allowed: postgres",)),
    ("unknown-resource-key", "resources:\n  - name: uploads\n    type: bucket\n    versionning: true\n",
     "4:5: resources[0].versionning", ("unknown key", "did you mean 'versioning'?")),
    ("bad-resource-kind", "resources:\n  - name: uploads\n    type: buckets\n",
     "3:11: resources[0].type", ("not allowed", "did you mean 'bucket'?")),
    ("name-with-underscore", "resources:\n  - name: my_bucket\n    type: bucket\n",
     "2:11: resources[0].name", ("'my_bucket' is not valid", "lowercase letters, digits and single hyphens")),
    ("capability-name-too-long", "capabilities:\n  - name: " + "a" * 33 + "\n    type: container_orchestrator\n",
     "2:11: capabilities[0].name", ("is not valid", "3-32")),
    ("duplicate-name", "resources:\n  - name: uploads\n    type: bucket\n  - name: uploads\n    type: queue\n",
     "4:11: resources[1].name", ("already used by resources[0] (line 2)", "must be unique")),
    ("missing-type", "resources:\n  - name: uploads\n", "2:5: resources[0].type", ("missing required key",)),
    ("workload-named-as-the-jobs-user", "capabilities:\n  - name: analytics-jobs\n    type: background_worker\n"
     "    config: {container_image: x}\nresources:\n  - {name: analytics, type: warehouse}\n",
     "2:11: capabilities[0].name", ("'analytics-jobs' is taken", "jobs of warehouse 'analytics' (line 6)", "rename")),
    ("bad-size", "resources:\n  - name: sessions\n    type: cache\n    size: huge\n",
     "4:11: resources[0].size", ("'huge' is not allowed", "small, medium, large, xlarge")),
    ("subscription-not-a-queue", "resources:\n  - name: jobs\n    type: queue\n  - name: events\n"
     "    type: topic\n    subscriptions: [jobz]\n", "6:21: resources[1].subscriptions[0]",
     ("not a queue of this project", "did you mean 'jobs'?")),
    ("uses-unknown-resource", "capabilities:\n  - name: web-app\n    type: container_orchestrator\n"
     "    uses: [uplods]\nresources:\n  - {name: uploads, type: bucket}\n", "4:12: capabilities[0].uses[0]",
     ("no resource is named 'uplods'", "did you mean 'uploads'?")),
    ("uses-a-capability", "capabilities:\n  - name: web-app\n    type: container_orchestrator\n"
     "    uses: [uploads, cluster]\n  - {name: cluster, type: container_orchestrator}\n"
     "resources:\n  - {name: uploads, type: bucket}\n", "4:21: capabilities[0].uses[1]",
     ("'cluster' is a capability, not a resource",)),
    ("uses-without-resources", "capabilities:\n  - name: web-app\n    type: container_orchestrator\n"
     "    uses: [uploads]\n", "4:12: capabilities[0].uses[0]",
     ("no resource is named 'uploads'", "declare it under resources: first")),
    ("uses-duplicate", "capabilities:\n  - name: web-app\n    type: container_orchestrator\n"
     "    uses: [uploads, uploads]\nresources:\n  - {name: uploads, type: bucket}\n",
     "4:21: capabilities[0].uses[1]", ("'uploads' is already listed (line 4)", "remove the duplicate")),
    ("uses-not-a-list", "capabilities:\n  - name: web-app\n    type: container_orchestrator\n"
     "    uses: uploads\nresources:\n  - {name: uploads, type: bucket}\n", "4:11: capabilities[0].uses",
     ("expected a list, got 'uploads' (a string)", "uses: [uploads, orders-db]")),
    ("uses-item-not-a-name", "capabilities:\n  - name: web-app\n    type: container_orchestrator\n"
     "    uses:\n      - 42\n", "5:9: capabilities[0].uses[0]", ("expected a string, got 42 (a number)",)),
    ("subscription-duplicate", "resources:\n  - {name: jobs, type: queue}\n  - name: events\n    type: topic\n"
     "    subscriptions:\n      - jobs\n      - jobs\n", "7:9: resources[1].subscriptions[1]",
     ("'jobs' is already listed (line 6)",)),
    ("usage-for-unknown-name", "resources:\n  - {name: uploads, type: bucket}\nusage:\n  upload: {storage_gb: 1}\n",
     "4:3: usage.upload", ("no capability or resource is named 'upload'", "did you mean 'uploads'?")),
    ("unknown-usage-key", "resources:\n  - {name: uploads, type: bucket}\nusage:\n  uploads: {storage: 1}\n",
     "4:13: usage.uploads.storage", ("unknown usage key for a bucket", "did you mean 'storage_gb'?")),
    ("negative-usage", "resources:\n  - {name: uploads, type: bucket}\nusage:\n  uploads: {storage_gb: -5}\n",
     "4:25: usage.uploads.storage_gb", ("too small", "allowed: 0 to")),
    ("capabilities-not-a-list", "capabilities: {web: 1}\n", "1:15: capabilities", ("expected a list",)),
    ("duplicate-key", "name: shop\nname: shop2\n", "2:1: name", ("duplicate key",)),
    ("yaml-syntax", "resources: [\n", "2:1: (yaml)", ("fix the YAML syntax",)),
    ("empty-file", "", "1:1: (top level)", ("empty", "capabilities")),
]


@pytest.mark.parametrize(("text", "where", "words"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_project_names_file_line_column_key_and_fix(text: str, where: str, words: tuple[str, ...]) -> None:
    with pytest.raises(ProjectError) as caught:
        parse_project(text, "project.yaml")
    error = caught.value
    assert isinstance(error, InfrarError) and isinstance(error, ValueError)
    line = next((m for m in str(error).splitlines() if m.startswith(f"project.yaml:{where}:")), None)
    assert line is not None, f"no 'project.yaml:{where}:' in:\n{error}"
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"


def test_every_problem_is_reported_in_file_order() -> None:
    text = textwrap.dedent("""\
        resources:
          - {name: uploads, type: bucket, versionning: true}
          - {name: main-db, type: database, engine: mysql}
        extra: 1
        """)
    with pytest.raises(ProjectError) as caught:
        parse_project(text, "p.yaml")
    assert [(i.line, i.key) for i in caught.value.issues] == [
        (2, "resources[0].versionning"), (3, "resources[1].engine"), (4, "extra")]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"project.yaml:1:1: \(file\): no such file; create it"):
        load_project(tmp_path / "project.yaml")
