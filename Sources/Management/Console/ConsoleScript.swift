/// The console's script: sign-in kept in `sessionStorage`, every API call with `Authorization`
/// and `X-Requested-With` (so a wrong password gives no browser prompt), the live tail read from
/// `/api/tail` with `fetch` (EventSource cannot send headers), batch rendering into a capped list,
/// the overview's hand-drawn SVG chart and sortable, filterable tables.
enum ConsoleScript {
    static let js = #"""
    'use strict';
    const $ = id => document.getElementById(id);
    const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'];
    const SHOWN_CAP = 1000, KEPT_CAP = 5000;
    const READ_TAGS = ['management', 'policymaker', 'monitoring', 'administrator'];
    let credentials = sessionStorage.getItem('warren.credentials');
    let user = null;

    // --- API access -------------------------------------------------------------------------
    function headers() { return { 'Authorization': 'Basic ' + credentials, 'X-Requested-With': 'XMLHttpRequest' }; }
    async function api(path, options = {}) {
      const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
      if (response.status === 401) { signOut('Signed out: ' + ((await response.json().catch(() => ({}))).reason || 'login failed')); throw new Error('401'); }
      if (!response.ok) throw new Error((await response.json().catch(() => ({}))).reason || response.statusText);
      return response.json();
    }

    // --- sign-in ----------------------------------------------------------------------------
    async function signIn(encoded) {
      credentials = encoded;
      const response = await fetch('/api/whoami', { headers: headers() });
      if (!response.ok) {
        credentials = null;
        $('signin-error').textContent = (await response.json().catch(() => ({}))).reason || 'Login failed';
        return;
      }
      user = await response.json();
      sessionStorage.setItem('warren.credentials', encoded);
      $('signin').hidden = true; $('app').hidden = false;
      $('whoami').textContent = user.name + (user.tags.length ? ' (' + user.tags.join(', ') + ')' : '');
      const reads = user.tags.some(tag => READ_TAGS.includes(tag));
      document.querySelectorAll('#nav a[data-needs]').forEach(link => { link.hidden = !reads; });
      if (reads) { refreshAlarms(); timers.push(setInterval(refreshAlarms, 5000)); }
      show(location.hash.slice(1) || 'logs');
    }
    function signOut(message) {
      sessionStorage.removeItem('warren.credentials');
      credentials = null; user = null;
      stopTail(); timers.forEach(clearInterval); timers = []; clearInterval(tabTimer);
      kept = []; pending = []; $('entries').textContent = ''; $('entry-json').hidden = true;
      Object.values(TABLES).forEach(table => { table.rows = []; });
      document.querySelectorAll('.grid').forEach(table => table.replaceChildren());
      $('app').hidden = true; $('signin').hidden = false;
      $('signin-error').textContent = message || '';
      $('password').value = '';
    }
    let timers = [];

    // --- tabs -------------------------------------------------------------------------------
    let tabTimer = null;
    function show(tab) {
      const link = document.querySelector(`#nav a[data-tab="${CSS.escape(tab)}"]`);
      if (!link || link.hidden) tab = 'logs';
      document.querySelectorAll('#nav a').forEach(a => a.setAttribute('aria-current', a.dataset.tab === tab ? 'page' : 'false'));
      document.querySelectorAll('.tab').forEach(section => { section.hidden = section.id !== tab; });
      clearInterval(tabTimer);
      const refresh = { overview: refreshOverview, queues: () => refreshTable('queues'),
                        exchanges: () => refreshTable('exchanges'), connections: () => refreshTable('connections') }[tab];
      const report = error => console.warn(tab, error.message);
      if (refresh) { refresh().catch(report); tabTimer = setInterval(() => refresh().catch(report), 5000); }
      if (tab === 'logs' && !tailController) startTail();
    }

    // --- alarms -----------------------------------------------------------------------------
    async function refreshAlarms() {
      let nodes = [];
      try { nodes = await api('/api/nodes'); } catch (e) { return; }
      const alarms = [];
      for (const node of nodes) {
        if (node.mem_alarm) alarms.push(`Memory alarm on ${node.name}: ${mb(node.mem_used)} used, limit ${mb(node.mem_limit)}; publishers are blocked`);
        if (node.disk_free_alarm) alarms.push(`Disk alarm on ${node.name}: ${mb(node.disk_free)} free, limit ${mb(node.disk_free_limit)}; publishers are blocked`);
      }
      $('alarms').textContent = alarms.join(' · ');
      $('alarms').hidden = alarms.length === 0;
      lastNodes = nodes;
    }
    let lastNodes = [];
    const mb = bytes => (Number(bytes) / 1048576).toFixed(1) + ' MiB';

    // --- logs -------------------------------------------------------------------------------
    let tailController = null, kept = [], pending = [], heldCount = 0, paused = false, frame = 0, dropped = 0;
    function stopTail() { if (tailController) tailController.abort(); tailController = null; }
    async function startTail() {
      stopTail();
      const controller = new AbortController();
      tailController = controller;
      const patterns = $('patterns').value.split(/\s+/).filter(Boolean);
      let query = patterns.map(p => 'pattern=' + encodeURIComponent(p)).join('&');
      if ($('since').value) query += '&since=' + encodeURIComponent($('since').value);
      kept = []; pending = []; heldCount = 0; $('entries').textContent = '';
      try {
        const response = await fetch('/api/tail?' + query, { headers: headers(), signal: controller.signal });
        if (!response.ok) { $('tail-status').textContent = 'refused: ' + ((await response.json().catch(() => ({}))).reason || response.status); return; }
        $('tail-status').textContent = 'following ' + patterns.join(' ');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) { receive(buffer.slice(0, end)); buffer = buffer.slice(end + 2); }
          if (buffer.length > 4194304) throw new Error('an event longer than 4 MiB');
        }
        if (tailController === controller) $('tail-status').textContent = 'stream ended';
      } catch (error) {
        if (tailController === controller) $('tail-status').textContent = 'disconnected: ' + error.message;
      }
    }
    function receive(block) {
      let type = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trimStart();
      }
      if (type === 'dropped') { dropped += Number(data) || 0; return; }
      if (type !== 'entry') return;
      const delivery = JSON.parse(data);
      let entry;
      try { entry = JSON.parse(delivery.body); } catch (e) { entry = null; }
      if (entry === null || typeof entry !== 'object') entry = { message: String(delivery.body) };
      entry.routing_key = delivery.routing_key;
      pending.push(entry);
      if (pending.length > KEPT_CAP) pending.splice(0, pending.length - KEPT_CAP);
      if (paused) heldCount += 1;
      if (!frame) frame = requestAnimationFrame(flush);
    }
    function severityOf(entry) {
      const index = SEVERITIES.indexOf(entry.severity);
      return index < 0 ? 6 : index;
    }
    function matches(entry) {
      if (severityOf(entry) > Number($('severity').value)) return false;
      const text = $('text-filter').value.toLowerCase();
      return !text || lineOf(entry).toLowerCase().includes(text);
    }
    function lineOf(entry) {
      return [entry.timestamp || entry.received_at || '', entry.hostname || '-', entry.app_name || '-',
              (entry.facility && entry.severity ? entry.facility + '.' + entry.severity : entry.routing_key || '') + ':', entry.message ?? ''].join(' ');
    }
    function item(entry) {
      const li = document.createElement('li');
      li.className = SEVERITIES[severityOf(entry)];
      li.tabIndex = 0;
      li.textContent = lineOf(entry);
      li.entry = entry;
      return li;
    }
    // One DOM update per animation frame, whatever the rate: at most SHOWN_CAP new lines, then trim.
    function flush() {
      frame = 0;
      if (paused) return status();
      const batch = pending; pending = [];
      kept.push(...batch);
      if (kept.length > KEPT_CAP) kept.splice(0, kept.length - KEPT_CAP);
      const list = $('entries'), atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 20;
      const fragment = document.createDocumentFragment();
      for (const entry of batch.slice(-SHOWN_CAP)) if (matches(entry)) fragment.appendChild(item(entry));
      list.appendChild(fragment);
      while (list.childElementCount > SHOWN_CAP) list.firstElementChild.remove();
      if (atBottom) list.scrollTop = list.scrollHeight;
      status();
    }
    function status() {
      const held = paused ? `, paused: ${heldCount} new` : '';
      const lost = dropped ? `, ${dropped} dropped by the server (this page read too slowly)` : '';
      $('tail-status').textContent = `following ${$('patterns').value}: ${$('entries').childElementCount} shown${held}${lost}`;
    }
    function rerender() {
      const fragment = document.createDocumentFragment();
      for (const entry of kept.filter(matches).slice(-SHOWN_CAP)) fragment.appendChild(item(entry));
      $('entries').replaceChildren(fragment);
      status();
    }
    function selectEntry(target) {
      const li = target.closest('#entries li');
      if (!li) return;
      $('entry-json').hidden = false;
      $('entry-json').textContent = JSON.stringify(li.entry, null, 2);
    }

    // --- overview ---------------------------------------------------------------------------
    let range = 60;
    const RATE_FIELDS = [['publish', 'published', '#1f77b4'], ['deliver_get', 'delivered', '#2ca02c'], ['ack', 'acknowledged', '#9467bd'],
                         ['redeliver', 'redelivered', '#ff7f0e'], ['return_unroutable', 'returned', '#d62728']];
    async function refreshOverview() {
      const overview = await api(`/api/overview?msg_rates_age=${range}&msg_rates_incr=5`);
      const totals = overview.object_totals || {}, queued = overview.queue_totals || {};
      cards('totals', [['Queues', totals.queues], ['Connections', totals.connections], ['Consumers', totals.consumers],
                       ['Ready', queued.messages_ready], ['Unacked', queued.messages_unacknowledged], ['Version', overview.product_version]]);
      chart(overview.message_stats || {});
      const node = lastNodes[0];
      if (node) cards('resources', [['Memory', `${mb(node.mem_used)} of ${mb(node.mem_limit)}`, node.mem_alarm],
                                    ['Disk free', `${mb(node.disk_free)} (limit ${mb(node.disk_free_limit)})`, node.disk_free_alarm],
                                    ['Uptime', Math.round(node.uptime / 60000) + ' min']]);
    }
    function cards(id, rows) {
      $(id).replaceChildren(...rows.map(([label, value, bad]) => {
        const card = document.createElement('div');
        card.className = 'card' + (bad ? ' bad' : '');
        const number = document.createElement('b'); number.textContent = value ?? '–';
        card.append(number, label);
        return card;
      }));
    }
    // Hand-written SVG (Docs/console.md says why): one polyline per rate over the chosen range.
    function chart(stats) {
      const width = 600, height = 200, now = Date.now(), from = now - range * 1000;
      const series = RATE_FIELDS.map(([field, label, colour]) => ({ label, colour,
        points: ((stats[field + '_details'] || {}).samples || []).map((sample, i, all) => {
          const next = all[i + 1];  // samples come newest first; a rate is the change to the one before
          return next ? { t: sample.timestamp, v: Math.max(0, (sample.sample - next.sample) * 1000 / Math.max(1, sample.timestamp - next.timestamp)) } : null;
        }).filter(Boolean).filter(p => p.t >= from) }));
      const top = Math.max(1, ...series.flatMap(s => s.points.map(p => p.v)));
      const x = t => ((t - from) / (now - from) * width).toFixed(1), y = v => (height - v / top * (height - 10)).toFixed(1);
      const ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', `0 0 ${width} ${height}`); svg.setAttribute('preserveAspectRatio', 'none');
      svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', 'message rates per second');
      const axis = document.createElementNS(ns, 'line');
      Object.entries({ x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }).forEach(([k, v]) => axis.setAttribute(k, v));
      svg.append(axis);
      for (const s of series.filter(s => s.points.length)) {
        const line = document.createElementNS(ns, 'polyline');
        line.setAttribute('points', s.points.map(p => `${x(p.t)},${y(p.v)}`).join(' '));
        line.setAttribute('fill', 'none'); line.setAttribute('stroke', s.colour); line.setAttribute('stroke-width', '2');
        line.setAttribute('vector-effect', 'non-scaling-stroke'); line.dataset.series = s.label;
        svg.append(line);
      }
      const legend = document.createElement('div'); legend.className = 'legend';
      legend.append(`top of the chart: ${top.toFixed(1)}/s; now:`);
      for (const s of series) {
        const key = document.createElement('span'); key.style.color = s.colour;
        key.textContent = `■ ${s.label} ${(s.points[0] || { v: 0 }).v.toFixed(1)}/s`; legend.append(key);
      }
      $('chart').replaceChildren(svg, legend);
    }

    // --- tables -----------------------------------------------------------------------------
    const TABLES = {
      queues: { path: '/api/queues', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['type', 'Type'], ['state', 'State'],
        ['messages_ready', 'Ready', 1], ['messages_unacknowledged', 'Unacked', 1], ['messages', 'Total', 1], ['consumers', 'Consumers', 1]] },
      exchanges: { path: '/api/exchanges', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['type', 'Type'], ['durable', 'Durable']] },
      connections: { path: '/api/connections', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['user', 'User'], ['state', 'State'],
        ['channels', 'Channels', 1], ['client_properties.product', 'Client']] },
    };
    const sorting = {};
    const field = (row, path) => path.split('.').reduce((value, key) => value == null ? value : value[key], row);
    async function refreshTable(name) {
      const rows = await api(TABLES[name].path);
      TABLES[name].rows = rows;
      renderTable(name);
    }
    function renderTable(name) {
      const { columns, rows = [] } = TABLES[name], section = $(name), table = section.querySelector('table');
      const filter = section.querySelector('[data-filter]').value.toLowerCase();
      const sort = sorting[name] || { column: columns[0][0], direction: 1 };
      const shown = rows.filter(row => !filter || columns.some(([path]) => String(field(row, path) ?? '').toLowerCase().includes(filter)))
        .sort((a, b) => { const l = field(a, sort.column), r = field(b, sort.column);
          return (typeof l === 'number' && typeof r === 'number' ? l - r : String(l ?? '').localeCompare(String(r ?? ''))) * sort.direction; });
      const head = document.createElement('tr');
      for (const [path, title, numeric] of columns) {
        const th = document.createElement('th'), button = document.createElement('button');
        if (numeric) th.className = 'num';
        button.textContent = title + (sort.column === path ? (sort.direction > 0 ? ' ▲' : ' ▼') : '');
        button.onclick = () => { sorting[name] = { column: path, direction: sort.column === path ? -sort.direction : 1 }; renderTable(name); };
        th.setAttribute('aria-sort', sort.column === path ? (sort.direction > 0 ? 'ascending' : 'descending') : 'none');
        th.append(button); head.append(th);
      }
      const body = shown.slice(0, 500).map(row => {
        const tr = document.createElement('tr');
        for (const [path, , numeric] of columns) {
          const td = document.createElement('td'); td.textContent = String(field(row, path) ?? ''); if (numeric) td.className = 'num'; tr.append(td);
        }
        return tr;
      });
      const thead = document.createElement('thead'), tbody = document.createElement('tbody');
      thead.append(head); tbody.append(...body);
      table.replaceChildren(thead, tbody);
    }

    // --- wiring -----------------------------------------------------------------------------
    document.addEventListener('DOMContentLoaded', () => {
      $('signin').addEventListener('submit', event => {
        event.preventDefault();
        const bytes = new TextEncoder().encode($('username').value + ':' + $('password').value);
        signIn(btoa(String.fromCharCode(...bytes)));
      });
      $('signout').onclick = () => signOut('Signed out');
      window.addEventListener('hashchange', () => { if (user) show(location.hash.slice(1)); });
      $('tail-form').addEventListener('submit', event => { event.preventDefault(); startTail(); });
      $('severity').onchange = rerender;
      $('text-filter').oninput = rerender;
      $('pause').onclick = () => {
        paused = !paused;
        $('pause').textContent = paused ? 'Resume' : 'Pause';
        $('pause').setAttribute('aria-pressed', String(paused));
        heldCount = 0;
        if (!paused && pending.length) flush();
        status();
      };
      $('clear').onclick = () => { kept = []; $('entries').textContent = ''; $('entry-json').hidden = true; status(); };
      $('entries').addEventListener('click', event => selectEntry(event.target));
      $('entries').addEventListener('keydown', event => { if (event.key === 'Enter') selectEntry(event.target); });
      document.querySelectorAll('[data-range]').forEach(button => button.onclick = () => {
        range = Number(button.dataset.range);
        document.querySelectorAll('[data-range]').forEach(b => b.setAttribute('aria-pressed', String(b === button)));
        refreshOverview();
      });
      Object.keys(TABLES).forEach(name => $(name).querySelector('[data-filter]').oninput = () => renderTable(name));
      if (credentials) signIn(credentials);
    });
    """#
}
