import Hummingbird

/// The live-tail page: plain HTML, CSS and JavaScript served from the binary, no build step.
/// `/tail?pattern=kern.*&pattern=*.critical` subscribes at once; `&since=1h` replays the log stream first.
enum LiveTailPage {
    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>warren live tail</title>
    <style>
      body { font: 14px/1.4 ui-monospace, monospace; margin: 0; display: flex; height: 100vh; background: #111; color: #ddd; }
      main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
      form { padding: 8px; background: #222; display: flex; gap: 8px; }
      input { flex: 1; font: inherit; padding: 4px; }
      #entries { flex: 1; overflow-y: auto; padding: 8px; margin: 0; }
      .entry { white-space: pre-wrap; word-break: break-all; }
      .emergency, .alert, .critical { color: #ff5f5f; font-weight: bold; }
      .error { color: #ff8787; } .warning { color: #ffd75f; } .notice { color: #87d7ff; }
      .info { color: #ddd; } .debug { color: #888; }
      aside { width: 320px; background: #1b1b1b; padding: 8px; overflow-y: auto; border-left: 1px solid #333; }
      table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: 2px 4px; }
      #status { padding: 0 8px; color: #888; }
    </style></head>
    <body>
    <main>
      <form id="subscribe"><input id="pattern" placeholder="patterns, e.g. kern.* *.critical" value="#">
        <select id="since" title="replay the log stream from this far back, then follow">
          <option value="">from now</option><option value="5m">last 5 min</option><option value="1h">last hour</option>
          <option value="24h">last day</option><option value="7D">last 7 days</option></select>
        <button>Subscribe</button><button type="button" id="pause">Pause</button><button type="button" id="clear">Clear</button></form>
      <div id="status">not subscribed</div>
      <pre id="entries"></pre>
    </main>
    <aside><h3>Queues</h3><table><thead><tr><th>name</th><th>ready</th><th>unacked</th><th>consumers</th></tr></thead>
      <tbody id="queues"></tbody></table></aside>
    <script>
      const entries = document.getElementById('entries'), status = document.getElementById('status');
      let source = null, paused = false, held = [];
      function show(entry) {
        const line = document.createElement('div');
        line.className = 'entry ' + (entry.severity || 'info');
        line.textContent = [entry.timestamp || entry.received_at, entry.hostname || '-', entry.app_name || '-',
                            entry.facility + '.' + entry.severity + ':', entry.message].join(' ');
        entries.appendChild(line);
        while (entries.childNodes.length > 2000) entries.removeChild(entries.firstChild);
        entries.scrollTop = entries.scrollHeight;
      }
      function subscribe(patterns, since) {
        if (source) source.close();
        let query = patterns.map(p => 'pattern=' + encodeURIComponent(p)).join('&');
        if (since) query += '&since=' + encodeURIComponent(since);
        source = new EventSource('/api/tail?' + query);
        source.onopen = () => { status.textContent = 'subscribed to ' + patterns.join(' '); };
        source.onerror = () => { status.textContent = 'disconnected, retrying'; };
        source.addEventListener('entry', event => {
          const delivery = JSON.parse(event.data);
          let entry;
          try { entry = JSON.parse(delivery.body); } catch (e) { entry = null; }
          if (entry === null || typeof entry !== 'object') entry = { severity: 'info', message: delivery.body, facility: '', };
          if (paused) held.push(entry); else show(entry);
        });
        source.addEventListener('dropped', event => {
          const line = document.createElement('div');
          line.className = 'entry dropped warning';
          line.textContent = `dropped ${Number(event.data)} entries: this page read too slowly`;
          entries.appendChild(line);
        });
      }
      document.getElementById('subscribe').onsubmit = event => {
        event.preventDefault();
        subscribe(document.getElementById('pattern').value.split(/\\s+/).filter(Boolean), document.getElementById('since').value);
      };
      document.getElementById('pause').onclick = event => {
        paused = !paused;
        event.target.textContent = paused ? 'Resume' : 'Pause';
        if (!paused) { held.forEach(show); held = []; }
      };
      document.getElementById('clear').onclick = () => { entries.textContent = ''; };
      async function refreshQueues() {
        try {
          const queues = await (await fetch('/api/queues')).json();
          document.getElementById('queues').innerHTML = queues.map(q =>
            `<tr><td>${q.name.replace(/</g, '&lt;')}</td><td>${q.messages_ready}</td><td>${q.messages_unacknowledged}</td><td>${q.consumers}</td></tr>`).join('');
        } catch (e) {}
      }
      refreshQueues(); setInterval(refreshQueues, 5000);
      const initial = new URLSearchParams(location.search).getAll('pattern');
      const initialSince = new URLSearchParams(location.search).get('since') || '';
      if (initialSince) document.getElementById('since').value = initialSince;
      if (initial.length) { document.getElementById('pattern').value = initial.join(' '); subscribe(initial, initialSince); }
    </script>
    </body></html>
    """
}
