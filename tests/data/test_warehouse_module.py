"""modules/aws/athena_warehouse grants on the Glue catalog ARN itself (``...:catalog``), evaluated by terraform/tofu."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = ROOT / "modules" / "aws" / "athena_warehouse" / "jobs.tf"  # local.catalog_statements
BINARY = shutil.which("tofu") or shutil.which("terraform")
DATABASE_ARN = "arn:aws:glue:eu-west-1:123456789012:database/lakehouse"


def _resources() -> list[str]:
    """The three Glue resource expressions of the catalog statement, as written in jobs.tf."""
    text = OUTPUTS.read_text()
    block = text[text.index('"glue:GetDatabase"'):]
    block = block[block.index("Resource = [") + len("Resource = ["):block.index("]\n    },")]
    return [line.strip().rstrip(",") for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


@pytest.mark.skipif(BINARY is None, reason="neither tofu nor terraform is installed")
def test_catalog_database_and_table_arns(tmp_path: Path) -> None:
    expressions = [re.sub(r"aws_glue_catalog_database\.this\.arn", f'"{DATABASE_ARN}"', e) for e in _resources()]
    assert len(expressions) == 3
    console = subprocess.run([BINARY, "console"], input=f"jsonencode([{', '.join(expressions)}])\n",
                             capture_output=True, text=True, cwd=tmp_path, timeout=120, check=True)
    values = json.loads(json.loads(console.stdout))
    assert values == [
        "arn:aws:glue:eu-west-1:123456789012:catalog",
        DATABASE_ARN,
        "arn:aws:glue:eu-west-1:123456789012:table/lakehouse/*",
    ]
