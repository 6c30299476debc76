"""Routes Gradio serves without its own login check, put behind the login here.

Gradio registers ``/gradio_api/cancel`` without the login dependency its other routes have, so with a login
configured anyone could call it. This ASGI middleware answers 401 on such routes unless the request carries a
session Gradio knows, checked the way Gradio's own ``login_check`` does.
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Any

UNGUARDED_ROUTES = ("/gradio_api/cancel",)


def _logged_in(scope: dict[str, Any], app: Any) -> bool:
    raw = b"; ".join(value for name, value in scope.get("headers", []) if name == b"cookie").decode("latin-1")
    cookies = SimpleCookie()
    cookies.load(raw)
    for name in (f"access-token-{app.cookie_id}", f"access-token-unsecure-{app.cookie_id}"):
        if name in cookies and app.tokens.get(cookies[name].value) is not None:
            return True
    return False


class LoginForUnguardedRoutes:
    """ASGI middleware: 401 for an unguarded Gradio route when a login is configured and the caller has none."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        gradio = scope.get("app")
        if (
            scope.get("type") == "http"
            and scope.get("path", "").rstrip("/").endswith(UNGUARDED_ROUTES)
            and getattr(gradio, "auth", None)
            and not _logged_in(scope, gradio)
        ):
            body = json.dumps({"detail": {"error": "Not authenticated"}}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
