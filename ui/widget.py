"""The chat widget for the ward website: /widget (a small chat page) and /widget.js (the bubble).

The ward website pastes one line:  <script src="https://<our host>/widget.js" defer></script>
The page's script and styles are files in ui/static/ served from /widget/static/, so the CSP allows no
inline code. Answers are inserted with textContent only: no HTML from the corpus or a question reaches
the page. Limits and the opening suggestions come from the service's settings.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response

from service import TthcService
from tthc.settings import PRIVACY_NOTICE

STATIC = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {".js": "application/javascript", ".css": "text/css"}

WIDGET_SCRIPT = """(function(){var s=document.currentScript;var base=new URL(s.src).origin;
var b=document.createElement('button');b.type='button';b.textContent='Hỏi đáp TTHC';b.setAttribute('aria-expanded','false');
b.setAttribute('aria-label','Mở hỏi đáp thủ tục hành chính');
b.style.cssText='position:fixed;right:16px;bottom:16px;z-index:99999;padding:12px 16px;border-radius:24px;border:0;background:#b71c1c;color:#fff;font:600 15px system-ui;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer';
var f=document.createElement('iframe');f.src=base+'/widget';f.title='Hỏi đáp thủ tục hành chính';
f.style.cssText='position:fixed;right:16px;bottom:72px;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 100px));border:1px solid #ddd;border-radius:12px;z-index:99999;display:none;background:#fff';
b.onclick=function(){var open=f.style.display==='none';f.style.display=open?'block':'none';b.setAttribute('aria-expanded',String(open));
b.setAttribute('aria-label',open?'Đóng hỏi đáp thủ tục hành chính':'Mở hỏi đáp thủ tục hành chính');if(open)f.focus();};
document.body.appendChild(f);document.body.appendChild(b);})();
"""


def frame_ancestors(service: TthcService) -> str:
    """Who may frame our pages: ourselves and the ward website (TTHC_CORS_ORIGINS)."""
    return " ".join(["'self'", *service.settings.cors_origins])


def widget_config(service: TthcService) -> dict:
    """What the page's script needs from the server: the service's limits and the curated suggestions."""
    return {**service.limits().model_dump(), "suggested_questions": list(service.settings.suggested_questions)}


def widget_page(service: TthcService) -> str:
    """The chat page with its configuration as a JSON data block (``<`` escaped so it cannot end the block)."""
    config = json.dumps(widget_config(service), ensure_ascii=False).replace("<", "\\u003c")
    page = (STATIC / "widget.html").read_text(encoding="utf-8").replace("__CONFIG__", config)
    settings = service.settings
    for placeholder, value in [
        ("__PRIVACY_NOTICE__", PRIVACY_NOTICE),
        ("__WARD_NAME__", settings.ward_name),
        ("__WARD_HEADING__", settings.ward_heading),
    ]:
        page = page.replace(placeholder, html.escape(value))
    return page


def static_file(name: str) -> Response:
    """One of our own script or style files from ui/static/ (nothing else is served)."""
    path = STATIC / name
    media_type = MEDIA_TYPES.get(path.suffix)
    if media_type is None or path.parent != STATIC or not path.is_file():
        raise HTTPException(status_code=404)
    return Response(path.read_bytes(), media_type=media_type, headers={"Cache-Control": "no-cache"})


def mount_widget(app: FastAPI, service: TthcService) -> None:
    page = widget_page(service)
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors(service)}"
    )

    @app.get("/widget", response_class=HTMLResponse, include_in_schema=False)
    def widget() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    @app.get("/widget/static/{name}", include_in_schema=False)
    def widget_static(name: str) -> Response:
        return static_file(name)

    @app.get("/widget.js", include_in_schema=False)
    def widget_script() -> Response:
        return Response(WIDGET_SCRIPT, media_type="application/javascript", headers={"Cache-Control": "public, max-age=3600"})
