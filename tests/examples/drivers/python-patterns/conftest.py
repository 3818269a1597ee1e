"""Point the example app at the harness's database before the document's tests import it."""

import os

url = os.environ["PROVE_PG_URL"]  # postgresql://user@127.0.0.1:port/database, set by tests/prove_examples.py
os.environ["APP_DATABASE_URL"] = url.replace("postgresql://", "postgresql+asyncpg://", 1)
os.environ["WORKER_DATABASE_URL"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ.setdefault("APP_JWT_SECRET", "prove-examples-secret-at-least-32-chars")
