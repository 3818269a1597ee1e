"""A tenant-scoped invoices API: 401 without a token, 404 outside the tenant, 403 without the permission."""

from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Invoice, Refund, User, get_session

PERMISSIONS = {"viewer": {"invoice.read"}, "billing_admin": {"invoice.read", "invoice.create", "invoice.refund"}}

SessionDep = Annotated[Session, Depends(get_session)]


class InvoiceIn(BaseModel):
    total_cents: int = Field(gt=0)


class RefundIn(BaseModel):
    amount_cents: int = Field(gt=0)


def current_user(session: SessionDep, authorization: Annotated[str | None, Header()] = None) -> User:
    token = authorization.removeprefix("Bearer ") if authorization else None
    user = session.scalar(select(User).where(User.token == token)) if token else None
    if user is None:
        raise HTTPException(401, "authentication required", headers={"WWW-Authenticate": "Bearer"})
    return user


UserDep = Annotated[User, Depends(current_user)]


def require(user: User, permission: str) -> None:
    if permission not in PERMISSIONS.get(user.role, set()):
        raise HTTPException(403, "missing permission")


def invoice_in_scope(session: Session, user: User, invoice_id: int) -> Invoice:
    invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id, Invoice.tenant_id == user.tenant_id))
    if invoice is None:
        raise HTTPException(404, "invoice not found")
    return invoice


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/invoices")
    def list_invoices(user: UserDep, session: SessionDep) -> list[int]:
        require(user, "invoice.read")
        return list(session.scalars(select(Invoice.id).where(Invoice.tenant_id == user.tenant_id)))

    @app.post("/v1/invoices", status_code=201)
    def create_invoice(body: InvoiceIn, user: UserDep, session: SessionDep) -> dict[str, int]:
        require(user, "invoice.create")
        invoice = Invoice(tenant_id=user.tenant_id, total_cents=body.total_cents)
        session.add(invoice)
        session.commit()
        return {"id": invoice.id}

    @app.get("/v1/invoices/{invoice_id}")
    def get_invoice(invoice_id: int, user: UserDep, session: SessionDep) -> dict[str, int]:
        invoice = invoice_in_scope(session, user, invoice_id)
        require(user, "invoice.read")
        return {"id": invoice.id, "total_cents": invoice.total_cents}

    @app.post("/v1/invoices/{invoice_id}/refunds", status_code=201)
    def refund(invoice_id: int, body: RefundIn, user: UserDep, session: SessionDep) -> dict[str, int]:
        invoice = invoice_in_scope(session, user, invoice_id)  # 404 first: other tenants' IDs reveal nothing
        require(user, "invoice.refund")
        refund = Refund(invoice_id=invoice.id, amount_cents=body.amount_cents)
        session.add(refund)
        session.commit()
        return {"id": refund.id}

    return app
