"""HTTP plumbing shared by every router: exact decimals in, one error format out."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from astratrade.shared.errors import DomainError, ErrorKind, TooManyRequests

STATUS_BY_KIND: dict[ErrorKind, int] = {
    "validation": 422,
    "not_found": 404,
    "conflict": 409,
    "rejected": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "rate_limited": 429,
}
CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
}


class DecimalRequest(Request):
    """Parses JSON numbers straight into Decimal, so 0.1 never passes through a float."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json


class DecimalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def decimal_handler(request: Request) -> Response:
            return await handler(DecimalRequest(request.scope, request.receive))

        return decimal_handler


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        extra = {"field": error.field} if error.field else {}
        response = error_response(STATUS_BY_KIND[error.kind], error.code, error.message, **extra)
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [_describe(item) for item in error.errors()]
        first = problems[0]
        return error_response(
            422,
            "validation_error",
            "; ".join(f"{p['field']}: {p['message']}" for p in problems),
            field=first["field"],
            fields=problems,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        code = CODE_BY_STATUS.get(error.status_code, "error")
        return error_response(error.status_code, code, str(error.detail))


def _describe(item: Any) -> dict[str, str]:
    if item.get("type") == "json_invalid":
        return {"field": "body", "message": f"malformed JSON: {item.get('msg', 'invalid')}"}
    location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
    message = str(item.get("msg", "invalid"))
    return {"field": ".".join(location) or "body", "message": message.removeprefix("Value error, ")}
