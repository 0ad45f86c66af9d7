"""``infrar scan`` notices a program that calls infrar.observability while project.yaml has no
``observability:`` key, and ``--write`` adds the key (its defaults), leaving the rest of the file."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from infrar.infra import scan_cli
from infrar.infra.project import OBSERVABILITY, load_project, parse_project
from infrar.infra.scan import add_observability, scan_source, wants_observability

PROGRAM = "import infrar.observability as obs\n\nlog = obs.get_logger('orders')\nlog.info('started')\n"
PROJECT = ("name: shop\ncapabilities:\n  - name: web\n    type: web_application\n"
           "    config: {container_image: x}\n    uses: []\n")


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    scan_cli.configure(parser)
    return scan_cli.run(parser.parse_args(list(argv)))


def test_a_call_of_the_observability_api_is_noticed_once_per_project() -> None:
    result = scan_source(PROGRAM, "app.py")
    assert OBSERVABILITY in result.domains and result.uses == ()
    assert wants_observability(parse_project(PROJECT), result)
    assert not wants_observability(parse_project(PROJECT + "observability: {}\n"), result)
    assert not wants_observability(parse_project(PROJECT), scan_source("import infrar.observability\n", "a.py"))


def test_add_observability_appends_the_key_and_keeps_the_rest(tmp_path: Path) -> None:
    project = tmp_path / "project.yaml"
    project.write_text(PROJECT.rstrip("\n"), encoding="utf-8")  # no final newline
    assert add_observability(project) == PROJECT + "observability: {}\n"
    assert load_project(project).resource(OBSERVABILITY, OBSERVABILITY) is not None


def test_cli_reports_then_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(PROGRAM, encoding="utf-8")
    project = tmp_path / "project.yaml"
    project.write_text(PROJECT, encoding="utf-8")
    assert _run(str(tmp_path / "app.py"), "--project", str(project)) == 1
    assert "uses infrar.observability but" in capsys.readouterr().out
    assert project.read_text(encoding="utf-8") == PROJECT  # reporting writes nothing
    assert _run(str(tmp_path / "app.py"), "--project", str(project), "--write") == 0
    assert "added observability: {}" in capsys.readouterr().out
    assert project.read_text(encoding="utf-8") == PROJECT + "observability: {}\n"
    assert _run(str(tmp_path / "app.py"), "--project", str(project)) == 0  # nothing left to add
