/// The Overview tab's script: totals, memory and disk against their limits, and two charts drawn
/// as hand-written SVG (Docs/console.md says why) from the server's samples: message rates and
/// syslog intake by severity, over 1 min, 10 min (5 s samples) or 1 h (one a minute).
enum OverviewScript {
    static let js = #"""
    'use strict';
    let range = 60;
    const RATE_FIELDS = [['publish', 'published', '#1f77b4'], ['deliver_get', 'delivered', '#2ca02c'], ['ack', 'acknowledged', '#9467bd'],
                         ['redeliver', 'redelivered', '#ff7f0e'], ['return_unroutable', 'returned', '#d62728']];
    const SEVERITY_FIELDS = [['emergency', 'emergency', '#b00020'], ['alert', 'alert', '#e91e63'], ['critical', 'critical', '#d62728'],
                             ['error', 'error', '#ff7f0e'], ['warning', 'warning', '#bcbd22'], ['notice', 'notice', '#17becf'],
                             ['info', 'info', '#2ca02c'], ['debug', 'debug', '#7f7f7f']];
    // The server keeps 5 s samples for 10 minutes and one a minute for an hour (RabbitMQ's increments).
    const increment = () => range > 600 ? 60 : 5;
    async function refreshOverview() {
      const overview = await api(`/api/overview?msg_rates_age=${range}&msg_rates_incr=${increment()}`);
      const totals = overview.object_totals || {}, queued = overview.queue_totals || {};
      cards('totals', [['Queues', totals.queues], ['Connections', totals.connections], ['Consumers', totals.consumers],
                       ['Ready', queued.messages_ready], ['Unacked', queued.messages_unacknowledged], ['Version', overview.product_version]]);
      chart('chart', overview.message_stats || {}, RATE_FIELDS, 'message rates per second');
      $('syslog-block').hidden = !overview.syslog_stats;
      if (overview.syslog_stats) chart('syslog-chart', overview.syslog_stats, SEVERITY_FIELDS, 'syslog entries received per second, by severity');
      const node = lastNodes[0];
      if (node) cards('resources', [['Memory', `${mb(node.mem_used)} of ${mb(node.mem_limit)}`, node.mem_alarm],
                                    ['Disk free', `${mb(node.disk_free)} (limit ${mb(node.disk_free_limit)})`, node.disk_free_alarm],
                                    ['Uptime', Math.round(node.uptime / 60000) + ' min'],
                                    ...(overview.listeners || []).map(l => [`${l.protocol} listener`, `${l.ip_address}:${l.port}`])]);
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
    // Rates from a counter's samples (newest first): each point is the change to the one before, per second.
    const ratePoints = samples => samples.map((sample, i, all) => {
      const next = all[i + 1];
      return next ? { t: sample.timestamp, v: Math.max(0, (sample.sample - next.sample) * 1000 / Math.max(1, sample.timestamp - next.timestamp)) } : null;
    }).filter(Boolean);
    // Hand-written SVG: one polyline per series over the chosen range, and a legend with the latest rates.
    function chart(id, stats, fields, title) {
      const width = 600, height = 200, now = Date.now(), from = now - range * 1000;
      const series = fields.map(([field, label, colour]) => ({ label, colour,
        points: ratePoints((stats[field + '_details'] || {}).samples || []).filter(p => p.t >= from) }));
      const top = Math.max(1, ...series.flatMap(s => s.points.map(p => p.v)));
      const x = t => ((t - from) / (now - from) * width).toFixed(1), y = v => (height - v / top * (height - 10)).toFixed(1);
      const ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', `0 0 ${width} ${height}`); svg.setAttribute('preserveAspectRatio', 'none');
      svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', title);
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
      legend.append(`the last ${range >= 3600 ? range / 3600 + ' h' : range / 60 + ' min'}, now at the right; top of the chart: ${top.toFixed(1)}/s; latest:`);
      for (const s of series) {
        const key = document.createElement('span'); key.style.color = s.colour;
        key.textContent = `■ ${s.label} ${(s.points[0] || { v: 0 }).v.toFixed(1)}/s`; legend.append(key);
      }
      $(id).replaceChildren(svg, legend);
    }
    """#
}
