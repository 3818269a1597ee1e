"""testcontainers.postgres.PostgresContainer, backed by the PostgreSQL that tests/prove_examples.py started."""

import os
from types import TracebackType


class PostgresContainer:
    def __init__(self, image: str = "postgres:latest", driver: str | None = "psycopg2", **_: object) -> None:
        self.image = image
        self.driver = driver

    def __enter__(self) -> "PostgresContainer":
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None

    def get_connection_url(self) -> str:
        scheme = f"postgresql+{self.driver}" if self.driver else "postgresql"
        return os.environ["PROVE_PG_URL"].replace("postgresql", scheme, 1)
