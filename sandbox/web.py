"""The sandbox's HTTP face: the page and its live updates, and Slack's Web API at /api/ for the bot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sandbox import client, page, people, shell
from sandbox.slack_side import SlackSide
from sandbox.workspace import dm_id

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 20 * 1024 * 1024


def _me(value: Any) -> str:
    return value if value in people.BY_ID else people.PEOPLE[0].id


async def _form_or_json(request: Request) -> dict[str, Any]:
    raw = (await request.body()).decode("utf-8", "replace")
    args: dict[str, Any] = {k: v for k, v in request.query_params.items()}
    if "json" in request.headers.get("content-type", ""):
        args.update(json.loads(raw or "{}"))
    elif raw:
        args.update({k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()})
    return args


class Site:
    def __init__(self, side: SlackSide, skip_ahead: Callable[[int], str]):
        self.side = side
        self.ws = side.ws
        self.api = side.api
        self.skip_ahead = skip_ahead

    # --- Web API ----------------------------------------------------------------------------------

    async def web_api(self, request: Request) -> Response:
        args = await _form_or_json(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or args.pop("token", None)
        method = request.path_params["method"]
        status, body, headers = await run_in_threadpool(self.api.call, method, args, token)
        return JSONResponse(body, status_code=status, headers=headers)

    async def upload(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        record = self.ws.state["files"].get(file_id)
        data = await request.body()
        refused = record is None or "content" in record or len(data) > MAX_UPLOAD
        self.api.record("upload", {"file_id": file_id, "content": data}, {"ok": not refused})
        if refused:
            return PlainTextResponse("failed", status_code=400)
        await run_in_threadpool(self.ws.store_file, file_id, {}, data)
        return PlainTextResponse(f"OK - {len(data)}")

    async def file(self, request: Request) -> Response:
        file_id = request.path_params["file_id"]
        record = self.ws.state["files"].get(file_id)
        content = self.ws.file_content(file_id)
        if record is None or content is None:
            return PlainTextResponse("file_not_found", status_code=404)
        headers = {"X-Content-Type-Options": "nosniff"}
        if request.query_params.get("download") or not record["mimetype"].startswith("image/"):
            headers["Content-Disposition"] = f'attachment; filename="{record["name"].replace(chr(34), "")}"'
        return Response(content, media_type=record["mimetype"], headers=headers)

    async def archives(self, request: Request) -> Response:
        """A permalink opened from outside the page: the conversation, with the message's thread open."""
        channel, stamp = request.path_params["channel"], request.path_params["stamp"].removeprefix("p")
        ts = f"{stamp[:-6]}.{stamp[-6:]}" if stamp.isdigit() and len(stamp) > 6 else ""
        thread = request.query_params.get("thread_ts") or ts
        return RedirectResponse("/?" + urlencode({"c": channel, "t": thread}), status_code=302)

    async def respond(self, request: Request) -> Response:
        body = await _form_or_json(request)
        status, text = await run_in_threadpool(client.respond, self.side, request.path_params["token"], body)
        return PlainTextResponse(text, status_code=status)

    # --- the page ---------------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        me = _me(request.query_params.get("as"))
        return HTMLResponse(shell.render(me, self.ws.now()))

    def _frame(self, me: str, channel_id: str, thread_ts: str, tab: str) -> dict[str, Any]:
        with self.ws.lock:
            channel = self.ws.channel(channel_id)
            if channel is None or me not in channel["members"]:
                channel = self.ws.channel(dm_id(me))
            is_app = channel["kind"] == "im"
            tab = tab if is_app and tab in ("home", "messages") else "messages"
            modal, modal_key = page.modal_html(self.ws, me)
            main = page.home_html(self.ws, me) if tab == "home" else page.messages_html(self.ws, channel["id"], me)
            thread = page.thread_html(self.ws, channel["id"], thread_ts, me) if thread_ts else ""
            return {
                "channel": channel["id"],
                "name": page.conversation_name(channel, me),
                "tab": tab,
                "sidebar": page.sidebar(self.ws, me, channel["id"], tab),
                "header": page.header_html(self.ws, channel, me, tab),
                "main": main,
                "thread": thread,
                "modal": modal,
                "modal_key": modal_key,
                "clock": page.when(f"{self.ws.now().timestamp():.6f}"),
                "version": self.ws.version,
            }

    async def frame(self, request: Request) -> Response:
        q = request.query_params
        args = (_me(q.get("as")), q.get("c") or "", q.get("t") or "", q.get("tab") or "messages")
        return JSONResponse(await run_in_threadpool(self._frame, *args))

    async def stream(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[int] = asyncio.Queue()
        unsubscribe = self.ws.subscribe(lambda version: loop.call_soon_threadsafe(queue.put_nowait, version))

        async def events():
            try:
                yield f"event: hello\ndata: {self.ws.version}\n\n"
                while True:
                    try:
                        version = await asyncio.wait_for(queue.get(), timeout=15)
                        while not queue.empty():
                            version = queue.get_nowait()
                        yield f"event: changed\ndata: {version}\n\n"
                    except TimeoutError:
                        yield ": keep-alive\n\n"
            finally:
                unsubscribe()

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    async def ui(self, request: Request) -> Response:
        body = await request.json()
        me = _me(body.get("as"))
        action = request.path_params["action"]
        problem = await run_in_threadpool(self._ui, action, me, body)
        return JSONResponse({"ok": not problem, "problem": problem or ""})

    def _ui(self, action: str, me: str, body: dict[str, Any]) -> str | None:
        side = self.side
        if action == "send":
            return client.send(side, me, body.get("channel", ""), body.get("text", ""), body.get("thread") or None)
        if action == "action" and body.get("view"):
            args = (
                body["view"],
                body.get("block", ""),
                body.get("action", ""),
                body.get("value"),
                body.get("state") or {},
            )
            return client.act_in_view(side, me, *args)
        if action == "action":
            args = (body.get("channel", ""), body.get("ts", ""), body.get("block", ""), body.get("action", ""))
            return client.act_in_message(side, me, *args, body.get("value"))
        if action == "submit":
            return client.submit(side, me, body.get("view", ""), body.get("state") or {})
        if action == "close":
            client.close(side, me, body.get("view", ""), everything=bool(body.get("all")))
            return None
        if action == "home":
            side.home_opened(me)
            return None
        if action == "skip":
            return self.skip_ahead(int(body.get("days") or 1))
        return "unknown action"


def build(site: Site) -> Starlette:
    routes = [
        Route("/", site.index),
        Route("/api/{method}", site.web_api, methods=["GET", "POST"]),
        Route("/upload/{file_id}", site.upload, methods=["POST", "PUT"]),
        Route("/files/{file_id}/{name}", site.file),
        Route("/respond/{token}", site.respond, methods=["POST"]),
        Route("/archives/{channel}/{stamp}", site.archives),
        Route("/ui/frame", site.frame),
        Route("/ui/stream", site.stream),
        Route("/ui/{action}", site.ui, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes)
