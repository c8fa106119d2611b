"""The HTML report's inline style sheet and script, and the Content-Security-Policy that allows exactly
them: the page fetches nothing (no font, image, style sheet or script from anywhere), and a script that
text in the data managed to inject would not run, since only this script's hash is allowed."""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root { color-scheme: light; --line: #d0d7de; --muted: #57606a; --critical: #7f1d1d; --high: #cf222e;
  --medium: #9a6700; --low: #0969da; --info: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto;
  padding: 1.5rem; max-width: 110rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
a { color: #0550ae; }
.muted, .req { color: var(--muted); }
.req { font-size: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.summary { font-size: 1.05rem; margin: .75rem 0; }
.summary .count { font-weight: 600; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tbody th, td:first-child { white-space: nowrap; }
ul.types { font-size: 12px; padding-left: 1.2rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.wide { width: 100%; }
table.pending { display: none; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 12px; }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); }
.sev-low { color: var(--low); } .sev-info { color: var(--info); }
table.matrix th.service { font-size: 12px; font-weight: 600; max-width: 7rem; }
table.matrix td { text-align: center; font-variant-numeric: tabular-nums; }
table.matrix td a { color: inherit; text-decoration: none; display: block; }
table.matrix td.cell-critical { background: #7f1d1d; color: #fff; }
table.matrix td.cell-high { background: #ffcecb; color: #82071e; }
table.matrix td.cell-medium { background: #fff1c2; color: #6f4400; }
table.matrix td.cell-low { background: #ddf4ff; color: #0a3069; }
table.matrix td.cell-info { background: #eaeef2; }
table.matrix td.cell-none { color: #8c959f; }
table.matrix .total { font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: .5rem 0; }
.controls label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.controls select { font: inherit; max-width: 18rem; }
#shown { font-weight: 600; }
#findings th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; }
#findings th[aria-sort="ascending"] button::after { content: " \\25B2"; }
#findings th[aria-sort="descending"] button::after { content: " \\25BC"; }
[hidden] { display: none !important; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  .controls, .noprint { display: none !important; }
  a { color: inherit; text-decoration: none; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""

# Filters and sort order live in the URL fragment (`#severity=high&zone=dlz-sales&sort=-zone`), so a view
# can be shared as a link; the rows are the page's own (rendered by the server, in the JSON's order), so
# the script only hides and reorders them and the counts are taken over the same data the page shows.
SCRIPT = """
(() => {
  "use strict";
  const FILTERS = ["zone", "service", "severity", "check"];
  const RANK = {critical: 4, high: 3, medium: 2, low: 1, info: 0};
  const table = document.getElementById("findings");
  if (!table) return;
  try {
    start();
  } finally {
    // Shown only now: laid out once, not again at every step of parsing (15 s at 25,000 rows).
    table.classList.remove("pending");
  }

  function start() {
    const data = JSON.parse(document.getElementById("findings-data").textContent);
    const rows = Array.from(table.tBodies[0].rows);
    const items = data.findings.map((finding, index) => ({finding, index, row: rows[index]}));
    const selects = Object.fromEntries(FILTERS.map((key) => [key, document.getElementById("filter-" + key)]));
    const headers = Array.from(table.tHead.querySelectorAll("th[data-key]"));
    let sort = {key: "", desc: false};

    function choose(select, value) {
      if (value && !Array.from(select.options).some((option) => option.value === value)) {
        select.add(new Option(value, value));  // a link may name a value this scan does not have: 0 shown
      }
      select.value = value;
    }

    function readFragment() {
      const params = new URLSearchParams(location.hash.slice(1));
      for (const key of FILTERS) choose(selects[key], params.get(key) || "");
      const order = params.get("sort") || "";
      const key = order.replace(/^-/, "");
      sort = headers.some((th) => th.dataset.key === key) ? {key, desc: order.startsWith("-")} : {key: "", desc: false};
    }

    function writeFragment() {
      const params = new URLSearchParams();
      for (const key of FILTERS) if (selects[key].value) params.set(key, selects[key].value);
      if (sort.key) params.set("sort", (sort.desc ? "-" : "") + sort.key);
      const fragment = params.toString();
      history.replaceState(null, "", fragment ? "#" + fragment : location.pathname + location.search);
    }

    function sortValue(item) {
      return sort.key === "severity" ? -RANK[item.finding.severity] : item.finding[sort.key];
    }

    function reorder() {
      const sorted = items.slice();
      if (sort.key) {
        const sign = sort.desc ? -1 : 1;
        sorted.sort((a, b) => {
          const x = sortValue(a), y = sortValue(b);
          return (x < y ? -sign : x > y ? sign : 0) || a.index - b.index;
        });
      }
      const body = table.tBodies[0];
      if (sorted.some((item, position) => body.rows[position] !== item.row)) {
        // Rows moved one by one inside a table in the document cost Chromium 20 s at 25,000 rows; moved
        // while the body is detached, and put back in one step, they cost milliseconds.
        const fresh = body.cloneNode(false);
        body.remove();
        for (const item of sorted) fresh.appendChild(item.row);
        table.appendChild(fresh);
      }
      for (const th of headers) {
        const state = th.dataset.key !== sort.key ? "none" : sort.desc ? "descending" : "ascending";
        th.setAttribute("aria-sort", state);
      }
    }

    function filter() {
      const wanted = FILTERS.filter((key) => selects[key].value).map((key) => [key, selects[key].value]);
      const bySeverity = {};
      let shown = 0;
      for (const item of items) {
        const visible = wanted.every(([key, value]) => item.finding[key] === value);
        item.row.hidden = !visible;
        if (visible) {
          shown += 1;
          bySeverity[item.finding.severity] = (bySeverity[item.finding.severity] || 0) + 1;
        }
      }
      document.getElementById("shown-count").textContent = String(shown);
      for (const span of document.querySelectorAll("[data-shown-severity]")) {
        span.textContent = String(bySeverity[span.dataset.shownSeverity] || 0);
      }
    }

    function update() {
      readFragment();
      filter();
      reorder();
    }

    for (const key of FILTERS) {
      selects[key].addEventListener("change", () => { writeFragment(); filter(); });
    }
    for (const th of headers) {
      th.querySelector("button").addEventListener("click", () => {
        sort = {key: th.dataset.key, desc: sort.key === th.dataset.key && !sort.desc};
        writeFragment();
        reorder();
      });
    }
    document.getElementById("filter-reset").addEventListener("click", () => {
      for (const key of FILTERS) selects[key].value = "";
      sort = {key: "", desc: false};
      writeFragment();
      filter();
      reorder();
    });
    window.addEventListener("hashchange", update);
    document.getElementById("controls").hidden = false;
    update();
  }
})();
"""


# Without scripting the findings table is shown by this style (inside <noscript>): the rows are the server's.
NOSCRIPT_CSS = "table.pending { display: table; }"


def csp_hash(source: str) -> str:
    """A CSP source expression allowing exactly this inline element text (CSP Level 2 hash)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


# default-src 'none': nothing may be fetched (connect, font, frame, media, object, manifest, worker);
# style and script only as the inline text hashed here (no style="" attribute either); images only as data:
# (there are none). base-uri and form-action are not covered by default-src.
CONTENT_SECURITY_POLICY = (f"default-src 'none'; style-src {csp_hash(CSS)} {csp_hash(NOSCRIPT_CSS)}; "
                           f"script-src {csp_hash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'")
