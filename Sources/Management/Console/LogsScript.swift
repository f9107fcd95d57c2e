/// The Logs tab's script: follows `/api/tail` with `fetch` (an EventSource cannot send the
/// Authorization header), parses the server-sent events, renders them in batches (one DOM update
/// per animation frame) into a list capped at 1,000 lines, and filters, pauses and shows an entry's JSON.
enum LogsScript {
    static let js = #"""
    'use strict';
    const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'];
    const SHOWN_CAP = 1000, KEPT_CAP = 5000;
    let tailController = null, kept = [], pending = [], heldCount = 0, paused = false, frame = 0, dropped = 0, received = 0;
    function stopTail() { if (tailController) tailController.abort(); tailController = null; }
    async function startTail() {
      stopTail();
      const controller = new AbortController();
      tailController = controller;
      const patterns = $('patterns').value.split(/\s+/).filter(Boolean);
      let query = patterns.map(p => 'pattern=' + encodeURIComponent(p)).join('&');
      if ($('since').value) query += '&since=' + encodeURIComponent($('since').value);
      kept = []; pending = []; heldCount = 0; dropped = 0; received = 0; $('entries').textContent = '';
      try {
        const response = await fetch('/api/tail?' + query, { headers: headers(), signal: controller.signal });
        if (!response.ok) { $('tail-status').textContent = 'refused: ' + await reasonOf(response); return; }
        $('tail-status').textContent = 'following ' + patterns.join(' ');
        await readBlocks(response, '\n\n', receive);
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
      received += 1;
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
      $('tail-status').textContent = `following ${$('patterns').value}: ${$('entries').childElementCount} shown of ${received} received${held}${lost}`;
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
    """#
}
