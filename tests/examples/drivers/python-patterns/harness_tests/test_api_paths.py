"""The app's paths the document's own tests do not take: pagination, conflicts, rehash, limits, request IDs."""

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select

from app.db import Base, User
from app.main import app

CREDS = {"email": "carol@example.com", "password": "correct horse battery"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app) as manager:
        async with app.state.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.run_sync(Base.metadata.create_all)
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def token(client: httpx.AsyncClient) -> dict[str, str]:
    await client.post("/v1/users", json=CREDS)
    response = await client.post("/v1/tokens", json=CREDS)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_health_and_request_ids(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "req-123"})
    assert response.json() == {"status": "ok"} and response.headers["X-Request-ID"] == "req-123"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["X-Request-ID"] != "bad id with spaces"


async def test_registration_does_not_reveal_taken_emails(client: httpx.AsyncClient) -> None:
    first = await client.post("/v1/users", json=CREDS)
    second = await client.post("/v1/users", json=CREDS)
    assert first.status_code == second.status_code == 202 and first.json() == second.json()


async def test_wrong_password_is_a_401_problem(client: httpx.AsyncClient) -> None:
    await client.post("/v1/users", json=CREDS)
    response = await client.post("/v1/tokens", json=CREDS | {"password": "wrong password!!"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_keyset_pages_and_conflicts(client: httpx.AsyncClient) -> None:
    auth = await token(client)
    for name in ("a", "b", "c"):
        assert (await client.post("/v1/projects", json={"name": name}, headers=auth)).status_code == 201
    duplicate = await client.post("/v1/projects", json={"name": "a"}, headers=auth)
    assert duplicate.status_code == 409
    first = (await client.get("/v1/projects", params={"limit": 2}, headers=auth)).json()
    assert [p["name"] for p in first["data"]] == ["a", "b"] and first["next_cursor"]
    rest = (await client.get("/v1/projects", params={"cursor": first["next_cursor"]}, headers=auth)).json()
    assert [p["name"] for p in rest["data"]] == ["c"] and rest["next_cursor"] is None
    bad = await client.get("/v1/projects", params={"cursor": "not-a-cursor"}, headers=auth)
    assert bad.status_code == 400 and bad.json()["type"].endswith("invalid-cursor")


async def test_weaker_hashes_are_upgraded_on_login(client: httpx.AsyncClient) -> None:
    weak = Argon2Hasher(memory_cost=8192, time_cost=1, parallelism=1).hash(CREDS["password"])  # older parameters
    async with app.state.sessionmaker() as session:
        session.add(User(email=CREDS["email"], password_hash=weak))
        await session.commit()
    assert (await client.post("/v1/tokens", json=CREDS)).status_code == 200
    async with app.state.sessionmaker() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == CREDS["email"]))
    assert stored is not None and stored != weak and "$m=19456,t=2,p=1$" in stored


async def test_oversized_bodies_are_refused(client: httpx.AsyncClient) -> None:
    auth = await token(client)
    response = await client.post(
        "/v1/projects",
        content=b'{"name": "' + b"x" * 1_100_000 + b'"}',
        headers=auth | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
