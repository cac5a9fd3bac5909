"""The HTML report's only style sheet and script, inline: the report needs no network."""

CSS = """
:root{--fg:#1c2833;--muted:#5d6d7e;--line:#d5dbdb;--bg:#fbfcfc;--err:#c0392b;--warn:#d68910;
--ok:#1e8449;--env:#c0392b;--domain:#d68910;--plain:#7f8c8d}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg);margin:0;padding:24px 32px}
h1{margin:0 0 4px;font-size:24px}h2{margin:32px 0 8px;border-bottom:2px solid var(--line);
padding-bottom:4px}h3{margin:20px 0 6px;font-size:15px}
.status{font-weight:600}.status-clean{color:var(--ok)}.status-findings{color:var(--err)}
.status-incomplete{color:var(--warn)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;
margin:16px 0}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .value{font-size:24px;font-weight:700}.card .label{color:var(--muted);font-size:12px}
.card.bad .value{color:var(--err)}.card.warn .value{color:var(--warn)}
.card.good .value{color:var(--ok)}
.note{background:#fef5e7;border-left:4px solid var(--warn);padding:8px 12px;margin:8px 0}
.filter{margin:6px 0;padding:4px 8px;width:320px;max-width:100%;border:1px solid var(--line);
border-radius:4px}
.scroll{max-height:480px;overflow:auto;border:1px solid var(--line);border-radius:4px;
background:#fff}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;
overflow-wrap:break-word}
th{position:sticky;top:0;background:#eaeded;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.sev-error{color:var(--err);font-weight:600}.sev-warning{color:var(--warn);font-weight:600}
.kv th{width:180px;cursor:default;position:static}
code{font-size:12px;overflow-wrap:anywhere}
td:first-child,td.num,td.sev-error,td.sev-warning,td.sev-note{white-space:nowrap}
.graph{overflow:auto;border:1px solid var(--line);border-radius:4px;background:#fff;
padding:8px}
svg.lineage{max-width:100%;height:auto}
svg.lineage .node rect{fill:#eaf2f8;stroke:#5d6d7e}
svg.lineage .node text{font:11px ui-monospace,monospace;fill:var(--fg)}
svg.lineage .edge{fill:none;stroke-width:1.6}
svg.lineage .edge-plain{stroke:var(--plain)}svg.lineage .edge-env{stroke:var(--env);
stroke-width:3}svg.lineage .edge-domain{stroke:var(--domain);stroke-width:2.4}
svg.lineage .edge-plain-head{fill:var(--plain)}svg.lineage .edge-env-head{fill:var(--env)}
svg.lineage .edge-domain-head{fill:var(--domain)}
svg.lineage .legend{font-size:12px}.legend-env{fill:var(--env)}
.legend-domain{fill:var(--domain)}.legend-plain{fill:var(--plain)}
"""

# Sort on a heading click (numbers as numbers), filter rows on typing; nothing else.
JS = """
(function(){
function key(td){var t=td?td.textContent.trim():"";var n=Number(t.replace(/[%,]/g,""));
return t!==""&&!isNaN(n)?{n:n}:{s:t.toLowerCase()};}
function cmp(a,b){if(a.n!==undefined&&b.n!==undefined)return a.n-b.n;
var x=a.s!==undefined?a.s:String(a.n),y=b.s!==undefined?b.s:String(b.n);
return x<y?-1:x>y?1:0;}
document.querySelectorAll("table.data").forEach(function(table){
var heads=table.querySelectorAll("thead th");
heads.forEach(function(th,i){th.addEventListener("click",function(){
var asc=th.getAttribute("aria-sort")!=="ascending";
heads.forEach(function(h){h.removeAttribute("aria-sort");});
th.setAttribute("aria-sort",asc?"ascending":"descending");
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(r1,r2){var c=cmp(key(r1.cells[i]),key(r2.cells[i]));return asc?c:-c;});
rows.forEach(function(r){body.appendChild(r);});});});});
document.querySelectorAll("input.filter").forEach(function(box){
box.addEventListener("input",function(){
var table=document.getElementById(box.getAttribute("data-table"));
var q=box.value.toLowerCase();
Array.prototype.forEach.call(table.tBodies[0].rows,function(r){
r.hidden=q!==""&&r.textContent.toLowerCase().indexOf(q)<0;});});});
document.body.setAttribute("data-ready","yes");
})();
"""
