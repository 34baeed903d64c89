/** The report's inline stylesheet and script (no external assets: the page works offline). */

export const REPORT_CSS = `
:root { --bg:#f7f8fa; --card:#fff; --ink:#1d2330; --muted:#6b7385; --line:#e3e6ec;
  --ok:#2e9e5b; --fail:#d64545; --skip:#9aa3b2; --warn:#d08a1e; --undo:#6a5acd; --crit:#e0602d; --run:#3b82f6; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
header { background:#1d2330; color:#fff; padding:18px 28px; }
header h1 { margin:0; font-size:20px; font-weight:600; }
header .meta { color:#b8bfcc; font-size:12.5px; margin-top:4px; word-break:break-all; }
main { padding:18px 28px 40px; max-width:1400px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 18px; margin:0 0 16px; }
h2 { font-size:15px; margin:0 0 10px; }
h3 { font-size:13.5px; margin:12px 0 6px; }
code, pre, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
.muted { color:var(--muted); }
.badge { display:inline-block; padding:1px 9px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; vertical-align:2px; margin-left:8px; }
.badge.succeeded,.badge.undone { background:var(--ok); } .badge.failed,.badge.undo-failed { background:var(--fail); }
.badge.interrupted,.badge.incomplete { background:var(--warn); }
.cards { display:flex; flex-wrap:wrap; gap:10px 28px; }
.cards div b { display:block; font-size:18px; }
.cards div span { color:var(--muted); font-size:12px; }
.failure { border-color:#f0b4b4; background:#fff7f7; }
.failure pre { background:#fff; border:1px solid #f0d0d0; padding:8px 10px; overflow:auto; max-height:320px; margin:6px 0; }
.cmd { background:#1d2330; color:#e8ecf3; padding:6px 10px; border-radius:5px; display:inline-block; margin:2px 0; user-select:all; }
.gantt { display:grid; grid-template-columns:minmax(120px,max-content) 1fr minmax(70px,max-content); gap:4px 12px; align-items:center; }
.gantt .axis { position:relative; height:18px; border-bottom:1px solid var(--line); font-size:11px; color:var(--muted); }
.gantt .axis span { position:absolute; transform:translateX(-50%); white-space:nowrap; }
.gantt .axis span.first { transform:none; }
.gantt .label { font-family:ui-monospace,Menlo,Consolas,monospace; font-size:12.5px; white-space:nowrap; cursor:pointer; }
.gantt .label.critical::after { content:" ★"; color:var(--crit); }
.gantt .track { position:relative; height:20px; background:#fafbfc linear-gradient(to left, var(--line) 1px, transparent 1px) 0 0 / var(--grid, 200%) 100% repeat-x; border-radius:3px; }
.gantt .dur { font-size:12px; color:var(--muted); text-align:right; white-space:nowrap; }
.bar { position:absolute; top:2px; height:16px; min-width:2px; border-radius:3px; background:var(--run); }
.bar.succeeded { background:var(--ok); } .bar.failed { background:var(--fail); }
.bar.skipped-condition,.bar.skipped-satisfied { background:var(--skip); }
.bar.restored { background:repeating-linear-gradient(45deg,#9fd6b5 0 6px,#bfe5cf 6px 12px); }
.bar.undone { background:var(--undo); } .bar.undo-failed { background:var(--fail); } .bar.left-in-place { background:var(--warn); }
.bar.unfinished { background:repeating-linear-gradient(45deg,var(--warn) 0 6px,#f2c27a 6px 12px); }
.bar.critical { box-shadow:0 0 0 2px var(--crit); }
.tick { position:absolute; top:0; width:2px; height:20px; background:var(--warn); }
.legend { display:flex; flex-wrap:wrap; gap:4px 16px; font-size:12px; color:var(--muted); margin-top:10px; }
.legend i { display:inline-block; width:12px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
.graph-wrap { overflow:auto; }
svg.graph text { font:12.5px ui-monospace,Menlo,Consolas,monospace; fill:var(--ink); }
svg.graph text.sub { font-size:10.5px; fill:var(--muted); }
svg.graph .node rect { fill:#fff; stroke:#aab2c0; stroke-width:1.4; }
svg.graph .node.st-succeeded rect { fill:#e9f7ef; stroke:var(--ok); }
svg.graph .node.st-failed rect { fill:#fdecec; stroke:var(--fail); }
svg.graph .node.st-skipped-condition rect,svg.graph .node.st-skipped-satisfied rect { fill:#f1f3f6; stroke:var(--skip); stroke-dasharray:4 3; }
svg.graph .node.st-restored rect { fill:#f0faf4; stroke:var(--ok); stroke-dasharray:4 3; }
svg.graph .node.st-undone rect { fill:#efedfb; stroke:var(--undo); }
svg.graph .node.critical rect { stroke:var(--crit); stroke-width:3; }
svg.graph .edge { fill:none; stroke:#aab2c0; stroke-width:1.5; }
svg.graph .edge.critical { stroke:var(--crit); stroke-width:3; }
svg.graph .arrowhead { fill:#aab2c0; } svg.graph .arrowhead.critical { fill:var(--crit); }
ul.items { margin:4px 0; padding-left:20px; } ul.items li { margin:2px 0; }
details.out { border-top:1px solid var(--line); padding:6px 0; }
details.out summary { cursor:pointer; font-family:ui-monospace,Menlo,Consolas,monospace; font-size:13px; }
details.out pre { background:#0f1420; color:#dfe5ee; padding:8px 10px; border-radius:5px; overflow:auto; max-height:420px; margin:6px 0 2px; white-space:pre-wrap; word-break:break-all; }
pre .stderr { color:#ffb0a8; } pre .progress { color:#9cc4ff; } pre .phase { color:#c5b8ff; }
.st { font-weight:600; } .st.succeeded,.st.undone { color:var(--ok); } .st.failed,.st.undo-failed { color:var(--fail); }
.st.skipped-condition,.st.skipped-satisfied,.st.not-run { color:var(--muted); } .st.restored { color:var(--ok); } .st.left-in-place,.st.unfinished { color:var(--warn); }
table.logs { border-collapse:collapse; width:100%; font-size:12.5px; } table.logs td { padding:2px 8px 2px 0; vertical-align:top; }
.lvl-error { color:var(--fail); } .lvl-warn { color:var(--warn); }
.hl { outline:2px solid var(--crit); outline-offset:2px; }
`;

/** Local times for `<time data-ts>`, and clicking a task anywhere opens its output. */
export const REPORT_JS = `
for (const t of document.querySelectorAll('time[data-ts]')) {
  const d = new Date(Number(t.dataset.ts));
  if (!isNaN(d)) { t.title = d.toISOString(); t.textContent = t.dataset.fmt === 'date' ? d.toLocaleString() : d.toLocaleTimeString(); }
}
for (const el of document.querySelectorAll('[data-task]')) {
  el.addEventListener('click', () => {
    const out = document.getElementById('out-' + el.dataset.task);
    if (out) { out.open = true; out.scrollIntoView({ behavior: 'smooth', block: 'start' }); out.classList.add('hl'); setTimeout(() => out.classList.remove('hl'), 1500); }
  });
}
`;
