"""A throwaway plugin installed from a temporary directory, for the scan tests.

Its functions name resources through parameters that are not first, keyword-only,
positional-only, left to a default, and (``fetch``) defined only in an adapter, re-exported by
the api module: the shapes a scan must bind exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infrar import plugins
from tests.plugin_site import installed, write_site

DEMO: dict[str, str] = {
    "scan_demo/__init__.py": '''
        from __future__ import annotations

        from infrar.dispatch import adapter as _adapter
        from scan_demo._impl import fetch

        __all__ = ["fetch", "publish", "query", "send"]


        def query(sql: str, database: str = "main") -> list[object]:
            return list(_adapter("demo").query(sql, database))


        def publish(message: object, *, topic: str) -> None:
            _adapter("demo").publish(message, topic=topic)


        def send(body: object, queue: str | None = None) -> None:
            _adapter("demo").send(body, queue)
        ''',
    "scan_demo/_impl.py": '''
        from infrar.dispatch import adapter as _adapter


        def fetch(*args, **kwargs):
            return _adapter("demo").fetch(*args, **kwargs)
        ''',
    "scan_demo/warehouse.py": '''
        from infrar.dispatch import adapter as _adapter


        def run(sql: str, warehouse: str, /) -> None:
            _adapter("demo").warehouse_run(sql, warehouse)
        ''',
    "scan_demo/local.py": '''
        class LocalDemo:
            def query(self, sql, database="main"):
                return []

            def publish(self, message, *, topic):
                pass

            def send(self, body, queue=None):
                pass

            def fetch(self, key, cache="default-cache"):
                return None

            def warehouse_run(self, sql, warehouse, /):
                pass
        ''',
    "scan_demo/plugin.yaml": '''
        name: scan-demo
        version: 0.1.0
        domain: demo
        api: scan_demo
        provides:
          transformations:
            - {name: scan_demo.query, resource: {parameter: database, kind: database}}
            - {name: scan_demo.publish, resource: {parameter: topic, kind: topic}}
            - {name: scan_demo.send, resource: {parameter: queue, kind: queue}}
            - {name: scan_demo.fetch, resource: {parameter: cache, kind: cache}}
            - {name: scan_demo.warehouse.run, resource: {parameter: warehouse, kind: warehouse}}
        adapters:
          local: scan_demo.local:LocalDemo
        ''',
    "scan_demo-0.1.0.dist-info/METADATA": """
        Metadata-Version: 2.1
        Name: scan-demo
        Version: 0.1.0
        """,
    "scan_demo-0.1.0.dist-info/entry_points.txt": """
        [infrar.plugins]
        demo = scan_demo
        """,
}


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("scan-demo-site"), DEMO)


@pytest.fixture
def demo(demo_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[plugins.Plugin]:
    """The demo plugin, installed for one test."""
    with installed(demo_site, "demo", monkeypatch) as plugin:
        yield plugin
