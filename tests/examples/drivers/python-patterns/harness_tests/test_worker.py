"""The document's Celery task, run eagerly: the provider is an httpx.MockTransport, the database is real."""

import json
import os

import httpx
import pytest
from sqlalchemy import create_engine, text

import worker.tasks as tasks

calls: list[httpx.Request] = []
answers: list[int] = []


def provider(request: httpx.Request) -> httpx.Response:
    calls.append(request)
    return httpx.Response(answers.pop(0) if answers else 202, json={"id": "msg-1"})


@pytest.fixture(autouse=True)
def eager_worker() -> None:
    tasks.app.conf.task_always_eager = True
    tasks.app.conf.task_eager_propagates = False  # retries re-run eagerly; .get() re-raises failures
    tasks.http = httpx.Client(transport=httpx.MockTransport(provider))
    calls.clear()
    answers.clear()
    engine = create_engine(os.environ["WORKER_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS receipts"))
        conn.execute(
            text("CREATE TABLE receipts (order_id bigint PRIMARY KEY, email text NOT NULL, sent_at timestamptz)")
        )
        conn.execute(text("INSERT INTO receipts (order_id, email) VALUES (7, 'ada@example.com')"))
    engine.dispose()


def test_sends_once_then_skips_redeliveries() -> None:
    assert tasks.send_receipt.delay(7).get() == "sent"
    assert tasks.send_receipt.delay(7).get() == "skipped"  # redelivery after success is harmless
    [request] = calls
    assert request.headers["Idempotency-Key"] == "receipt-7"
    assert json.loads(request.content) == {"to": "ada@example.com", "template": "receipt", "order_id": 7}


def test_retries_429_and_5xx() -> None:
    answers.extend([503, 429])
    assert tasks.send_receipt.delay(7).get() == "sent"
    assert len(calls) == 3


def test_other_4xx_fails_without_retry() -> None:
    answers.append(400)
    with pytest.raises(httpx.HTTPError, match="400 Bad Request"):  # raise_for_status(), as rebuilt by Celery
        tasks.send_receipt.delay(7).get()
    assert len(calls) == 1
