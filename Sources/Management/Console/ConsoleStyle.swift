/// The console's stylesheet: light and dark (`prefers-color-scheme`), one colour per severity,
/// a layout that works from phone width to 1280×800 and up.
enum ConsoleStyle {
    static let css = #"""
    :root { --bg: #fff; --fg: #1b1b1b; --muted: #666; --panel: #f3f3f3; --line: #ddd; --accent: #0a58ca;
      --emergency: #b00020; --error: #c62828; --warning: #8a6d00; --notice: #0b6e99; --debug: #777; --alarm: #c62828; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #121212; --fg: #e4e4e4; --muted: #999; --panel: #1e1e1e; --line: #333; --accent: #7ab7ff;
        --emergency: #ff6b6b; --error: #ff8a80; --warning: #ffd54f; --notice: #81d4fa; --debug: #8d8d8d; --alarm: #ff5252; }
    }
    * { box-sizing: border-box; }
    [hidden] { display: none !important; }
    body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
    button, input, select { font: inherit; color: inherit; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 4px 8px; }
    button { cursor: pointer; } button[aria-pressed="true"] { border-color: var(--accent); color: var(--accent); }
    :focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
    .signin { max-width: 320px; margin: 15vh auto; display: flex; flex-direction: column; gap: 10px; }
    .signin label { display: flex; flex-direction: column; gap: 2px; } #signin-error { color: var(--alarm); min-height: 1.4em; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; padding: 8px 12px; background: var(--panel); border-bottom: 1px solid var(--line); }
    nav { display: flex; flex-wrap: wrap; gap: 4px; flex: 1; }
    nav a { color: var(--fg); text-decoration: none; padding: 4px 10px; border-radius: 4px; }
    nav a[aria-current="page"] { background: var(--accent); color: var(--bg); }
    #whoami { color: var(--muted); }
    #alarms { background: var(--alarm); color: #fff; padding: 8px 12px; font-weight: bold; }
    .tab { padding: 8px 12px; }
    .toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
    .status { color: var(--muted); margin-bottom: 4px; }
    .split { display: flex; gap: 8px; height: calc(100vh - 170px); min-height: 300px; }
    #entries { flex: 1; margin: 0; padding: 0; list-style: none; overflow-y: auto; font: 13px/1.35 ui-monospace, monospace; }
    #entries li { white-space: pre-wrap; word-break: break-all; cursor: pointer; padding: 0 4px; }
    #entries li:hover, #entries li:focus { background: var(--panel); }
    #entry-json { width: 40%; margin: 0; overflow: auto; background: var(--panel); padding: 8px; font-size: 12px; }
    .emergency, .alert, .critical { color: var(--emergency); font-weight: bold; } .error { color: var(--error); }
    .warning { color: var(--warning); } .notice { color: var(--notice); } .debug { color: var(--debug); }
    .cards { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 12px; }
    .card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; }
    .card b { display: block; font-size: 20px; } .card.bad { border-color: var(--alarm); color: var(--alarm); }
    .chart svg { width: 100%; height: 220px; background: var(--panel); border-radius: 6px; }
    .chart .axis { stroke: var(--line); } .chart text { fill: var(--muted); font-size: 11px; }
    .chart .legend { display: flex; flex-wrap: wrap; gap: 12px; margin: 4px 0 12px; }
    .grid { border-collapse: collapse; width: 100%; } .grid th, .grid td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
    .grid th button { background: none; border: 0; padding: 0; font-weight: bold; }
    .grid td.num, .grid th.num { text-align: right; }
    button.link { background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; }
    .detail { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin-bottom: 12px; background: var(--panel); }
    .detail h2 { font-size: 16px; margin: 0 0 6px; } .detail textarea { font: inherit; color: inherit; background: var(--bg); }
    .detail .result { white-space: pre-wrap; max-height: 300px; overflow: auto; }
    details.add { margin-bottom: 8px; } details.add summary { cursor: pointer; color: var(--accent); padding: 2px 0; }
    details.add form { margin-top: 6px; } textarea { font: 12px ui-monospace, monospace; color: inherit; background: var(--bg); border: 1px solid var(--line); }
    .page { color: var(--muted); } button:disabled { opacity: .5; cursor: default; }
    .detail h3, .mini h3 { font-size: 14px; margin: 10px 0 4px; } .mini .grid { width: auto; min-width: 50%; } .rates { color: var(--muted); }
    fieldset { border: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 4px 12px; }
    .scenario h2 { font-size: 16px; margin: 16px 0 4px; } .verdict { font-weight: bold; } .how { color: var(--muted); font-size: 12px; }
    #compare-progress { max-height: 160px; overflow: auto; }
    @media (max-width: 700px) { nav { order: 3; flex-basis: 100%; } #whoami { flex: 1; text-align: right; }
      .split { flex-direction: column; height: auto; } #entries { height: 60vh; flex: none; } #entry-json { width: 100%; }
      .grid { font-size: 12px; display: block; overflow-x: auto; } .grid th, .grid td { padding: 2px 4px; } }
    """#
}
