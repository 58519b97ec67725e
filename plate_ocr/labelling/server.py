"""The labelling page's web app (Starlette, served by uvicorn on 127.0.0.1 only): the page, the crops of the
folder and nothing else of the disk, and the labels saved through plate_ocr.labelling.session."""

from __future__ import annotations

import io
import socket
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

import uvicorn
from fontTools import subset
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from plate_ocr.charset import Charset
from plate_ocr.data.labels_file import UNREADABLE
from plate_ocr.labelling.order import NEEDS_FRAMINGS, CropReading
from plate_ocr.labelling.session import LabellingSession
from plate_ocr.plate_format import DEFAULT_ALPHABET, MARKS, PROVINCES
from plate_ocr.synth.fonts import chinese_face

HOST = "127.0.0.1"
# Names this machine calls itself: a page elsewhere that rebinds its own name to 127.0.0.1 is refused.
ALLOWED_HOSTS = [HOST, "localhost"]
# The page's hanzi: an OpenType file (browsers take no .ttc collections), sans-like.
PAGE_FACE = "source_han_mono"


def create_app(
    folder: str | Path,
    readings: Sequence[CropReading],
    charset: Charset,
    order: str = "disagreement",
    seed: int = 0,
) -> Starlette:
    """The app that asks for the labels of `folder`'s crops, read as `readings`, in `order`; its session is
    `app.state.session`."""
    routes = [
        Route("/", index),
        Route("/api/crops", crops),
        Route("/api/labels", label, methods=["POST"]),
        Route("/crops/{name}", image),
        Route("/font", font),
    ]
    hosts = Middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS)
    app = Starlette(routes=routes, middleware=[hosts])
    app.state.session = LabellingSession(folder, readings, charset, order, seed)
    app.state.page = (files("plate_ocr.labelling") / "page.html").read_text(encoding="utf-8")
    return app


async def index(request: Request) -> Response:
    return HTMLResponse(request.app.state.page)


async def crops(request: Request) -> Response:
    """The crops in order with their readings and labels, and what the page needs to ask for them."""
    session: LabellingSession = request.app.state.session
    return JSONResponse(
        {
            "folder": str(session.folder),
            "crops": session.crops(),
            "progress": session.progress(),
            "provinces": PROVINCES,
            "marks": MARKS,  # the other hanzi plates carry: 警, 学, 使, 港, ...
            "unreadable": UNREADABLE,
            "framings": session.strategy in NEEDS_FRAMINGS,  # whether the readings' agreement was measured
        }
    )


async def image(request: Request) -> Response:
    session: LabellingSession = request.app.state.session
    name = request.path_params["name"]
    if name not in session.readings:  # only the crops of the folder, never another file
        return JSONResponse({"error": f"no crop {name}"}, status_code=404)
    return FileResponse(session.folder / name)


async def label(request: Request) -> Response:
    """Save `{"name": crop, "plate": label}`; the problem with it (422) when it is not a plate."""
    # JSON only: a form another site posts here is refused, since a browser cannot send JSON across sites
    # without asking first.
    if request.headers.get("content-type", "").split(";")[0] != "application/json":
        return JSONResponse({"error": "send JSON"}, status_code=415)
    session: LabellingSession = request.app.state.session
    sent = await request.json()
    name, plate = str(sent.get("name", "")), str(sent.get("plate", "")).strip().upper()
    if name not in session.readings:
        return JSONResponse({"error": f"no crop {name}"}, status_code=404)
    problem = session.save(name, plate)
    if problem:
        return JSONResponse({"error": problem}, status_code=422)
    return JSONResponse({"name": name, "label": plate, "progress": session.progress()})


@cache
def page_font() -> bytes:
    """PAGE_FACE cut down to the plate format's characters: about 30 kB to load instead of 17 MB, so that
    the page's hanzi show at once (built on the first request, in half a second)."""
    options = subset.Options()
    face = subset.load_font(str(chinese_face(PAGE_FACE).path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=DEFAULT_ALPHABET)
    subsetter.subset(face)
    cut = io.BytesIO()
    subset.save_font(face, cut, options)
    return cut.getvalue()


async def font(request: Request) -> Response:
    # A Chinese face from a pip package, so that the provinces read on a machine without CJK fonts.
    return Response(page_font(), media_type="font/otf", headers={"Cache-Control": "max-age=86400"})


def bind(port: int) -> socket.socket:
    """A socket on 127.0.0.1:`port` (0: any free port); an OSError names a port already taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen()  # the address works once printed: connections wait until uvicorn accepts them
    except OSError as error:
        sock.close()
        raise OSError(f"cannot serve on {HOST}:{port} ({error.strerror}): give another --port") from error
    return sock


def serve(app: Starlette, sock: socket.socket) -> None:
    """Serve `app` on `sock` until Ctrl+C."""
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def url(sock: socket.socket) -> str:
    """The page's address for a socket from bind."""
    return f"http://{HOST}:{sock.getsockname()[1]}/"
