"""The PostgreSQL test service: started once per session, reachable with libpq's variables."""

from __future__ import annotations

import uuid

from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry, declared_services


def test_database_plugin_declares_the_postgres_service() -> None:
    assert declared_services()["postgres"].target == "infrar.testing.postgres:PostgresService"


def test_service_creates_a_database_that_libpq_reaches(infrar_services: ServiceRegistry) -> None:
    service = infrar_services.get("postgres")
    assert isinstance(service, PostgresService)
    name = f"t_{uuid.uuid4().hex[:12]}"
    service.create_database(name)
    assert service.psql("SELECT current_database()", name).strip() == name
    env = service.environment()
    assert env["PGHOST"] == "127.0.0.1" and env["PGPORT"] == str(service.port) and env["PGSSLMODE"] == "disable"
