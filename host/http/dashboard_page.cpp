#include "http/dashboard_page.hpp"

namespace factory::http {

namespace {

// Split at the embedded status: the server joins head + status + tail once a second.
constexpr std::string_view head = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>factory</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--mute:#6b7385;--ok:#2e9d57;--low:#d79b00;--high:#d43d3d;--line:#c9ced8}
*{box-sizing:border-box}body{margin:0;font:14px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;gap:18px;align-items:baseline;padding:12px 18px;background:#1d2330;color:#fff}
header h1{font-size:18px;margin:0}header span{color:#c8cede}.pill{padding:1px 8px;border-radius:9px;background:#39425a}
.pill.ready{background:var(--ok)}.pill.notready{background:var(--high)}
main{padding:14px 18px}
.flow{display:flex;align-items:stretch;gap:0;overflow-x:auto}
.dept{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;min-width:150px;flex:1}
.dept h2{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--mute);margin:0 0 6px}
.arrow{align-self:center;color:var(--mute);font-size:22px;padding:0 6px}
.big{font-size:22px;font-weight:600}.rate{color:var(--mute)}
.row{display:flex;justify-content:space-between;gap:8px;padding:2px 0;border-top:1px dashed #eceef2}
.bar{height:6px;background:#eceef2;border-radius:3px;margin:2px 0 4px;overflow:hidden}.bar i{display:block;height:100%}
.OK{color:var(--ok)}.LOW{color:var(--low)}.HIGH{color:var(--high)}
.bar .OK{background:var(--ok)}.bar .LOW{background:var(--low)}.bar .HIGH{background:var(--high)}
.panels{display:grid;grid-template-columns:2fr 1fr 1fr;gap:12px;margin-top:14px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.panel h2{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--mute);margin:0 0 6px}
svg{width:100%;height:160px}.legend b{display:inline-block;width:10px;height:3px;margin:0 4px 3px 10px}
table{width:100%;border-collapse:collapse}td{padding:2px 4px;border-top:1px dashed #eceef2}td.n{text-align:right}
</style></head><body>
<header><h1>factory</h1><span id="phase" class="pill">-</span><span id="ready" class="pill">-</span>
<span>run <b id="run-seconds">0</b> s</span><span>version <b id="version"></b></span><span id="conn"></span></header>
<main>
<div class="flow">
<section class="dept" id="dept-purchasing"><h2>Purchasing</h2><div class="big" id="purchased">0</div>
<div class="rate"><span id="purchased-rate">0</span>/s purchased</div>
<div class="row"><span>waits on full lines</span><b id="waits">0</b></div><div class="row"><span>time waiting</span><b id="wait-seconds">0</b></div></section>
<div class="arrow">&rarr;</div>
<section class="dept" id="dept-lines"><h2>Production lines</h2><div id="lines"></div></section>
<div class="arrow">&rarr;</div>
<section class="dept" id="dept-workshops"><h2>Workshops</h2><div class="big" id="assembled">0</div>
<div class="rate"><span id="assembled-rate">0</span>/s assembled</div><div id="workshops"></div></section>
<div class="arrow">&rarr;</div>
<section class="dept" id="dept-lanes"><h2>Lanes</h2><div id="lanes"></div></section>
<div class="arrow">&rarr;</div>
<section class="dept" id="dept-transportation"><h2>Transportation</h2><div class="big" id="received">0</div>
<div class="rate"><span id="received-rate">0</span>/s received</div>
<div class="row"><span>warehouse</span><b id="warehouse">0</b></div><div class="row"><span>restarts</span><b id="transport-restarts">0</b></div></section>
<div class="arrow">&rarr;</div>
<section class="dept" id="dept-exporters"><h2>Exporters</h2><div id="exporters"></div></section>
</div>
<div class="panels">
<section class="panel" id="throughput"><h2>Throughput, last minutes</h2>
<svg id="chart" viewBox="0 0 600 160" preserveAspectRatio="none"><polyline id="chart-purchased" fill="none" stroke="#3b6fd8" stroke-width="2" points=""/><polyline id="chart-exported" fill="none" stroke="#2e9d57" stroke-width="2" points=""/></svg>
<div class="legend"><b style="background:#3b6fd8"></b>purchased/s <b style="background:#2e9d57"></b>exported/s (first exporter) &middot; peak <span id="chart-peak">0</span>/s</div></section>
<section class="panel" id="dead-letters"><h2>Dead letters: <span id="dead-total">0</span></h2><table id="dead-reasons"></table></section>
<section class="panel" id="restarts-panel"><h2>Restarts: <span id="restarts">0</span></h2><table id="processes"></table>
<div class="row"><span>latency p50 / p99</span><b id="latency">-</b></div></section>
<section class="panel" id="events-panel"><h2>Recent events</h2><table id="events"></table></section>
</div></main>
<script id="initial" type="application/json">)HTML";

constexpr std::string_view tail = R"HTML(</script>
<script>
"use strict";
const $=id=>document.getElementById(id);
const num=n=>{n=Number(n)||0;return n>=1e9?(n/1e9).toFixed(2)+"G":n>=1e6?(n/1e6).toFixed(2)+"M":n>=1e4?(n/1e3).toFixed(1)+"k":String(Math.round(n));};
const esc=s=>String(s).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"})[c]);
const bytes=n=>n>=1<<20?(n/(1<<20)).toFixed(1)+" MiB":n>=1024?(n/1024).toFixed(1)+" KiB":n+" B";
const dur=ns=>ns>=1e9?(ns/1e9).toFixed(2)+" s":ns>=1e6?(ns/1e6).toFixed(1)+" ms":(ns/1e3).toFixed(0)+" us";
// Flink's back-pressure levels, by how full a ring is.
const level=f=>f<=0.10?"OK":f<=0.50?"LOW":"HIGH";
function rings(id,name,rs){
  $(id).innerHTML=rs.map((r,i)=>{const l=level(r.fill);return `<div class="row"><span>${name} ${i+1}</span><b class="${l}" data-level="${l}">${l} ${(r.fill*100).toFixed(1)}%</b></div>`+
    `<div class="bar"><i class="${l}" style="width:${Math.max(1,Math.min(100,r.fill*100))}%"></i></div><div class="rate">${num(r.records)} records, ${bytes(r.bytes)}</div>`;}).join("");
}
function chart(h){
  const p=h.map(x=>x[1]),e=h.map(x=>x[3]),peak=Math.max(1,...p,...e);$("chart-peak").textContent=num(peak);
  const pts=a=>a.map((v,i)=>`${(i/Math.max(1,a.length-1)*600).toFixed(1)},${(156-v/peak*150).toFixed(1)}`).join(" ");
  $("chart-purchased").setAttribute("points",pts(p));$("chart-exported").setAttribute("points",pts(e));
}
function render(s){
  $("phase").textContent=s.phase;$("ready").textContent=s.ready?"ready":"not ready";$("ready").className="pill "+(s.ready?"ready":"notready");
  $("run-seconds").textContent=s.run_seconds.toFixed(0);$("version").textContent=s.version+" (ABI "+s.abi+")";
  $("purchased").textContent=num(s.purchasing.purchased);$("purchased-rate").textContent=num(s.purchasing.per_second);
  $("waits").textContent=num(s.purchasing.waits);$("wait-seconds").textContent=s.purchasing.wait_seconds.toFixed(2)+" s";
  rings("lines","line",s.lines);rings("lanes","lane",s.lanes);
  let asm=0;s.workshops.forEach(w=>asm+=w.assembled);$("assembled").textContent=num(asm);$("assembled-rate").textContent=num(s.assembled_per_second);
  $("workshops").innerHTML=s.workshops.map(w=>`<div class="row"><span>workshop ${w.workshop}</span><b>${num(w.per_second)}/s</b></div>`+
    `<div class="rate">roster <b class="roster">${num(w.roster)}</b> &middot; hired ${num(w.hired)} &middot; dead ${num(w.dead_lettered)} &middot; restarts ${w.restarts}</div>`+
    `<div class="rate hot">busiest pids, last second:${(w.hot_keys||[]).slice(0,3).map(k=>`<br>${esc(k.pid)} <b>~${num(k.materials)}</b>`).join("")||" none"}</div>`).join("");
  $("received").textContent=num(s.transportation.received);$("received-rate").textContent=num(s.transportation.per_second);
  $("warehouse").textContent=num(s.transportation.warehouse);$("transport-restarts").textContent=s.transportation.restarts;
  $("exporters").innerHTML=s.exporters.map(x=>`<div class="row"><span>${esc(x.name)}</span><b>${num(x.exported)}</b></div>`+
    `<div class="rate">${num(x.per_second)}/s &middot; retries ${num(x.retries)} &middot; dead ${num(x.dead_lettered)}</div>`).join("");
  $("dead-total").textContent=num(s.dead_letters.total);
  $("dead-reasons").innerHTML=Object.entries(s.dead_letters.reasons).map(([k,v])=>`<tr><td>${esc(k.replace(/_/g," "))}</td><td class="n">${num(v)}</td></tr>`).join("");
  $("restarts").textContent=s.restarts;
  $("events").innerHTML=(s.events||[]).slice(-12).reverse().map(e=>`<tr><td class="n">${e.run_seconds.toFixed(0)} s</td><td>${esc(e.text)}</td></tr>`).join("")||"<tr><td>none yet</td></tr>";
  $("processes").innerHTML=s.processes.map(p=>`<tr><td>${esc(p.name)}</td><td class="n">${p.cpu_seconds.toFixed(1)} s</td><td class="n">${bytes(p.rss_bytes)}</td><td class="n">${p.restarts} restarts</td></tr>`).join("");
  $("latency").textContent=dur(s.latency_ns.p50)+" / "+dur(s.latency_ns.p99);
  chart(s.history);
  $("conn").textContent="figures of "+new Date(s.unix_seconds*1000).toLocaleTimeString();
}
render(JSON.parse($("initial").textContent));
async function poll(){
  try{const r=await fetch("/api/status",{cache:"no-store"});render(await r.json());}
  catch(e){$("conn").textContent="disconnected (the run may have ended)";}
}
setInterval(poll,1000);
</script></body></html>
)HTML";

} // namespace

std::string render_dashboard(std::string_view status_json) {
    std::string page;
    page.reserve(head.size() + status_json.size() + tail.size() + 16);
    page += head;
    // Inside <script>, "</" could end the element early: JSON allows "<\/" for it.
    for (std::size_t i = 0; i < status_json.size(); ++i) {
        page += status_json[i];
        if (status_json[i] == '<' && i + 1 < status_json.size() && status_json[i + 1] == '/') page += '\\';
    }
    page += tail;
    return page;
}

} // namespace factory::http
