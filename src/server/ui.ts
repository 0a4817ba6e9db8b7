/**
 * The plain pages of the server: / (links to the API and a minimal live view over WebSocket /api/live) and
 * /login (log-in, or the first-run setup of the admin password). No inline script or style: pages are served
 * under the CSP `default-src 'self'`, their script and style are files of their own.
 */
export const UI_CSS = `body{font-family:system-ui,sans-serif;margin:1.5em;max-width:60em}
img{max-width:320px;border:1px solid #ccc}li{margin:.2em 0}
#events{font-family:monospace;font-size:.9em;white-space:pre-wrap}
form label{display:block;margin:.5em 0}.error{color:#b00020}
`;

export const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PPipe appliance</title>
<link rel="stylesheet" href="/ui.css"><script src="/index.js" defer></script></head>
<body><h1>PPipe appliance</h1>
<form id="logout" method="post" action="/api/auth/logout" hidden><button>Log out</button></form>
<p>API: <a href="/api/cameras">/api/cameras</a> · <a href="/api/detections?limit=20">/api/detections</a> ·
<a href="/api/detections/export?format=csv">export CSV</a> ·
<a href="/api/detections/export?format=jsonl">export JSON Lines</a> ·
<a href="/api/stats">/api/stats</a> · <a href="/api/nodes">/api/nodes</a> · <a href="/api/plan">/api/plan</a> ·
<a href="/api/config/schema">config JSON Schema</a> · <a href="/metrics">/metrics</a></p>
<h2>Cameras</h2><ul id="cameras"></ul>
<h2>Live</h2><p id="state">connecting…</p><img id="thumb" alt="latest detection frame"><div id="events"></div>
</body></html>
`;

export const INDEX_JS = `const cams = document.getElementById('cameras'), events = document.getElementById('events');
const state = document.getElementById('state'), thumb = document.getElementById('thumb');
fetch('/api/auth/status').then((r) => r.json()).then((s) => {
  document.getElementById('logout').hidden = !(s.auth === 'required' && s.authenticated);
});
function showCameras(list){cams.textContent='';for(const c of list){const li=document.createElement('li');
  li.textContent=c.id+' ('+c.status+') '+c.url;cams.appendChild(li);}}
const ws = new WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+'/api/live');
ws.onopen=()=>{state.textContent='live';};ws.onclose=()=>{state.textContent='disconnected';};
ws.onmessage=(e)=>{const m=JSON.parse(e.data);
 if(m.type==='snapshot'){showCameras(m.cameras);}
 else if(m.type==='detection'){if(m.thumbnailJpegBase64)thumb.src='data:image/jpeg;base64,'+m.thumbnailJpegBase64;
  const line=new Date(m.time).toISOString()+' '+m.camera+' '+
    m.items.map(d=>d.label+' '+d.score.toFixed(2)+' ['+d.box.map(Math.round).join(',')+']').join('; ');
  events.textContent=(line+'\\n'+events.textContent).slice(0,5000);}
 else if(m.type==='camera'){
  events.textContent=(m.camera+': '+m.before+' → '+m.after+' ('+m.reason+')\\n'+events.textContent).slice(0,5000);}};
`;

function escapeHtml(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (c) => entities[c]!);
}

/** /login: the log-in form, or the setup form while no admin password is set; `message` says what went wrong. */
export function loginPage(form: 'login' | 'setup', message?: string, minPasswordLength = 10): string {
  const error = message === undefined ? '' : `<p class="error" role="alert">${escapeHtml(message)}</p>\n`;
  const body =
    form === 'login'
      ? `<form method="post" action="/api/auth/login">
<label>Password <input type="password" name="password" autocomplete="current-password" required autofocus></label>
<button>Log in</button></form>`
      : `<p>No admin password yet. Enter the one-time setup code from this appliance's log (or restart it with
PPIPE_ADMIN_PASSWORD set) and choose a password of at least ${minPasswordLength} characters.</p>
<form method="post" action="/api/auth/setup">
<label>Setup code <input name="setupCode" autocomplete="off" required autofocus></label>
<label>Password <input type="password" name="password" minlength="${minPasswordLength}"
 autocomplete="new-password" required></label>
<label>Password again <input type="password" name="repeat" autocomplete="new-password" required></label>
<button>Set the password and log in</button></form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PPipe appliance: log in</title>
<link rel="stylesheet" href="/ui.css"></head>
<body><h1>PPipe appliance</h1>
${error}${body}
</body></html>
`;
}
