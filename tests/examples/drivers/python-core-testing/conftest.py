"""The fixtures the document's authorization matrix asks for: login_as, invoices, sample_body."""

import secrets
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from app.db import Invoice, User


@pytest.fixture
def login_as(db: Session) -> Callable[[str], dict[str, str]]:
    def login(role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        user = User(tenant_id="tenant-a", role=role, token=secrets.token_hex(16))
        db.add(user)
        db.commit()
        return {"Authorization": f"Bearer {user.token}"}

    return login


@pytest.fixture
def invoices(db: Session) -> dict[str, Invoice]:
    own, other = Invoice(tenant_id="tenant-a", total_cents=5000), Invoice(tenant_id="tenant-b", total_cents=7000)
    db.add_all([own, other])
    db.commit()
    return {"own": own, "other_tenant": other}


@pytest.fixture
def sample_body() -> Callable[[str, str], dict[str, int] | None]:
    bodies = {
        ("POST", "/v1/invoices"): {"total_cents": 1200},
        ("POST", "/v1/invoices/{invoice_id}/refunds"): {"amount_cents": 100},
    }
    return lambda method, route: bodies.get((method, route))
