"""The HTML page around the plan's cards and the calendar's days: styles, a network filter.

Self-contained: inline styles, no script, no font, no external file. The policy below forbids
scripts even if one were injected; pictures may come from anywhere (they are the content's
own). The filter is a radio button per network before <main>, and CSS that hides the items
of the other networks: it needs no JavaScript.
"""

from __future__ import annotations

import html

from ..rules import network_title

_POLICY = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_COLOURS = {"pinterest": "#e60023", "twitter": "#1d9bf0", "facebook": "#1877f2", "linkedin": "#0a66c2", "youtube": "#ff0000"}

_STYLE = """
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f4f5f7; color: #1c1e21; }
body > header { background: #fff; border-bottom: 1px solid #dde0e4; padding: 16px 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.summary { margin: 4px 0; font-weight: 600; }
.blocked-banner { background: #fde7e9; color: #9b1c1c; padding: 8px 12px; border-radius: 6px; font-weight: 600; }
.filters { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px; }
.filters label { border: 1px solid #c9ced6; border-radius: 999px; padding: 3px 12px; cursor: pointer; background: #fff; }
input.filter { position: absolute; opacity: 0; pointer-events: none; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 16px; padding: 24px; }
main.calendar { display: block; }
.variants { grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px;
  padding: 12px; border: 1px dashed #c9ced6; border-radius: 14px; }
.variants > h2 { grid-column: 1 / -1; font-size: 15px; margin: 0; font-family: ui-monospace, Menlo, monospace; }
.card, .item { background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 14px 16px;
  border-top: 4px solid var(--net, #888); overflow-wrap: break-word; min-width: 0; }
.card header h2 { font-size: 15px; margin: 6px 0 0; font-family: ui-monospace, Menlo, monospace; }
.network { font-weight: 700; color: var(--net, #555); }
.badge { float: right; font-size: 12px; padding: 1px 8px; border-radius: 999px; background: #eef0f3; }
.action-create .badge { background: #e3f6e8; color: #1a7f37; }
.action-delete .badge, .action-blocked .badge { background: #fde7e9; color: #9b1c1c; }
.action-update .badge { background: #fff4d6; color: #7a5b00; } .action-replace .badge { background: #f3e8ff; color: #6b21a8; }
.type, .verdict, .when, .reason, .ref, .link, .note { margin: 4px 0; font-size: 13px; color: #57606a; }
.action-blocked .reason { color: #9b1c1c; font-weight: 600; }
.picture { position: relative; margin: 8px 0; min-height: 120px; border-radius: 10px; overflow: hidden;
  background: repeating-linear-gradient(45deg, #eceef1, #eceef1 10px, #f6f7f9 10px, #f6f7f9 20px); }
.picture .placeholder { position: absolute; inset: 0; padding: 12px; font-size: 12px; color: #6a737d; }
.picture img { position: relative; display: block; width: 100%; }
.field-title, .field-name { font-weight: 700; margin: 6px 0 2px; }
.field-message, .field-description { margin: 6px 0; white-space: pre-wrap; }
.counter { font-size: 13px; color: #1a7f37; margin: 2px 0; } .counter.over { color: #cf222e; font-weight: 700; }
table.diff { width: 100%; border-collapse: collapse; font-size: 13px; margin-top: 8px; }
table.diff th, table.diff td { border-top: 1px solid #e5e7eb; padding: 4px; text-align: left; vertical-align: top; }
table.diff td { overflow-wrap: anywhere; } table.diff th { overflow-wrap: normal; }
.count { display: none; } .count.all { display: inline; }
td.before { background: #fff1f0; } td.after { background: #effaf1; } .forces { color: #9b1c1c; font-size: 11px; }
.day { margin-bottom: 20px; } .day h2 { font-size: 16px; margin: 0 0 8px; }
.day .items { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 10px; }
.item .time { font-weight: 700; } .item.expires { opacity: .8; border-top-style: dashed; }
.empty { color: #57606a; }
main.grid { padding: 16px; }
.month { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 1px; background: #dde0e4;
  border: 1px solid #dde0e4; border-radius: 10px; overflow: hidden; }
.dow { background: #f8f9fa; padding: 6px 8px; font-size: 12px; font-weight: 700; color: #57606a; min-width: 0; }
.cell { background: #fff; min-height: 110px; padding: 4px 6px; min-width: 0; overflow: hidden; }
.cell.outside, .dow.outside { background: #f4f5f7; color: #9aa1a9; }
.cell .date { font-size: 12px; font-weight: 700; color: #57606a; }
.cell.today .date, .dow.today { color: #fff; background: #1c1e21; border-radius: 999px; padding: 0 7px; }
.cell ul, .slot ul, .more ul { list-style: none; margin: 4px 0 0; padding: 0; }
.chip { display: block; margin: 0 0 3px; padding: 2px 6px; border-radius: 6px; font-size: 12px; line-height: 1.35;
  background: color-mix(in srgb, var(--net, #888) 14%, #fff); border-left: 3px solid var(--net, #888);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%; }
.chip time { font-weight: 700; } .chip.deletes { text-decoration: line-through; opacity: .8; }
.chip.published { background: #fff; } .chip.published time::after { content: " ✓"; }
.chip .net { display: inline-block; font: 700 9px/1.6 system-ui, sans-serif; color: #fff; background: var(--net, #888);
  border-radius: 3px; padding: 0 3px; margin-right: 4px; text-decoration: none; vertical-align: 1px; }
.more summary { font-size: 12px; color: #0a58ca; cursor: pointer; }
.week { margin-bottom: 20px; } .week h2 { font-size: 16px; margin: 0 0 8px; }
.hours { display: grid; grid-template-columns: 52px repeat(7, minmax(0, 1fr)); grid-auto-rows: minmax(30px, auto);
  gap: 1px; background: #dde0e4; border: 1px solid #dde0e4; border-radius: 10px; overflow: hidden; }
.hour { background: #f8f9fa; font-size: 11px; color: #57606a; padding: 2px 4px; }
.slot { background: #fff; padding: 2px 3px; min-width: 0; overflow: hidden; }
@media (max-width: 600px) {
  .chip .text { display: none; } .chip { padding: 1px 3px; font-size: 11px; }
  .cell { min-height: 64px; padding: 2px 3px; } .dow { padding: 4px 2px; font-size: 11px; }
  .hours { grid-template-columns: 40px repeat(7, minmax(0, 1fr)); }
}
@media print {
  body { background: #fff; } input.filter, .filters { display: none; }
  .cell, .slot, .chip { break-inside: avoid; } .card, .item { box-shadow: none; }
}
"""


def page(title: str, intro: str, networks: list[str], body: str, *, main_class: str = "") -> str:
    """A whole page: `intro` and `body` are HTML made of escaped values."""
    radios = ['<input class="filter" type="radio" name="network" id="show-all" checked>']
    labels = ['<label for="show-all">All</label>']
    rules = []
    # A network name goes into CSS and ids: only a known one, made of letters ([a-z]+), ever does.
    for name in (n for n in networks if n.isascii() and n.isalpha() and n.islower()):
        radios.append(f'<input class="filter" type="radio" name="network" id="show-{name}">')
        labels.append(f'<label for="show-{name}">{html.escape(network_title(name))}</label>')
        rules.append(f'#show-{name}:checked ~ main [data-network]:not([data-network="{name}"]) {{ display: none; }}')
        rules.append(f'#show-{name}:checked ~ header label[for="show-{name}"] {{ background: #1c1e21; color: #fff; }}')
        # A day with nothing of that network goes too, and the count says that network's.
        rules.append(f'#show-{name}:checked ~ main .day:not(:has([data-network="{name}"])) {{ display: none; }}')
        rules.append(f"#show-{name}:checked ~ header .count.all {{ display: none; }}")
        rules.append(f"#show-{name}:checked ~ header .count.net-{name} {{ display: inline; }}")
    colours = " ".join(f".net-{name} {{ --net: {colour}; }}" for name, colour in _COLOURS.items())
    checked = '#show-all:checked ~ header label[for="show-all"] { background: #1c1e21; color: #fff; }'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{html.escape(title)}</title>
<style>{_STYLE}{colours}
{checked}
{chr(10).join(rules)}
</style>
</head>
<body>
{"".join(radios)}
<header><h1>{html.escape(title)}</h1>{intro}<nav class="filters" aria-label="network">{"".join(labels)}</nav></header>
<main class="{main_class}">
{body}
</main>
</body>
</html>
"""
