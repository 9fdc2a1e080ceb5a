"""HTTP plumbing shared by every router: exact decimals and valid text in, one error
format out (a 500 included)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from astratrade.infrastructure.web.request_ids import HEADER as REQUEST_ID_HEADER
from astratrade.shared.errors import DomainError, ErrorKind, TooManyRequests, Unavailable
from astratrade.shared.messages import correlation
from astratrade.shared.money import json_integer, json_number
from astratrade.shared.text import text_problem, text_problems

logger = logging.getLogger(__name__)

STATUS_BY_KIND: dict[ErrorKind, int] = {
    "validation": 422,
    "not_found": 404,
    "conflict": 409,
    "rejected": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "rate_limited": 429,
    "unavailable": 503,
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


# What `json.loads(body, parse_float=..., parse_int=...)` does, without building a decoder
# for every request.
_DECIMAL_JSON = json.JSONDecoder(parse_float=json_number, parse_int=json_integer)


class DecimalRequest(Request):
    """Parses JSON numbers straight into Decimal, so 0.1 never passes through a float; a
    number no field can take (1e999999999) stays its text, refused by every field."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            text = body.decode(json.detect_encoding(body), "surrogatepass")
            self._json = _DECIMAL_JSON.decode(text)
        return self._json


class DecimalRoute(APIRoute):
    """Every router's route class: JSON numbers as Decimal, and every string of the request
    (path, query, JSON body) valid text, or a 422 naming where it is not."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def decimal_handler(request: Request) -> Response:
            request = DecimalRequest(request.scope, request.receive)
            await _refuse_invalid_text(request)
            return await handler(request)

        return decimal_handler


async def _refuse_invalid_text(request: Request) -> None:
    """Raised here, before FastAPI reads the body: an error raised while it parses JSON
    would become a bare 400 (see fastapi.routing), not a 422 naming the field."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for where, params in (
        ("path", request.path_params.items()),
        ("query", request.query_params.multi_items()),
    ):
        for name, value in params:
            problem = text_problem(str(value))
            if problem is not None:
                problems.append(((where, name), problem))
    body = await request.body()
    # uvicorn decodes percent-escapes with errors="replace", so only NULs come from the URL;
    # in a body, a lone surrogate is a `\ud800` escape, a NUL a `\u0000` one.
    if b"\\u" in body and _is_json(request):
        try:
            decoded = await request.json()
        except (ValueError, RecursionError):
            decoded = None  # FastAPI answers malformed JSON with its own error
        problems += [(("body", *path), problem) for path, problem in text_problems(decoded)]
    if problems:
        raise RequestValidationError(
            [
                {"type": "string_unicode", "loc": loc, "msg": msg, "input": None}
                for loc, msg in problems
            ]
        )


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "application/json").lower()
    return content_type.split(";")[0].strip().endswith("json")


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


INTERNAL_ERROR = "the server failed to answer; quote the request id if you report it"


def internal_error(request_id: str) -> JSONResponse:
    """The answer to an error nobody expected: the error format, and the request id that
    finds its traceback in the log."""
    return error_response(500, "internal_error", INTERNAL_ERROR, request_id=request_id)


class ServerErrors:
    """Any exception a request raises that no handler maps: logged with its traceback and
    request id, answered 500 in the API's error format (Starlette's own answer is
    text/plain), and the connection kept open. Placed inside the request ids, so the log line
    and the answer carry the request's id, and inside the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            logger.exception("unhandled error answering %s %s", scope["method"], scope["path"])
            if started:  # half an answer is out: the server can only end the connection
                raise
            request_id = scope.get("state", {}).get("request_id") or correlation.get() or "-"
            await internal_error(request_id)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors, validation and HTTP errors in the error format. Errors nobody expected
    are answered by `ServerErrors` (see security.harden); this handler is the backstop for
    one raised outside it, by a middleware."""

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _error: Exception) -> JSONResponse:
        # Starlette re-raises it after this answer: the server logs the traceback.
        request_id = getattr(request.state, "request_id", "-")
        response = internal_error(request_id)
        response.headers[REQUEST_ID_HEADER.decode()] = request_id  # RequestIds has returned
        return response

    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        extra = {"field": error.field} if error.field else {}
        response = error_response(STATUS_BY_KIND[error.kind], error.code, error.message, **extra)
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.retry_after)
        elif isinstance(error, Unavailable):
            response.headers["Retry-After"] = "1"
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
