/// The table tabs' script (queues, exchanges, bindings, connections, channels, consumers, vhosts,
/// users, permissions, policies): sortable, filterable, paged tables with RabbitMQ's column names,
/// refreshed from the management API, which pages the lists RabbitMQ pages (queues, exchanges,
/// connections, channels, vhosts; the others are paged here); a queue's, exchange's or connection's name opens its panel,
/// and what the API can delete has a Delete button (a second click confirms).
enum TablesScript {
    static let js = #"""
    'use strict';
    const enc = encodeURIComponent;
    // The default exchange's name in a URL is `amq.default`, as in RabbitMQ's API.
    const exchangeName = name => name || 'amq.default';
    const TABLES = {
      queues: { path: '/api/queues', paged: true, columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['type', 'Type'], ['state', 'State'],
        ['messages_ready', 'Ready', 1], ['messages_unacknowledged', 'Unacked', 1], ['messages', 'Total', 1], ['consumers', 'Consumers', 1]],
        open: row => openQueue(row), remove: row => `/api/queues/${enc(row.vhost)}/${enc(row.name)}` },
      exchanges: { path: '/api/exchanges', paged: true, columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['type', 'Type'], ['durable', 'Durable'],
        ['auto_delete', 'Auto delete'], ['internal', 'Internal'], ['arguments', 'Arguments']],
        open: row => openExchange(row),
        remove: row => row.name && !row.name.startsWith('amq.') ? `/api/exchanges/${enc(row.vhost)}/${enc(row.name)}` : null },
      bindings: { path: '/api/bindings', columns: [['source', 'Source'], ['vhost', 'Virtual host'], ['destination', 'Destination'],
        ['destination_type', 'Destination type'], ['routing_key', 'Routing key'], ['arguments', 'Arguments']],
        remove: row => row.source ? `/api/bindings/${enc(row.vhost)}/e/${enc(row.source)}/${row.destination_type === 'queue' ? 'q' : 'e'}/`
          + `${enc(row.destination)}/${enc(row.properties_key)}` : null },
      connections: { path: '/api/connections', paged: true, columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['user', 'User'], ['state', 'State'],
        ['channels', 'Channels', 1], ['client_properties.product', 'Client']],
        open: row => openConnection(row) },
      channels: { path: '/api/channels', paged: true, columns: [['connection_details.name', 'Connection'], ['number', 'Channel', 1], ['user', 'User name'],
        ['vhost', 'Virtual host'], ['prefetch_count', 'Prefetch', 1], ['messages_unacknowledged', 'Unacked', 1], ['consumer_count', 'Consumers', 1]] },
      consumers: { path: '/api/consumers', columns: [['queue.vhost', 'Virtual host'], ['queue.name', 'Queue'], ['consumer_tag', 'Consumer tag'],
        ['ack_required', 'Ack required'], ['prefetch_count', 'Prefetch count', 1], ['channel_details.name', 'Channel']] },
      vhosts: { path: '/api/vhosts', paged: true, columns: [['name', 'Name'], ['messages_ready', 'Ready', 1], ['messages_unacknowledged', 'Unacked', 1], ['messages', 'Total', 1]],
        remove: row => `/api/vhosts/${enc(row.name)}` },
      users: { path: '/api/users', columns: [['name', 'Name'], ['tags', 'Tags']], remove: row => `/api/users/${enc(row.name)}` },
      permissions: { path: '/api/permissions', columns: [['user', 'User'], ['vhost', 'Virtual host'], ['configure', 'Configure regexp'],
        ['write', 'Write regexp'], ['read', 'Read regexp']], remove: row => `/api/permissions/${enc(row.vhost)}/${enc(row.user)}` },
      policies: { path: '/api/policies', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['pattern', 'Pattern'], ['apply-to', 'Apply to'],
        ['definition', 'Definition'], ['priority', 'Priority', 1]], remove: row => `/api/policies/${enc(row.vhost)}/${enc(row.name)}` },
    };
    const PAGE_SIZES = [20, 50, 100, 500];
    const paging = {};
    // Every table tab gets its section here: its add form (FORMS), filter and pager, panel and table.
    function tableSections() {
      for (const name of Object.keys(TABLES)) {
        paging[name] = { page: 1, size: 100 };
        // The server's name filter takes at most 255 bytes (no name is longer).
        const filter = el('input', { type: 'search', id: `${name}-filter`, maxLength: 255 });
        filter.dataset.filter = '';
        filter.oninput = () => { paging[name].page = 1; update(name); };
        const size = el('select', { id: `${name}-page-size`, onchange: () => {
          paging[name] = { page: 1, size: Number(size.value) }; update(name);
        } }, ...PAGE_SIZES.map(n => el('option', { value: n, textContent: n, selected: n === 100 })));
        const turn = step => () => { paging[name].page += step; update(name); };
        const toolbar = el('div', { className: 'toolbar' }, el('label', {}, 'Filter ', filter), el('label', {}, 'Page size ', size),
          el('button', { type: 'button', className: 'prev', textContent: '‹ Previous', onclick: turn(-1) }),
          el('span', { id: `${name}-page`, className: 'page', role: 'status' }),
          el('button', { type: 'button', className: 'next', textContent: 'Next ›', onclick: turn(1) }));
        const section = el('section', { id: name, className: 'tab', hidden: true });
        section.append(...(FORMS[name] || []).map(addForm), toolbar, el('div', { className: 'detail', hidden: true }), el('table', { className: 'grid' }));
        $('app').append(section);
      }
    }
    const display = value => value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : String(value ?? '');
    const sorting = {};
    const field = (row, path) => path.split('.').reduce((value, key) => value == null ? value : value[key], row);
    // A paged table asks the server again (its page, sort and name filter); the others re-render what they have.
    const update = name => TABLES[name].paged ? refreshTable(name).catch(error => console.warn(name, error.message)) : renderTable(name);
    const tickets = {};
    async function refreshTable(name) {
      const { path, paged } = TABLES[name];
      const ticket = tickets[name] = (tickets[name] || 0) + 1;
      const answer = await api(paged ? path + pageQuery(name) : path).catch(error => {
        if (!paged || !error.message.startsWith('Page out of range') || paging[name].page === 1) throw error;
        paging[name].page = 1;  // the list shrank below this page
        return api(path + pageQuery(name));
      });
      if (ticket !== tickets[name]) return;  // a later request's answer is (or will be) shown
      TABLES[name].rows = paged ? answer.items : answer;
      TABLES[name].counts = paged ? answer : null;
      renderTable(name);
    }
    // RabbitMQ's paging parameters: the page, its size, the text box as the name filter, the sorted column.
    function pageQuery(name) {
      const sort = sortOf(name), filter = $(name).querySelector('[data-filter]').value;
      return `?page=${paging[name].page}&page_size=${paging[name].size}&name=${enc(filter)}`
        + `&sort=${enc(sort.column)}&sort_reverse=${sort.direction < 0}`;
    }
    const sortOf = name => sorting[name] || { column: TABLES[name].columns[0][0], direction: 1 };
    function renderTable(name) {
      const { columns, rows = [], open, remove, paged, counts } = TABLES[name], section = $(name), table = section.querySelector(':scope > table');
      const filter = section.querySelector('[data-filter]').value.toLowerCase();
      const sort = sortOf(name);
      const shown = paged ? rows : rows.filter(row => !filter || columns.some(([path]) => display(field(row, path)).toLowerCase().includes(filter)))
        .sort((a, b) => { const l = field(a, sort.column), r = field(b, sort.column);
          return (typeof l === 'number' && typeof r === 'number' ? l - r : display(l).localeCompare(display(r))) * sort.direction; });
      const [filtered, total] = paged ? [counts?.filtered_count ?? 0, counts?.total_count ?? 0] : [shown.length, rows.length];
      const pages = Math.max(1, Math.ceil(filtered / paging[name].size));
      const page = paging[name].page = Math.min(Math.max(1, paging[name].page), pages);
      $(`${name}-page`).textContent = `Page ${page} of ${pages} (${filtered} of ${total} shown)`;
      section.querySelector('.prev').disabled = page === 1; section.querySelector('.next').disabled = page === pages;
      const head = el('tr');
      for (const [path, title, numeric] of columns) {
        const button = el('button', { type: 'button', textContent: title + (sort.column === path ? (sort.direction > 0 ? ' ▲' : ' ▼') : '') });
        button.onclick = () => { sorting[name] = { column: path, direction: sort.column === path ? -sort.direction : 1 }; update(name); };
        const th = el('th', { className: numeric ? 'num' : '' }, button);
        th.setAttribute('aria-sort', sort.column === path ? (sort.direction > 0 ? 'ascending' : 'descending') : 'none');
        head.append(th);
      }
      if (remove) head.append(el('th', { textContent: 'Delete' }));
      const body = (paged ? shown : shown.slice((page - 1) * paging[name].size, page * paging[name].size)).map(row => {
        const tr = el('tr');
        for (const [path, , numeric] of columns) {
          const text = display(field(row, path)), td = el('td', { className: numeric ? 'num' : '' });
          if (path === 'name' && open) td.append(el('button', { type: 'button', className: 'link', textContent: text || '(AMQP default)', onclick: () => open(row) }));
          else td.textContent = path === 'source' && !text ? '(AMQP default)' : text;
          tr.append(td);
        }
        const path = remove && remove(row);
        if (remove) tr.append(el('td', {}, ...(path ? [confirmed('Delete', button => api(path, { method: 'DELETE' })
          .then(() => refreshTable(name), error => { button.textContent = 'Failed: ' + error.message; }), path)] : [])));
        return tr;
      });
      table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
    }
    """#
}
