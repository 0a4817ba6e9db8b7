/** The plain HTML page at /: links to the API and a minimal live view (WebSocket /api/live). */
export const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PPipe appliance</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em;max-width:60em}img{max-width:320px;border:1px solid #ccc}
li{margin:.2em 0}#events{font-family:monospace;font-size:.9em;white-space:pre-wrap}</style></head>
<body><h1>PPipe appliance</h1>
<p>API: <a href="/api/cameras">/api/cameras</a> · <a href="/api/detections?limit=20">/api/detections</a> ·
<a href="/api/detections/export?format=csv">export CSV</a> ·
<a href="/api/detections/export?format=jsonl">export JSON Lines</a> ·
<a href="/api/stats">/api/stats</a> · <a href="/api/nodes">/api/nodes</a> · <a href="/api/plan">/api/plan</a> ·
<a href="/api/config/schema">config JSON Schema</a> · <a href="/metrics">/metrics</a></p>
<h2>Cameras</h2><ul id="cameras"></ul>
<h2>Live</h2><p id="state">connecting…</p><img id="thumb" alt="latest detection frame"><div id="events"></div>
<script>
const cams = document.getElementById('cameras'), events = document.getElementById('events');
const state = document.getElementById('state'), thumb = document.getElementById('thumb');
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
</script></body></html>
`;
