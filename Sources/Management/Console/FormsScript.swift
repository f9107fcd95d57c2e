/// The add forms' script: for each table tab, the objects the management API can create there
/// (queue, exchange, binding, vhost, user, permissions, policy), as a folded form whose fields
/// become the API's request; the API's refusal is shown as it is.
enum FormsScript {
    static let js = #"""
    'use strict';
    const send = (method, path, body) => api(path, { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    // Fields: [name, label, kind, default]; a kind is 'text' (default), 'password', 'number', 'check', 'json' or a list of options.
    const FORMS = {
      queues: [{ id: 'add-queue', title: 'Add a new queue', fields: [['vhost', 'Virtual host', 'text', '/'], ['name', 'Name'],
          ['durable', 'Durable', 'check', true], ['auto_delete', 'Auto delete', 'check'], ['arguments', 'Arguments', 'json']],
        submit: v => send('PUT', `/api/queues/${enc(v.vhost)}/${enc(v.name)}`, { durable: v.durable, auto_delete: v.auto_delete, arguments: v.arguments })
          .then(() => `Queue ${v.name} added`) }],
      exchanges: [{ id: 'add-exchange', title: 'Add a new exchange', fields: [['vhost', 'Virtual host', 'text', '/'], ['name', 'Name'],
          ['type', 'Type', ['direct', 'fanout', 'headers', 'topic']], ['durable', 'Durable', 'check', true], ['auto_delete', 'Auto delete', 'check'],
          ['internal', 'Internal', 'check'], ['arguments', 'Arguments', 'json']],
        submit: v => send('PUT', `/api/exchanges/${enc(v.vhost)}/${enc(v.name)}`,
          { type: v.type, durable: v.durable, auto_delete: v.auto_delete, internal: v.internal, arguments: v.arguments })
          .then(() => `Exchange ${v.name} added`) }],
      bindings: [{ id: 'add-binding', title: 'Add binding', fields: [['vhost', 'Virtual host', 'text', '/'], ['source', 'From exchange'],
          ['destination_type', 'To', ['queue', 'exchange']], ['destination', 'Destination'], ['routing_key', 'Routing key'], ['arguments', 'Arguments', 'json']],
        submit: v => send('POST', `/api/bindings/${enc(v.vhost)}/e/${enc(v.source)}/${v.destination_type === 'queue' ? 'q' : 'e'}/${enc(v.destination)}`,
          { routing_key: v.routing_key, arguments: v.arguments }).then(() => `Bound ${v.destination} to ${v.source}`) }],
      vhosts: [{ id: 'add-vhost', title: 'Add a new virtual host', fields: [['name', 'Name'], ['description', 'Description']],
        submit: v => send('PUT', `/api/vhosts/${enc(v.name)}`, { description: v.description }).then(() => `Virtual host ${v.name} added`) }],
      users: [{ id: 'add-user', title: 'Add a user', fields: [['name', 'Username'], ['password', 'Password', 'password'],
          ['tags', 'Tags', ['', 'management', 'policymaker', 'monitoring', 'administrator']]],
        submit: v => send('PUT', `/api/users/${enc(v.name)}`, { password: v.password, tags: v.tags }).then(() => `User ${v.name} added`) }],
      permissions: [{ id: 'add-permission', title: 'Set permissions', fields: [['user', 'User'], ['vhost', 'Virtual host', 'text', '/'],
          ['configure', 'Configure regexp', 'text', '.*'], ['write', 'Write regexp', 'text', '.*'], ['read', 'Read regexp', 'text', '.*']],
        submit: v => send('PUT', `/api/permissions/${enc(v.vhost)}/${enc(v.user)}`, { configure: v.configure, write: v.write, read: v.read })
          .then(() => `Permissions of ${v.user} in ${v.vhost} set`) }],
      policies: [{ id: 'add-policy', title: 'Add / update a policy', fields: [['vhost', 'Virtual host', 'text', '/'], ['name', 'Name'],
          ['pattern', 'Pattern'], ['apply-to', 'Apply to', ['all', 'queues', 'exchanges']], ['priority', 'Priority', 'number', 0],
          ['definition', 'Definition', 'json']],
        submit: v => send('PUT', `/api/policies/${enc(v.vhost)}/${enc(v.name)}`,
          { pattern: v.pattern, 'apply-to': v['apply-to'], priority: v.priority, definition: v.definition }).then(() => `Policy ${v.name} set`) }],
    };
    function formField(formId, [name, label, kind = 'text', value]) {
      const id = `${formId}-${name.replace(/_/g, '-')}`;
      const input = Array.isArray(kind) ? el('select', { id }, ...kind.map(option => el('option', { value: option, textContent: option || '(none)' })))
        : kind === 'json' ? el('textarea', { id, rows: 2, cols: 30, placeholder: '{"x-max-length": 1000}' })
        : el('input', { id, type: kind === 'check' ? 'checkbox' : kind, required: kind === 'text' && value === undefined });
      if (kind === 'check') input.checked = Boolean(value); else if (value !== undefined) input.value = value;
      return el('label', {}, label + ' ', input);
    }
    // The values of a form's fields by name: booleans, numbers, parsed JSON objects ({} when empty), text.
    function formValues(form, fields) {
      const values = {};
      for (const [name, label, kind = 'text'] of fields) {
        const input = form.querySelector(`#${form.id}-${name.replace(/_/g, '-')}`);
        if (kind === 'check') values[name] = input.checked;
        else if (kind === 'number') values[name] = Number(input.value) || 0;
        else if (kind === 'json') {
          try { values[name] = input.value.trim() ? JSON.parse(input.value) : {}; } catch (error) { throw new Error(`${label}: ${error.message}`); }
          if (values[name] === null || typeof values[name] !== 'object' || Array.isArray(values[name])) throw new Error(`${label} must be a JSON object`);
        } else values[name] = input.value;
      }
      return values;
    }
    function addForm({ id, title, fields, submit }) {
      const result = el('span', { id: `${id}-result`, role: 'status' });
      const form = el('form', { id, className: 'toolbar' }, ...fields.map(field => formField(id, field)), el('button', { textContent: title }), result);
      form.addEventListener('submit', event => {
        event.preventDefault();
        const table = form.closest('.tab').id;
        Promise.resolve().then(() => submit(formValues(form, fields)))
          .then(message => { result.textContent = message; refreshTable(table); }, error => { result.textContent = 'Failed: ' + error.message; });
      });
      return el('details', { className: 'add' }, el('summary', { textContent: title }), form);
    }
    """#
}
