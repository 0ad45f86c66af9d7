"""Database names a provider's engine would refuse at apply time, refused by `infrar infra`.

project.yaml's names (3-40 lowercase letters, digits and single hyphens, starting with a letter)
fit every engine once ``-`` becomes ``_`` (what the PostgreSQL modules create; the workloads get
``PGDATABASE_<NAME>``), with one exception: RDS's DBName "can't be a word reserved by the
database engine", and PostgreSQL's reserved key words are valid project names.
"""

from __future__ import annotations

from infrar.infra.project import Project

__all__ = ["POSTGRES_RESERVED", "database_errors"]

# PostgreSQL's reserved key words (Appendix C, "reserved" and "reserved (can be function or
# type)") that a project name can spell, and RDS's own administrative database.
POSTGRES_RESERVED = frozenset("""
    all analyse analyze and any array asc asymmetric authorization binary both case cast check collate
    collation column concurrently constraint create cross current_catalog current_date current_role
    current_schema current_time current_timestamp current_user default deferrable desc distinct else
    end except false fetch for foreign freeze from full grant group having ilike initially inner
    intersect into isnull join lateral leading left like limit localtime localtimestamp natural not
    notnull null offset only order outer overlaps placing primary rdsadmin references returning right
    select session_user similar some symmetric system_user table tablesample then trailing true union
    unique user using variadic verbose when where window with
""".split())


def database_errors(project: Project, provider: str) -> list[str]:
    """One line per database whose name ``provider``'s engine cannot create."""
    if provider != "aws":
        return []
    errors = []
    for resource in project.resources:
        created = resource.name.replace("-", "_")
        if resource.kind == "database" and resource.settings.get("engine", "postgres") == "postgres" \
                and created in POSTGRES_RESERVED:
            errors.append(f"{resource.location or project.path.name}: database {resource.name!r}: RDS cannot "
                          f"create a database named {created!r} (a PostgreSQL reserved word); rename it, "
                          f"e.g. {resource.name + '-db'!r}")
    return errors
