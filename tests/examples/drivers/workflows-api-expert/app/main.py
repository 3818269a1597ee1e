"""A contract-first orders API: every response it can give is in its OpenAPI document."""

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException

PROBLEM = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str = Field(pattern=r"^[A-Z0-9-]{1,32}$")
    quantity: int = Field(ge=1, le=1000)

    @field_validator("quantity", mode="before")
    @classmethod
    def not_a_boolean(cls, value: object) -> object:
        # Pydantic's lax mode reads `true` as 1; the schema says integer (5.0 stays valid, as JSON Schema allows).
        if isinstance(value, bool):
            raise ValueError("must be an integer, not a boolean")
        return value


class Order(OrderIn):
    id: UUID


class OrderPage(BaseModel):
    items: list[Order]
    next_cursor: str | None


app = FastAPI(title="Orders", version="1.0.0", responses={422: {"description": "Invalid request", **PROBLEM}})
orders: dict[UUID, Order] = {}


@app.exception_handler(RequestValidationError)
async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    body = Problem(type="https://api.example.com/problems/validation", title="Invalid request", status=422)
    return JSONResponse(body.model_dump(exclude_none=True), 422, media_type="application/problem+json")


@app.exception_handler(HTTPException)
async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # Starlette lists only the first matching route's methods; list them all
        allowed = {
            m for r in app.routes if isinstance(r, APIRoute) and r.path_regex.match(request.url.path) for m in r.methods
        }
        headers["Allow"] = ", ".join(sorted(allowed))
    return problem(exc.status_code, "about:blank", str(exc.detail), headers)


def problem(status: int, kind: str, title: str, headers: dict[str, str] | None = None) -> JSONResponse:
    kind = kind if kind == "about:blank" else f"https://api.example.com/problems/{kind}"
    body = Problem(type=kind, title=title, status=status)
    return JSONResponse(body.model_dump(exclude_none=True), status, headers, media_type="application/problem+json")


@app.get("/v1/orders", response_model=OrderPage)
def list_orders(
    limit: Annotated[int, Query(ge=1, le=100)] = 50, cursor: Annotated[str | None, Query(max_length=64)] = None
) -> Any:
    ids = sorted(orders, key=str)
    if cursor is not None:  # opaque to clients: the last ID of the previous page
        ids = [i for i in ids if str(i) > cursor]
    page = ids[:limit]
    return OrderPage(items=[orders[i] for i in page], next_cursor=str(page[-1]) if len(ids) > limit else None)


@app.post(
    "/v1/orders", status_code=201, response_model=Order, responses={400: {"description": "Malformed body", **PROBLEM}}
)
def create_order(body: OrderIn, response: Response) -> Order:
    order = Order(id=uuid4(), **body.model_dump())
    orders[order.id] = order
    response.headers["Location"] = f"/v1/orders/{order.id}"
    return order


@app.get("/v1/orders/{order_id}", response_model=Order, responses={404: {"description": "Not found", **PROBLEM}})
def get_order(order_id: UUID) -> Any:
    return orders.get(order_id) or problem(404, "not-found", "Order not found")


@app.get("/problem-schema", include_in_schema=False)
def _problem_schema() -> Problem:  # registers Problem under components.schemas
    return Problem(type="about:blank", title="", status=200)


def openapi() -> dict[str, Any]:
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
        app.openapi_schema = schema
    return app.openapi_schema


app.openapi = openapi  # type: ignore[method-assign]
