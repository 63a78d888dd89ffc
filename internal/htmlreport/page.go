package htmlreport

// pageHTML is the page. Every value from the run's files reaches it
// through html/template's contextual escaping, but the table's rows and
// string table: they go into JSON script elements as template.JS, encoded
// by appendJSString (see chunk), and are read back by the page's script
// with textContent.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>batch {{.Command}} {{.RunID}}</title>
<style>{{.Style}}</style>
</head>
<body>
<header>
<h1>batch {{.Command}} <span class="runid">{{.RunID}}</span></h1>
{{if .Target}}<p class="target" id="target">against <b>{{.Target}}</b></p>
{{else if or .Organization .Tenant}}<p class="target" id="target">against {{with .Organization}}organization <b>{{.}}</b>{{end}}{{if and .Organization .Tenant}}, {{end}}{{with .Tenant}}tenant <b>{{.}}</b>{{end}}</p>
{{end}}<p class="exit exit-{{.ExitClass}}" id="exit">exit code <b id="exit-code">{{.ExitCode}}</b>: {{.ExitMeaning}}{{if .Stopped}} — <span id="stopped">{{.Stopped}}</span>{{end}}</p>
{{range .Notes}}<p class="note">{{.}}</p>
{{end}}</header>

{{with .Applied}}<section id="changed">
<h2>What this run changed</h2>
{{if .Nothing}}<p id="changed-nothing"><b>Nothing changed</b>: no row changed the organization{{if .Unchanged}}; {{.Unchanged}} already matched the manifest (unchanged){{end}}.</p>
{{else}}<p><b id="changed-rows">{{.Rows}}</b> changed the organization{{if .Unchanged}}; {{.Unchanged}} already matched the manifest (unchanged){{end}}.</p>
<ul class="changed">
{{range .Lines}}<li id="changed-{{.ID}}"><span class="head">{{.Head}}</span>: {{range $i, $it := .Items}}{{if $i}}, {{end}}{{if $it.Code}}<code>{{$it.What}}</code> on <b>{{$it.N}}</b> {{$it.Unit}}{{else}}<b>{{$it.N}}</b> {{$it.What}}{{end}}{{end}}</li>
{{end}}</ul>
{{end}}{{if .Other}}<p class="note">{{.Other}} more kinds of change are counted under none of the above (beyond the first 50).</p>
{{end}}{{if .Unknown}}<p class="note" id="changed-unknown">{{.Unknown}} failed with an unknown outcome (the answer was lost): they may have changed the organization, and are not counted here.</p>
{{end}}</section>
{{end}}
{{with .Verified}}<section id="verified">
<h2>Verified against UiPath's audit logs</h2>
{{if .Checked}}<p><b id="verified-rows">{{num .Checked}}</b> succeeded {{if eq .Checked 1}}row was{{else}}rows were{{end}} checked against UiPath's audit logs; <a href="verify.csv"><code>verify.csv</code></a> gives each row's verdict.</p>
<svg class="chart" width="600" height="22" viewBox="0 0 600 22" role="img" aria-label="rows by verdict">
{{range .Verdicts}}{{if .Count}}<rect class="{{.Class}}" x="{{f1 .X}}" y="0" width="{{f1 .W}}" height="22"><title>{{.Verdict}}: {{.Count}}</title></rect>
{{end}}{{end}}</svg>
{{else}}<p id="verified-rows">No row was checked: the run has no succeeded row to verify.</p>
{{end}}<table class="counts verdicts">
<thead><tr><th>verdict</th><th>rows</th><th>share</th><th>what it means</th></tr></thead>
<tbody>
{{$checked := .Checked}}{{range .Verdicts}}<tr><td><span class="dot {{.Class}}"></span>{{.Verdict}}</td><td class="n" data-verdict-count="{{.Verdict}}">{{num .Count}}</td><td class="n">{{pct .Count $checked}}</td><td class="meaning">{{.Meaning}}</td></tr>
{{end}}</tbody>
</table>
{{range .Notes}}<p class="note">{{.}}</p>
{{end}}{{if .Rows}}<h3>Rows not confirmed{{if .More}} (the first {{num (len .Rows)}}){{end}}</h3>
<table class="groups verify-rows" id="not-confirmed">
<thead><tr><th>row</th><th>op</th><th>target</th><th>verdict</th><th>audit time</th><th>actor</th><th>reason</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-verdict="{{.Verdict}}"><td class="n">{{if .Row}}<a href="#row-{{.Row}}" data-goto="{{.Row}}">{{.Row}}</a>{{end}}</td><td><span class="op">{{.Op}}</span></td><td class="tg">{{.Target}}</td><td><span class="chip {{.Class}}">{{.Verdict}}</span></td><td class="at"{{with .AuditID}} title="audit record {{.}}"{{end}}>{{.AuditTime}}</td><td>{{.Actor}}</td><td class="msg">{{.Reason}}</td></tr>
{{end}}</tbody>
</table>
{{if .More}}<p class="note" id="not-confirmed-more">and {{num .More}} more in <a href="verify.csv">verify.csv</a>.</p>
{{end}}{{else if .Checked}}<p id="verified-all">Every row checked is confirmed by the audit.</p>
{{end}}</section>
{{end}}
<section id="what-ran">
<h2>What ran</h2>
<table class="kv">
<tr><th>command</th><td><code>batch {{.Command}} {{.Manifest}}</code>{{if .Resumed}} (resumed with --resume){{end}}</td></tr>
<tr><th>manifest</th><td>{{.Manifest}}</td></tr>
<tr><th>manifest SHA-256</th><td><code>{{.SHA256}}</code></td></tr>
<tr><th>organization</th><td>{{.Organization}}</td></tr>
<tr><th>tenant</th><td>{{.Tenant}}</td></tr>
{{if .Target}}<tr><th>target</th><td><code>{{.Target}}</code></td></tr>
{{end}}<tr><th>run id</th><td><code>{{.RunID}}</code></td></tr>
{{if .Undo}}<tr><th>undo</th><td><a href="{{.Undo}}"><code>{{.Undo}}</code></a>: {{.UndoRows}}; applying it puts back what this run changed</td></tr>
{{end}}
<tr><th>started</th><td>{{.Started}}</td></tr>
<tr><th>finished</th><td>{{.Finished}}{{if .Duration}} ({{.Duration}}){{end}}</td></tr>
{{if .Sessions}}<tr><th>sessions</th><td><table class="sessions" id="sessions">
<thead><tr><th>#</th><th>started</th><th>finished</th><th>length</th><th>rows</th><th>requests</th></tr></thead>
<tbody>
{{range .Sessions}}<tr data-session="{{.N}}"><td class="n">{{.N}}</td><td>{{.Started}}</td><td>{{.Finished}}</td><td>{{.Length}}</td><td class="n">{{.Rows}}</td><td class="n">{{.Requests}}</td></tr>
{{if .Interrupted}}<tr class="pause"><td></td><td colspan="5">interrupted{{with .Pause}}; resumed {{.}} later{{end}} with --resume</td></tr>
{{end}}{{end}}</tbody>
</table>{{if .SessionsMore}}and {{.SessionsMore}} more sessions{{end}}</td></tr>
{{end}}{{if .RowsPerSecond}}<tr><th>speed</th><td>{{.RowsPerSecond}} rows/s; latency p50 {{.LatencyP50}}, p95 {{.LatencyP95}}</td></tr>
{{end}}{{if .Requests}}<tr><th>requests</th><td>{{range $i, $kv := .Requests}}{{if $i}}, {{end}}{{$kv.Key}} {{$kv.Value}}{{end}}; 429s: <span id="throttled">{{.Throttled}}</span></td></tr>
{{end}}{{range .Settings}}<tr><th>{{.Key}}</th><td>{{.Value}}</td></tr>
{{end}}{{range .Extra}}<tr><th>{{.Key}}</th><td><code>{{.Value}}</code></td></tr>
{{end}}<tr><th>exit code</th><td>{{.ExitCode}}: {{.ExitMeaning}}</td></tr>
</table>
</section>

<section id="counts">
<h2>Counts</h2>
<p><b id="rows-total">{{num .Rows}}</b> rows</p>
<svg class="chart" width="600" height="22" viewBox="0 0 600 22" role="img" aria-label="rows by status">
{{range .Statuses}}<rect class="st-{{.Status}}" x="{{f1 .X}}" y="0" width="{{f1 .W}}" height="22"><title>{{.Status}}: {{.Count}}</title></rect>
{{end}}</svg>
<table class="counts">
<thead><tr><th>status</th><th>rows</th><th>share</th></tr></thead>
<tbody>
{{$rows := .Rows}}{{range .Statuses}}<tr><td><span class="dot st-{{.Status}}"></span>{{.Status}}</td><td class="n" data-status-count="{{.Status}}">{{.Count}}</td><td class="n">{{pct .Count $rows}}</td></tr>
{{end}}</tbody>
</table>
<h3>By operation</h3>
<table class="ops">
{{range .Ops}}<tr><th>{{.Op}}</th><td class="n" data-op-count="{{.Op}}">{{.Total}}</td><td><svg class="chart" width="400" height="14" viewBox="0 0 400 14" role="img" aria-label="{{.Op}} by status">{{range .Segs}}<rect class="st-{{.Status}}" x="{{f1 .X}}" y="0" width="{{f1 .W}}" height="14"><title>{{.Status}}: {{.Count}}</title></rect>{{end}}</svg></td><td class="segs">{{range $i, $s := .Segs}}{{if $i}}, {{end}}{{$s.Status}} {{$s.Count}}{{end}}</td></tr>
{{end}}</table>
</section>

{{if .IsApply}}<section id="timeline">
<h2>Timeline</h2>
{{with .Timeline}}<p>Rows finished per second, and the retries and 429 answers of the rows that finished, in bars of {{.BarSeconds}} over {{.Span}} ({{.Retries}} retries, {{.Throttled}} 429s on rows' own requests).</p>
<svg class="chart timeline" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="timeline">
{{range .Pauses}}{{if .W}}<rect class="paused" x="{{f1 .X}}" y="0" width="{{f1 .W}}" height="210"><title>{{.Title}}</title></rect>{{end}}<line class="resume" x1="{{f1 .End}}" y1="0" x2="{{f1 .End}}" y2="210"><title>{{.Title}}</title></line><text x="{{f1 .End}}" y="22" dx="{{if .LabelLeft}}-3{{else}}3{{end}}" text-anchor="{{if .LabelLeft}}end{{else}}start{{end}}" class="axis resume-label">resumed</text>
{{end}}
<text x="54" y="10" class="axis">{{.RateMax}}</text>
<line x1="50" y1="{{.TopH}}" x2="890" y2="{{.TopH}}" class="base"/>
{{range .Rate}}<rect class="rate" x="{{f1 .X}}" y="{{f1 .Y}}" width="{{f1 .W}}" height="{{f1 .H}}"><title>{{.Title}}</title></rect>{{end}}
<text x="54" y="148" class="axis">{{.TroubleMax}} retries / 429s</text>
<line x1="50" y1="210" x2="890" y2="210" class="base"/>
{{range .Trouble}}<rect class="{{if .Red}}t429{{else}}retry{{end}}" x="{{f1 .X}}" y="{{f1 .Y}}" width="{{f1 .W}}" height="{{f1 .H}}"><title>{{.Title}}</title></rect>{{end}}
{{range .Labels}}<text x="{{f1 .X}}" y="225" class="axis" text-anchor="{{.Anchor}}">{{.Text}}</text>{{end}}
</svg>
<p class="legend"><span class="dot rate"></span>rows/s <span class="dot retry"></span>retries <span class="dot t429"></span>429s{{if .Pauses}} <span class="dot paused"></span>interrupted, then resumed with --resume{{end}}</p>
{{if $.NoFinish}}<p class="note">{{$.NoFinish}} rows carry no finish time and are not on the timeline.</p>{{end}}
{{else}}<p class="note">No row of this run carries a finish time (the folder was written before report.html existed), so there is no timeline.</p>
{{end}}
</section>
{{end}}

<section id="failures">
<h2>Failures</h2>
{{if .Codes}}<h3>By error code</h3>
<table class="groups" id="by-code">
<thead><tr><th>error code</th><th>rows</th><th>first rows</th></tr></thead>
<tbody>
{{range .Codes}}<tr><td><code>{{.Key}}</code></td><td class="n" data-code-count="{{.Key}}">{{.Count}}</td><td><ul>{{range .First}}<li><a href="#row-{{.Row}}" data-goto="{{.Row}}">row {{.Row}}</a> {{.Target}} <span class="msg"{{with .Full}} title="{{.}}"{{end}}>{{.Detail}}</span></li>{{end}}</ul></td></tr>
{{end}}</tbody>
</table>
{{else}}<p>No row failed.</p>
{{end}}{{if .Fields}}<h3>By field error</h3>
<table class="groups" id="by-field">
<thead><tr><th>field</th><th>rows</th><th>first rows</th></tr></thead>
<tbody>
{{range .Fields}}<tr><td><code>{{.Key}}</code></td><td class="n">{{.Count}}</td><td><ul>{{range .First}}<li><a href="#row-{{.Row}}" data-goto="{{.Row}}">row {{.Row}}</a> {{.Target}} <span class="msg">{{.Detail}}</span></li>{{end}}</ul></td></tr>
{{end}}</tbody>
</table>
{{end}}{{if .Other}}<p class="note">{{.Other}} more rows fall in groups beyond the first 50.</p>{{end}}
</section>

{{if .IsPlan}}<section id="changes">
<h2>Changes the plan would make</h2>
{{if .Changed}}<table class="groups">
<thead><tr><th>field</th><th>rows</th></tr></thead>
<tbody>{{range .Changed}}<tr><td><code>{{.Key}}</code></td><td class="n">{{.Count}}</td></tr>{{end}}</tbody>
</table>
{{else}}<p>The plan changes nothing.</p>
{{end}}{{with .Deletes}}<h3 class="kind-delete">Deletes: {{.Count}}</h3><ul>{{range .First}}<li><a href="#row-{{.Row}}" data-goto="{{.Row}}">row {{.Row}}</a> {{.Target}}</li>{{end}}</ul>{{end}}
{{with .Creates}}<h3 class="kind-create">Creates: {{.Count}}</h3><ul>{{range .First}}<li><a href="#row-{{.Row}}" data-goto="{{.Row}}">row {{.Row}}</a> {{.Target}}</li>{{end}}</ul>{{end}}
{{if .Planned}}<h3>Row by row{{if .PlanMore}} (the first {{len .Planned}}; the table below has every row){{end}}</h3>
<ol class="diff">
{{range $pr := .Planned}}<li><a href="#row-{{.Row}}" data-goto="{{.Row}}">row {{.Row}}</a> <span class="op">{{.Op}}</span> <b>{{.Target}}</b>{{if .Kind}} <span class="kind kind-{{.Kind}}">{{.Kind}}</span>{{end}}{{if eq .Status "failed"}} <span class="dot st-failed"></span>fails{{end}}
<ul>{{range .Changes}}{{if .Lifecycle}}<li class="lc">{{if eq .Lifecycle "create"}}creates the <b>{{.Field}}</b>{{if gt (len $pr.Changes) 1}}, setting:{{end}}{{else}}deletes the <b>{{.Field}}</b>{{end}}</li>{{else}}<li><code>{{.Field}}</code>: {{if or .Added .Removed}}{{range .Added}}<ins>+{{.}}</ins> {{end}}{{range .Removed}}<del>−{{.}}</del> {{end}}{{if .MoreIDs}}and {{.MoreIDs}} more{{end}}{{else if .HasArrow}}<del>{{.Old}}</del> → <ins>{{.New}}</ins>{{else}}<ins>{{.New}}</ins>{{end}}</li>{{end}}{{end}}{{if .More}}<li>and {{.More}} more changes</li>{{end}}</ul></li>
{{end}}</ol>
{{end}}</section>
{{end}}

<section id="all-rows">
<h2>Every row</h2>
{{if .TableNote}}<p class="note">{{.TableNote}}</p>{{end}}
<p class="note" id="table-note" hidden></p>
<div class="controls">
<label>status <select id="f-status"><option value="">all</option></select></label>
<label>op <select id="f-op"><option value="">all</option></select></label>
<label>text <input id="f-text" type="search" placeholder="target, message, trace id…"></label>
<span id="shown"><b id="shown-count">0</b> rows</span>
</div>
<table class="rows">
<thead><tr><th>row</th><th>source</th><th>op</th><th>target</th><th>status</th><th>HTTP</th><th>attempts</th><th>ms</th><th>error</th><th>changes</th><th>trace id</th></tr></thead>
<tbody id="rows-body"></tbody>
</table>
<div class="pager"><button id="prev" type="button">‹ previous</button> <span id="page-info"></span> <button id="next" type="button">next ›</button></div>
<noscript><p class="note">The table needs JavaScript; results.csv holds the same rows.</p></noscript>
</section>

<footer>Rendered {{.Generated}} from the run folder's files; <code>batch report RUN_DIR</code> renders it again.</footer>
<script type="application/json" id="rows-data">[{{range .Table.Chunks}}{{.}},{{end}}0]</script>
<script type="application/json" id="strings-data">{{.Table.Strings}}</script>
<script type="application/json" id="table-meta">{{.Table.Meta}}</script>
<script>{{.Script}}</script>
</body>
</html>
`

// pageStyle is the page's style sheet: readable on screen and on paper.
const pageStyle = `
:root { --ok:#2e7d32; --fail:#c62828; --skip:#9e9e9e; --plan:#1565c0; --same:#78909c; --inv:#6a1b9a; --line:#ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#222; margin: 0 auto; padding: 16px 24px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 6px; } h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 28px; } h3 { font-size: 15px; }
.runid { font-weight: normal; color: #555; font-family: ui-monospace, monospace; }
.target { font-size: 16px; margin: 0 0 6px; color: #444; } .target b { color: #222; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; overflow-wrap: break-word; }
ul.changed { margin: 4px 0; padding-left: 20px; } ul.changed li { margin: 2px 0; } ul.changed .head { font-weight: 600; color: #444; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.exit { padding: 8px 12px; border-radius: 4px; margin: 6px 0; }
.exit-ok { background:#e8f5e9; } .exit-failed { background:#ffebee; } .exit-stopped { background:#fff3e0; }
.note { color:#6d4c00; background:#fffde7; padding: 4px 8px; border-radius: 3px; }
table { border-collapse: collapse; }
table.kv th { text-align: left; font-weight: 600; padding: 2px 16px 2px 0; vertical-align: top; white-space: nowrap; color:#444; }
table.kv td { padding: 2px 0; overflow-wrap: anywhere; }
table.kv table.sessions { font-size: 13px; margin-bottom: 2px; } table.kv table.sessions th, table.kv table.sessions td { padding: 0 14px 0 0; text-align: left; font-weight: normal; white-space: nowrap; }
table.kv table.sessions thead th { color: #666; font-size: 12px; } table.kv table.sessions td.n { text-align: right; }
table.kv table.sessions tr.pause td { color: #8a4b00; font-style: italic; }
table.counts td, table.counts th, table.ops td, table.ops th, table.groups td, table.groups th { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
table.groups td:first-child { white-space: nowrap; } table.groups ul { margin: 0; padding-left: 16px; }
.n { text-align: right !important; font-variant-numeric: tabular-nums; }
.msg { color:#555; overflow-wrap: anywhere; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.st-succeeded { fill: var(--ok); background: var(--ok); } .st-failed { fill: var(--fail); background: var(--fail); }
.st-skipped { fill: var(--skip); background: var(--skip); } .st-planned { fill: var(--plan); background: var(--plan); }
.st-unchanged { fill: var(--same); background: var(--same); } .st-invalid { fill: var(--inv); background: var(--inv); }
svg.chart { display: block; margin: 6px 0; } svg .axis { font-size: 10px; fill:#555; } svg .base { stroke:#999; stroke-width: 1; }
.rate { fill:#1565c0; background:#1565c0; } .retry { fill:#ef6c00; background:#ef6c00; } .t429 { fill:#c62828; background:#c62828; }
.paused { fill:#fff3e0; background:#ffe0b2; } svg .resume { stroke:#8a4b00; stroke-width: 1.5; stroke-dasharray: 4 3; } svg .resume-label { fill:#8a4b00; }
.legend { font-size: 12px; color:#444; }
.vd-confirmed { fill: var(--ok); background: var(--ok); } .vd-not_found_in_audit { fill: var(--fail); background: var(--fail); }
.vd-changed_by_others { fill:#ef6c00; background:#ef6c00; } .vd-not_checkable { fill: var(--skip); background: var(--skip); } .vd-other { fill: var(--inv); background: var(--inv); }
table.verdicts td.meaning { color:#444; max-width: 60em; }
table.verify-rows td { font-size: 13px; } table.verify-rows td.tg { overflow-wrap: anywhere; min-width: 12em; } table.verify-rows td.at { white-space: nowrap; }
table.rows .vd { margin-top: 2px; }
ol.diff > li { margin-bottom: 6px; } ol.diff ul { margin: 2px 0; padding-left: 18px; } ol.diff li.lc { list-style: none; margin-left: -18px; color: #444; }
del { color:#b71c1c; background:#ffebee; text-decoration: line-through; } ins { color:#1b5e20; background:#e8f5e9; text-decoration: none; }
.kind { font-size: 11px; text-transform: uppercase; padding: 1px 5px; border-radius: 3px; color: #fff; }
.kind-delete { background: var(--fail); } .kind-create { background: var(--ok); } h3.kind-delete, h3.kind-create { background: none; color: inherit; }
.op { color:#555; font-family: ui-monospace, monospace; font-size: 12.5px; }
.controls { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
.controls input { width: 280px; }
table.rows { width: 100%; font-size: 12.5px; }
table.rows th { position: sticky; top: 0; background: #f5f5f5; text-align: left; padding: 4px 6px; border-bottom: 1px solid #ccc; }
table.rows td { padding: 3px 6px; border-bottom: 1px solid #eee; vertical-align: top; overflow-wrap: anywhere; }
table.rows td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; overflow-wrap: normal; }
table.rows td.nw { white-space: nowrap; } table.rows td.src { min-width: 9em; max-width: 16em; } table.rows td.tr { min-width: 9em; font-size: 11px; color: #555; } table.rows td.er { min-width: 16em; } table.rows td.ch { min-width: 16em; }
table.rows td.tg { min-width: 16em; overflow-wrap: normal; word-break: normal; }
table.rows td.ch ins, table.rows td.ch del { white-space: nowrap; }
table.rows td.none { color: #999; }
table.rows tr.hl td { background: #fff9c4; }
.chip { color: #fff; padding: 0 5px; border-radius: 3px; font-size: 11.5px; white-space: nowrap; }
.err-code { font-weight: 600; } .fe { color:#7b1fa2; }
.pager { margin: 8px 0; }
footer { margin-top: 32px; color:#777; font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .controls, .pager, noscript { display: none; }
  section { break-inside: avoid-page; }
  table.rows th { position: static; }
  a { color: inherit; text-decoration: none; }
}
`

// pageScript fills the table from the JSON rows: filters by status, op
// and text, pages of 100 rows, and links #row-N to the row's page. Every
// value is written with textContent, never parsed as HTML.
const pageScript = `
(function () {
  'use strict';
  var S = JSON.parse(document.getElementById('strings-data').textContent);
  var chunks = JSON.parse(document.getElementById('rows-data').textContent);
  var rows = [];
  chunks.forEach(function (c) { if (Array.isArray(c)) { for (var i = 0; i < c.length; i++) rows.push(c[i]); } });
  rows.sort(function (a, b) { return a[0] - b[0]; });
  var meta = JSON.parse(document.getElementById('table-meta').textContent);
  if (meta.full) {
    var note = document.getElementById('table-note');
    note.textContent = 'The table holds the ' + meta.written + ' rows that fit in ' + meta.limit_mb + ' MB (failed, skipped and invalid rows first); results.csv has every row.';
    note.hidden = false;
  }
  function s(v) { return typeof v === 'number' ? (S[v] === undefined ? '' : S[v]) : v; }
  // The retry loop's prefixes of an error, left out of the cell (the
  // whole error is its tooltip), as displayError in Go.
  var RETRY = /^(?:attempt \d+, not retryable: |attempt \d+, outcome unknown, not retried: |gave up after \d+ attempts: )+/;
  function shortError(m) { var t = m.replace(RETRY, ''); return t.trim() ? t : m; }
  // breakable writes text with line-break chances only where an address
  // or an id breaks well: after = / , - _ and before @ and . (a run of 40
  // characters without one gets one).
  function breakable(el, text) {
    var from = 0, run = 0;
    for (var i = 0; i + 1 < text.length; i++) {
      var c = text[i], nx = text[i + 1];
      run++;
      if (c === '=' || c === '/' || c === ',' || c === '-' || c === '_' || nx === '@' || nx === '.' || run >= 40) {
        el.appendChild(document.createTextNode(text.slice(from, i + 1)));
        el.appendChild(document.createElement('wbr'));
        from = i + 1; run = 0;
      }
    }
    el.appendChild(document.createTextNode(text.slice(from)));
  }
  // A row's changes as results.csv writes them ("field: old → new; …"),
  // read as changes.go reads them: Go-quoted values whole, memberships
  // as +name −name (a name with a space quoted, or bare in older runs),
  // a create or delete marked "+ create" / "− delete".
  function opensQuote(t, i) { var p = t[i - 1]; return i === 0 || p === ' ' || p === '+' || p === '-' || p === '\u2212'; }
  function quotedEnd(t, i) { for (var j = i + 1; j < t.length; j++) { if (t[j] === '\\') j++; else if (t[j] === '"') return j + 1; } return t.length; }
  function splitOutside(t, sep) {
    var out = [], from = 0;
    for (var i = 0; i < t.length; i++) {
      if (t[i] === '"' && opensQuote(t, i)) { i = quotedEnd(t, i) - 1; continue; }
      if (t.startsWith(sep, i)) { out.push(t.slice(from, i)); i += sep.length - 1; from = i + 1; }
    }
    out.push(t.slice(from));
    return out;
  }
  function unquote(q) {
    if (q[0] !== '"') return q;
    try { var v = JSON.parse(q); if (typeof v === 'string') return v; } catch (e) { /* a Go escape JSON lacks, or a cut cell */ }
    return q.replace(/^"/, '').replace(/"$/, '');
  }
  function members(v) {
    var out = [], i = 0;
    while (i < v.length) {
      while (v[i] === ' ' || v[i] === '\t') i++;
      if (i >= v.length) break;
      var sign = v[i] === '+' ? 1 : (v[i] === '-' || v[i] === '\u2212') ? -1 : 0;
      if (sign) i++;
      var j = i;
      if (v[i] === '"') j = quotedEnd(v, i); else while (j < v.length && v[j] !== ' ' && v[j] !== '\t') j++;
      var name = unquote(v.slice(i, j));
      i = j;
      if (sign) out.push({ add: sign > 0, name: name }); else if (out.length) out[out.length - 1].name += ' ' + name;
    }
    return out;
  }
  var LIFECYCLE = /^(?:\+ create|[\u2212-] delete)/;
  function changesCell(cell, text) {
    if (!text) return;
    splitOutside(text, '; ').forEach(function (part) {
      var d = document.createElement('div');
      var k = part.indexOf(': '), field = k < 0 ? part : part.slice(0, k), rest = k < 0 ? '' : part.slice(k + 2);
      var lc = LIFECYCLE.exec(rest);
      if (lc) {
        var kind = lc[0][0] === '+' ? 'create' : 'delete';
        var chip = document.createElement('span');
        chip.className = 'kind kind-' + kind;
        chip.textContent = kind;
        d.appendChild(chip);
        d.appendChild(document.createTextNode(' ' + field + rest.slice(lc[0].length)));
      } else if (/^[+\u2212-]/.test(rest) && splitOutside(rest, ' \u2192 ').length === 1) {
        d.appendChild(document.createTextNode(field + ': '));
        members(rest).forEach(function (m, i) {
          if (i) d.appendChild(document.createTextNode(' '));
          var e = document.createElement(m.add ? 'ins' : 'del');
          e.textContent = (m.add ? '+' : '\u2212') + m.name;
          d.appendChild(e);
        });
      } else {
        d.textContent = part;
      }
      cell.appendChild(d);
    });
  }
  // The verdicts against UiPath's audit logs a row may carry (column 14).
  var VERDICTS = ['confirmed', 'not_found_in_audit', 'changed_by_others', 'not_checkable'];
  var PAGE = 100, page = 0, matches = rows;
  var fStatus = document.getElementById('f-status'), fOp = document.getElementById('f-op'), fText = document.getElementById('f-text');
  var body = document.getElementById('rows-body'), shown = document.getElementById('shown-count'), info = document.getElementById('page-info');
  var prev = document.getElementById('prev'), next = document.getElementById('next');

  function fillSelect(sel, col) {
    var counts = {}, order = [];
    rows.forEach(function (r) { var k = s(r[col]); if (!(k in counts)) { counts[k] = 0; order.push(k); } counts[k]++; });
    order.sort().forEach(function (k) {
      var o = document.createElement('option');
      o.value = k; o.textContent = k + ' (' + counts[k] + ')';
      sel.appendChild(o);
    });
  }
  fillSelect(fStatus, 4);
  fillSelect(fOp, 2);

  function hay(r) {
    if (r.h === undefined) {
      r.h = [r[0], r[1], s(r[2]), r[3], s(r[4]), r[5], s(r[9]), s(r[10]), s(r[11]), r[12], s(r[13]), r.length > 14 ? s(r[14]) : ''].join('\n').toLowerCase();
    }
    return r.h;
  }
  function filter() {
    var st = fStatus.value, op = fOp.value, q = fText.value.trim().toLowerCase();
    matches = rows.filter(function (r) {
      return (!st || s(r[4]) === st) && (!op || s(r[2]) === op) && (!q || hay(r).indexOf(q) >= 0);
    });
    page = 0;
    render();
  }
  function td(tr, text, cls) {
    var c = document.createElement('td');
    if (cls) c.className = cls;
    c.textContent = text === undefined || text === null ? '' : String(text);
    tr.appendChild(c);
    return c;
  }
  function render() {
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    page = Math.min(Math.max(page, 0), pages - 1);
    var frag = document.createDocumentFragment();
    matches.slice(page * PAGE, page * PAGE + PAGE).forEach(function (r) {
      var tr = document.createElement('tr');
      tr.id = 'row-' + r[0];
      tr.setAttribute('data-row', r[0]);
      td(tr, r[0], 'num');
      td(tr, r[1], 'src');
      td(tr, s(r[2]), 'nw');
      var tg = td(tr, '', 'tg');
      breakable(tg, r[3]);
      tg.title = r[3];
      var st = td(tr, '', 'nw');
      var chip = document.createElement('span');
      chip.className = 'chip st-' + s(r[4]).replace(/[^a-z_]/g, '');
      chip.textContent = s(r[4]);
      st.appendChild(chip);
      var vd = r.length > 14 ? s(r[14]) : '';
      if (vd) {
        var v = document.createElement('div'), vc = document.createElement('span');
        v.className = 'vd';
        vc.className = 'chip ' + (VERDICTS.indexOf(vd) >= 0 ? 'vd-' + vd : 'vd-other');
        vc.textContent = vd.replace(/_/g, ' ');
        vc.title = "UiPath's audit logs: " + vd;
        v.appendChild(vc);
        st.appendChild(v);
      }
      if (r[5]) td(tr, r[5], 'num'); else td(tr, '\u2014', 'num none').title = 'no HTTP status recorded';
      td(tr, r[6], 'num');
      td(tr, r[8], 'num');
      var err = td(tr, '', 'er');
      if (s(r[9])) { var b = document.createElement('div'); b.className = 'err-code'; b.textContent = s(r[9]); err.appendChild(b); }
      if (s(r[10])) {
        var m = document.createElement('div'), full = s(r[10]), short = shortError(full);
        m.textContent = short;
        if (short !== full) m.title = full;
        err.appendChild(m);
      }
      if (s(r[11])) { var f = document.createElement('div'); f.className = 'fe'; f.textContent = s(r[11]); err.appendChild(f); }
      changesCell(td(tr, '', 'ch'), s(r[13]));
      td(tr, r[12], 'tr');
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
    shown.textContent = String(matches.length);
    info.textContent = 'page ' + (page + 1) + ' of ' + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  function goRow(n) {
    fStatus.value = ''; fOp.value = ''; fText.value = '';
    matches = rows;
    var lo = 0, hi = rows.length - 1, at = -1;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (rows[mid][0] === n) { at = mid; break; } if (rows[mid][0] < n) lo = mid + 1; else hi = mid - 1; }
    if (at < 0) { render(); return; }
    page = Math.floor(at / PAGE);
    render();
    var tr = document.getElementById('row-' + n);
    if (tr) { tr.className = 'hl'; tr.scrollIntoView({ block: 'center' }); }
  }
  fStatus.addEventListener('change', filter);
  fOp.addEventListener('change', filter);
  fText.addEventListener('input', filter);
  prev.addEventListener('click', function () { page--; render(); });
  next.addEventListener('click', function () { page++; render(); });
  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a[data-goto]') : null;
    if (!a) return;
    e.preventDefault();
    var n = parseInt(a.getAttribute('data-goto'), 10);
    history.replaceState(null, '', '#row-' + n);
    goRow(n);
  });
  var m = /^#row-(\d+)$/.exec(location.hash);
  if (m) goRow(parseInt(m[1], 10)); else render();
})();
`
