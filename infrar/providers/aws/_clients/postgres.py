"""Connections to RDS / Aurora PostgreSQL: libpq's own variables, one pool per database and process.

PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE and PGSSLROOTCERT are read by libpq itself, so
an erased program is a plain psycopg2 program configured the same way. The password, in order:
1. ``PGPASSWORD`` when set (libpq reads it);
2. else the Secrets Manager secret whose ARN is ``PGPASSWORD_SECRET_ARN`` (what the generated
   infrastructure sets: RDS keeps the master password there as JSON ``{"username", "password"}``;
   its ``username`` is used when ``PGUSER`` is unset), read once per new connection so that a
   rotated password is picked up;
3. else, with ``RDS_IAM_AUTH=true``, an RDS IAM auth token (``generate_db_auth_token``: signed
   locally, valid 15 minutes, so made fresh for each new connection; TLS is required by RDS
   for it, so PGSSLMODE defaults to ``require``);
4. else whatever libpq finds itself (``~/.pgpass``, a trust rule).
boto3 is imported only for 2 and 3.
"""

from __future__ import annotations

import json
import os
from typing import Any

import psycopg2

from infrar.database.pg_ops import prepare
from infrar.database.pg_pool import Pool, per_database
from infrar.database.rules import server_name
from infrar.errors import ConfigurationError, NotFound, PermissionDenied, Unavailable
from infrar.providers._keyed import PerResource


def _secret(arn: str) -> dict[str, Any]:
    import boto3
    import botocore.exceptions

    try:
        answer = boto3.client("secretsmanager").get_secret_value(SecretId=arn)
        secret: dict[str, Any] = json.loads(answer["SecretString"])
    except botocore.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        kind = {"ResourceNotFoundException": NotFound, "AccessDeniedException": PermissionDenied}.get(code, Unavailable)
        raise kind(f"cannot read the database password from the secret PGPASSWORD_SECRET_ARN names ({arn}): "
                   f"{code}; check the ARN and that this role may secretsmanager:GetSecretValue it") from error
    except (botocore.exceptions.BotoCoreError, ValueError, KeyError) as error:
        raise Unavailable(f"cannot read the database password from the secret PGPASSWORD_SECRET_ARN names "
                          f"({arn}): {type(error).__name__}") from error
    if not isinstance(secret, dict) or "password" not in secret:
        raise ConfigurationError(f"the secret {arn} (PGPASSWORD_SECRET_ARN) holds no JSON \"password\" field")
    return secret


def _iam_token(user: str) -> str:
    import boto3

    token: str = boto3.client("rds").generate_db_auth_token(
        DBHostname=os.environ["PGHOST"], Port=int(os.environ.get("PGPORT") or 5432), DBUsername=user)
    return token


def credentials() -> dict[str, Any]:
    """What psycopg2.connect needs beyond libpq's variables (see the module docstring)."""
    if os.environ.get("PGPASSWORD"):
        return {}
    arn = os.environ.get("PGPASSWORD_SECRET_ARN")
    if arn:
        secret = _secret(arn)
        found: dict[str, Any] = {"password": str(secret["password"])}
        if not os.environ.get("PGUSER") and secret.get("username"):
            found["user"] = str(secret["username"])
        return found
    if os.environ.get("RDS_IAM_AUTH", "").lower() in ("1", "true", "yes"):
        user = os.environ.get("PGUSER") or "postgres"
        return {"user": user, "password": _iam_token(user), "sslmode": os.environ.get("PGSSLMODE") or "require"}
    return {}


def connect(database: str) -> Any:
    """A new connection to the PostgreSQL database ``database``, ready for the adapter."""
    return prepare(psycopg2.connect(dbname=server_name(database), **credentials()))


_pools: PerResource[Pool] = per_database(connect)


def client(database: str) -> Pool:
    """The connection pool of ``database`` in this process, built on first use."""
    return _pools.get(database)


def reset() -> None:
    _pools.reset()
