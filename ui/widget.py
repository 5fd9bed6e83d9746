"""The chat widget for the ward website: /widget (a small chat page) and /widget.js (the bubble).

The ward website pastes one line:  <script src="https://<our host>/widget.js" defer></script>
Answers are inserted with textContent only, so no HTML from the corpus or a question reaches the page.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from service import TthcService
from tthc.settings import PRIVACY_NOTICE

WIDGET_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hỏi đáp thủ tục hành chính</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;display:flex;flex-direction:column;height:100vh;background:#f6f7f9}
header{background:#b71c1c;color:#fff;padding:10px 14px;font-weight:600}
#log{flex:1;overflow-y:auto;padding:10px}
.msg{margin:6px 0;padding:8px 10px;border-radius:10px;white-space:pre-wrap;max-width:92%;line-height:1.4}
.user{background:#dbeafe;margin-left:auto}.bot{background:#fff;border:1px solid #e5e7eb}
.src a{color:#1d4ed8;display:block;font-size:.9em;margin-top:4px}
form{display:flex;gap:6px;padding:8px;border-top:1px solid #e5e7eb;background:#fff}
input{flex:1;padding:10px;border:1px solid #ccc;border-radius:8px;font-size:16px}
button{padding:10px 14px;border:0;border-radius:8px;background:#b71c1c;color:#fff;font-size:16px}
</style></head><body>
<header>Trợ lý thủ tục hành chính — phường Nam Gia Nghĩa</header>
<div id="log" aria-live="polite"><div class="msg bot">Xin chào! Bạn cần hỏi về thủ tục hành chính nào?</div></div>
<form id="f"><input id="q" maxlength="__MAX_QUESTION_CHARS__" placeholder="Nhập câu hỏi…" autocomplete="off" aria-label="Câu hỏi"><button>Gửi</button></form>
<p id="privacy-notice" style="margin:0;padding:0 8px 8px;background:#fff;color:#555;font-size:12px">""" + PRIVACY_NOTICE + """</p>
<script>
const log=document.getElementById('log'),f=document.getElementById('f'),q=document.getElementById('q');const history=[];
function add(text,cls){const d=document.createElement('div');d.className='msg '+cls;d.textContent=text;log.appendChild(d);log.scrollTop=log.scrollHeight;return d;}
f.addEventListener('submit',async e=>{e.preventDefault();const text=q.value.trim();if(!text)return;q.value='';add(text,'user');
 const wait=add('Đang tìm câu trả lời…','bot');
 try{const r=await fetch('/api/chat',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({question:text,history:history.slice(-__MAX_HISTORY_TURNS__)})});
  const data=await r.json();wait.textContent=r.ok?data.answer:(data.detail||'Có lỗi, vui lòng thử lại.');
  if(r.ok){history.push({role:'user',content:text},{role:'assistant',content:data.answer});
   const src=document.createElement('div');src.className='src';
   for(const c of data.citations||[]){if(!c.url||!/^https:\\/\\//.test(c.url))continue;const a=document.createElement('a');a.href=c.url;a.target='_blank';a.rel='noopener';a.textContent='Nguồn: '+c.code+' — '+c.title;src.appendChild(a);}
   wait.appendChild(src);}
 }catch(err){wait.textContent='Không kết nối được máy chủ. Vui lòng thử lại.';}});
</script></body></html>
"""

WIDGET_SCRIPT = """(function(){var s=document.currentScript;var base=new URL(s.src).origin;
var b=document.createElement('button');b.textContent='Hỏi đáp TTHC';b.setAttribute('aria-label','Mở hỏi đáp thủ tục hành chính');
b.style.cssText='position:fixed;right:16px;bottom:16px;z-index:99999;padding:12px 16px;border-radius:24px;border:0;background:#b71c1c;color:#fff;font:600 15px system-ui;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer';
var f=document.createElement('iframe');f.src=base+'/widget';f.title='Hỏi đáp thủ tục hành chính';
f.style.cssText='position:fixed;right:16px;bottom:72px;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 100px));border:1px solid #ddd;border-radius:12px;z-index:99999;display:none;background:#fff';
b.onclick=function(){f.style.display=f.style.display==='none'?'block':'none';};
document.body.appendChild(f);document.body.appendChild(b);})();
"""


def widget_page(service: TthcService) -> str:
    """The chat page with the server's limits filled in, so the widget never disagrees with the API."""
    limits = service.limits()
    return WIDGET_PAGE.replace("__MAX_QUESTION_CHARS__", str(limits.max_question_chars)).replace(
        "__MAX_HISTORY_TURNS__", str(limits.max_history_turns)
    )


def mount_widget(app: FastAPI, service: TthcService) -> None:
    ancestors = " ".join(["'self'", *service.settings.cors_origins])
    page = widget_page(service)

    @app.get("/widget", response_class=HTMLResponse, include_in_schema=False)
    def widget() -> HTMLResponse:
        return HTMLResponse(
            page,
            headers={
                "Content-Security-Policy": f"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                f"connect-src 'self'; frame-ancestors {ancestors}"
            },
        )

    @app.get("/widget.js", include_in_schema=False)
    def widget_script() -> Response:
        return Response(WIDGET_SCRIPT, media_type="application/javascript", headers={"Cache-Control": "public, max-age=3600"})
