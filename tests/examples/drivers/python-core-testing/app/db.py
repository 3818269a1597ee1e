"""Models and the session dependency the document's conftest.py overrides."""

import os
from collections.abc import Iterator
from functools import cache

from sqlalchemy import BigInteger, Engine, ForeignKey, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(40))
    token: Mapped[str] = mapped_column(String(64), unique=True)


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(40), index=True)
    total_cents: Mapped[int] = mapped_column(BigInteger)


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)


@cache
def engine() -> Engine:
    return create_engine(os.environ["DATABASE_URL"])


def get_session() -> Iterator[Session]:
    with Session(engine()) as session:
        yield session
