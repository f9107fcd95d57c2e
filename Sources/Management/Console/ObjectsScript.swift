/// The queue, exchange and connection panels' script: a queue's figures, rates, consumers and
/// bindings, "get messages" with RabbitMQ's ack modes, purge and delete (a second click confirms);
/// an exchange's rates and bindings and "publish message" with properties and headers; closing a
/// connection with a reason (RabbitMQ's `X-Reason` header).
enum ObjectsScript {
    static let js = #"""
    'use strict';
    function el(tag, properties = {}, ...children) {
      const element = Object.assign(document.createElement(tag), properties);
      element.append(...children);
      return element;
    }
    const objectPath = (kind, row) => `/api/${kind}/${enc(row.vhost)}/${enc(exchangeName(row.name))}`;
    const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    function panel(section, title, ...children) {
      const detail = $(section).querySelector('.detail');
      const close = el('button', { type: 'button', textContent: 'Close', onclick: () => { detail.hidden = true; } });
      detail.replaceChildren(el('h2', { textContent: title }), ...children, close);
      detail.hidden = false;
      return detail;
    }
    // A destructive button asks once more in its own text instead of a dialog. With a `key` (a table
    // row's delete path) the asking survives the table's refresh, which draws a new button.
    const armed = new Set();
    function confirmed(label, action, key = null) {
      const button = el('button', { type: 'button', textContent: label });
      const arm = () => { button.dataset.armed = '1'; button.textContent = label + ': click again to confirm'; };
      if (key !== null && armed.has(key)) arm();
      button.onclick = () => {
        if (button.dataset.armed) { armed.delete(key); return action(button); }
        if (key !== null) armed.add(key);
        arm();
      };
      return button;
    }
    // A small table of `rows` under a heading; `columns` as in TABLES.
    function miniTable(title, columns, rows) {
      return el('div', { className: 'mini' }, el('h3', { textContent: `${title} (${rows.length})` }), rows.length ? el('table', { className: 'grid' },
        el('thead', {}, el('tr', {}, ...columns.map(([, heading]) => el('th', { textContent: heading })))),
        el('tbody', {}, ...rows.map(row => el('tr', {}, ...columns.map(([path]) => el('td', { textContent: display(field(row, path)) })))))) : el('p', { textContent: 'none' }));
    }
    // The current rate of each counter in `message_stats`, as "name 1.2/s".
    const rates = (stats = {}, fields) => fields.map(([name, label]) => `${label} ${((stats[name + '_details'] || {}).rate || 0).toFixed(1)}/s`).join(', ');
    const BINDING_COLUMNS = [['source', 'From'], ['destination', 'To'], ['destination_type', 'Type'], ['routing_key', 'Routing key'], ['arguments', 'Arguments']];
    async function openQueue(row) {
      const path = objectPath('queues', row), result = el('pre', { className: 'result', tabIndex: 0 });
      const [queue, consumers, bindings] = await Promise.all([api(path + '?msg_rates_age=60&msg_rates_incr=5'), api('/api/consumers'),
                                                              api(`/api/bindings/${enc(row.vhost)}`)]).catch(error => [row, [], [], error]);
      const count = el('input', { type: 'number', min: 1, max: 100, value: 1, id: 'get-count' });
      const mode = el('select', { id: 'get-ackmode' }, ...[['ack_requeue_true', 'Nack message requeue true'],
        ['ack_requeue_false', 'Automatic ack'], ['reject_requeue_true', 'Reject requeue true'], ['reject_requeue_false', 'Reject requeue false']]
        .map(([value, text]) => el('option', { value, textContent: text })));
      const report = promise => promise.then(text => { result.textContent = text; refreshTable('queues'); },
                                             error => { result.textContent = 'Failed: ' + error.message; });
      const get = el('button', { type: 'button', textContent: 'Get messages', onclick: () => report(
        post(path + '/get', { count: Math.min(100, Math.max(1, Math.floor(Number(count.value)) || 1)), ackmode: mode.value, encoding: 'auto', truncate: 50000 }).then(messages =>
          messages.length ? messages.map((m, i) => `Message ${i + 1} (routing key ${m.routing_key}, ${m.message_count} left)` +
            `${m.redelivered ? ', redelivered' : ''}\n${m.payload}`).join('\n\n') : 'Queue is empty')) });
      const purge = confirmed('Purge', () => report(api(path + '/contents', { method: 'DELETE' }).then(() => 'Purged')));
      const remove = confirmed('Delete', () => report(api(path, { method: 'DELETE' }).then(() => 'Deleted')));
      panel('queues', `Queue ${row.name} in ${row.vhost}`,
        el('p', { textContent: `${queue.messages_ready} ready, ${queue.messages_unacknowledged} unacked, ${queue.consumers} consumers, ${queue.durable ? 'durable' : 'transient'}` }),
        el('p', { className: 'rates', textContent: 'Rates: ' + rates(queue.message_stats, [['publish', 'publish'], ['deliver_get', 'deliver / get'],
          ['ack', 'ack'], ['redeliver', 'redelivered']]) }),
        miniTable('Consumers', [['consumer_tag', 'Consumer tag'], ['channel_details.name', 'Channel'], ['ack_required', 'Ack required'], ['prefetch_count', 'Prefetch count']],
          consumers.filter(c => c.queue && c.queue.name === row.name && c.queue.vhost === row.vhost)),
        miniTable('Bindings', BINDING_COLUMNS, bindings.filter(b => b.destination === row.name && b.destination_type === 'queue')),
        el('div', { className: 'toolbar' }, el('label', {}, 'Messages ', count), el('label', {}, 'Ack mode ', mode), get, purge, remove), result);
    }
    // Publish's properties: delivery mode and content type, headers as a JSON object.
    function publishProperties(mode, type, headersText) {
      const properties = { delivery_mode: Number(mode) };
      if (type) properties.content_type = type;
      if (headersText.trim()) {
        const headers = JSON.parse(headersText);
        if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) throw new Error('Headers must be a JSON object');
        properties.headers = headers;
      }
      return properties;
    }
    async function openExchange(row) {
      const path = objectPath('exchanges', row), result = el('p', { className: 'result' });
      const [exchange, bindings] = await Promise.all([api(path + '?msg_rates_age=60&msg_rates_incr=5'), api(`/api/bindings/${enc(row.vhost)}`)])
        .catch(() => [row, []]);
      const key = el('input', { id: 'publish-key', placeholder: 'routing key' });
      const mode = el('select', { id: 'publish-delivery-mode' }, el('option', { value: 1, textContent: '1 - non-persistent' }),
                      el('option', { value: 2, textContent: '2 - persistent' }));
      const type = el('input', { id: 'publish-content-type', placeholder: 'text/plain', size: 12 });
      const headersText = el('textarea', { id: 'publish-headers', rows: 2, cols: 30, placeholder: '{"x-source": "console"}' });
      const payload = el('textarea', { id: 'publish-payload', rows: 4, cols: 60 });
      const publish = el('button', { type: 'button', textContent: 'Publish message', onclick: () =>
        Promise.resolve().then(() => post(path + '/publish', { routing_key: key.value, payload: payload.value, payload_encoding: 'string',
                                                               properties: publishProperties(mode.value, type.value, headersText.value) }))
          .then(answer => { result.textContent = answer.routed ? 'Message published and routed.' : 'Message published, but not routed.'; },
                error => { result.textContent = 'Failed: ' + error.message; }) });
      const name = row.name || '(AMQP default)';
      panel('exchanges', `Exchange ${name} in ${row.vhost}`, el('p', { textContent: `type ${row.type}, ${row.durable ? 'durable' : 'transient'}` }),
        el('p', { className: 'rates', textContent: 'Rates: ' + rates(exchange.message_stats, [['publish_in', 'publish in'], ['publish_out', 'publish out']]) }),
        miniTable('Bindings from this exchange', BINDING_COLUMNS, bindings.filter(b => b.source === row.name && row.name)),
        miniTable('Bindings to this exchange', BINDING_COLUMNS, bindings.filter(b => b.destination === row.name && b.destination_type === 'exchange')),
        el('h3', { textContent: 'Publish message' }),
        el('div', { className: 'toolbar' }, el('label', {}, 'Routing key ', key), el('label', {}, 'Delivery mode ', mode),
           el('label', {}, 'Content type ', type), el('label', {}, 'Headers ', headersText)),
        el('div', { className: 'toolbar' }, el('label', {}, 'Payload ', payload), publish), result);
    }
    function openConnection(row) {
      const result = el('p', { className: 'result' });
      const reason = el('input', { id: 'close-reason', value: 'Closed via management plugin', size: 40 });
      const close = confirmed('Close connection', () => api(`/api/connections/${encodeURIComponent(row.name)}`,
        { method: 'DELETE', headers: { 'X-Reason': reason.value } })
        .then(() => { result.textContent = 'Closed'; refreshTable('connections'); }, error => { result.textContent = 'Failed: ' + error.message; }));
      panel('connections', `Connection ${row.name}`, el('p', { textContent: `user ${row.user}, vhost ${row.vhost}, ${row.channels} channels` }),
        el('div', { className: 'toolbar' }, el('label', {}, 'Reason ', reason), close), result);
    }
    """#
}
