/// The queue, exchange and connection panels' script, and the add-queue form: a queue's figures, "get messages" with
/// RabbitMQ's ack modes, purge and delete (a second click confirms); an exchange's "publish
/// message"; closing a connection with a reason (RabbitMQ's `X-Reason` header).
enum ObjectsScript {
    static let js = #"""
    'use strict';
    function el(tag, properties = {}, ...children) {
      const element = Object.assign(document.createElement(tag), properties);
      element.append(...children);
      return element;
    }
    // The default exchange's name in a URL is `amq.default`, as in RabbitMQ's API.
    const objectPath = (kind, row) => `/api/${kind}/${encodeURIComponent(row.vhost)}/${encodeURIComponent(row.name || 'amq.default')}`;
    const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    function panel(section, title, ...children) {
      const detail = $(section).querySelector('.detail');
      const close = el('button', { type: 'button', textContent: 'Close', onclick: () => { detail.hidden = true; } });
      detail.replaceChildren(el('h2', { textContent: title }), ...children, close);
      detail.hidden = false;
      return detail;
    }
    // A destructive button asks once more in its own text instead of a dialog.
    function confirmed(label, action) {
      const button = el('button', { type: 'button', textContent: label });
      button.onclick = () => {
        if (button.dataset.armed) return action(button);
        button.dataset.armed = '1'; button.textContent = label + ': click again to confirm';
      };
      return button;
    }
    function openQueue(row) {
      const path = objectPath('queues', row), result = el('pre', { className: 'result', tabIndex: 0 });
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
        el('p', { textContent: `${row.messages_ready} ready, ${row.messages_unacknowledged} unacked, ${row.consumers} consumers, ${row.durable ? 'durable' : 'transient'}` }),
        el('div', { className: 'toolbar' }, el('label', {}, 'Messages ', count), el('label', {}, 'Ack mode ', mode), get, purge, remove), result);
    }
    function openExchange(row) {
      const path = objectPath('exchanges', row), result = el('p', { className: 'result' });
      const key = el('input', { id: 'publish-key', placeholder: 'routing key' });
      const payload = el('textarea', { id: 'publish-payload', rows: 4, cols: 60 });
      const publish = el('button', { type: 'button', textContent: 'Publish message', onclick: () =>
        post(path + '/publish', { routing_key: key.value, payload: payload.value, payload_encoding: 'string', properties: {} })
          .then(answer => { result.textContent = answer.routed ? 'Message published and routed.' : 'Message published, but not routed.'; },
                error => { result.textContent = 'Failed: ' + error.message; }) });
      panel('exchanges', `Exchange ${row.name || '(AMQP default)'} in ${row.vhost}`, el('p', { textContent: `type ${row.type}` }),
        el('div', { className: 'toolbar' }, el('label', {}, 'Routing key ', key), el('label', {}, 'Payload ', payload), publish), result);
    }
    function addQueue() {
      const row = { vhost: $('add-queue-vhost').value, name: $('add-queue-name').value };
      api(objectPath('queues', row), { method: 'PUT', body: JSON.stringify({ durable: $('add-queue-durable').checked }),
                                        headers: { 'Content-Type': 'application/json' } })
        .then(() => { $('add-queue-result').textContent = `Queue ${row.name} added`; refreshTable('queues'); },
              error => { $('add-queue-result').textContent = 'Failed: ' + error.message; });
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
