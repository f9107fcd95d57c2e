/// The table tabs' script (queues, exchanges, connections, channels, consumers, vhosts, users,
/// policies): sortable, filterable tables with RabbitMQ's column names, refreshed from the
/// management API; a queue's, exchange's or connection's name opens its panel.
enum TablesScript {
    static let js = #"""
    'use strict';
    const TABLES = {
      queues: { path: '/api/queues', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['type', 'Type'], ['state', 'State'],
        ['messages_ready', 'Ready', 1], ['messages_unacknowledged', 'Unacked', 1], ['messages', 'Total', 1], ['consumers', 'Consumers', 1]],
        open: row => openQueue(row) },
      exchanges: { path: '/api/exchanges', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['type', 'Type'], ['durable', 'Durable']],
        open: row => openExchange(row) },
      connections: { path: '/api/connections', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['user', 'User'], ['state', 'State'],
        ['channels', 'Channels', 1], ['client_properties.product', 'Client']],
        open: row => openConnection(row) },
      channels: { path: '/api/channels', columns: [['connection_details.name', 'Connection'], ['number', 'Channel', 1], ['user', 'User name'],
        ['vhost', 'Virtual host'], ['prefetch_count', 'Prefetch', 1], ['messages_unacknowledged', 'Unacked', 1], ['consumer_count', 'Consumers', 1]] },
      consumers: { path: '/api/consumers', columns: [['queue.vhost', 'Virtual host'], ['queue.name', 'Queue'], ['consumer_tag', 'Consumer tag'],
        ['ack_required', 'Ack required'], ['prefetch_count', 'Prefetch count', 1], ['channel_details.name', 'Channel']] },
      vhosts: { path: '/api/vhosts', columns: [['name', 'Name'], ['messages_ready', 'Ready', 1], ['messages_unacknowledged', 'Unacked', 1], ['messages', 'Total', 1]] },
      users: { path: '/api/users', columns: [['name', 'Name'], ['tags', 'Tags']] },
      policies: { path: '/api/policies', columns: [['vhost', 'Virtual host'], ['name', 'Name'], ['pattern', 'Pattern'], ['apply-to', 'Apply to'],
        ['definition', 'Definition'], ['priority', 'Priority', 1]] },
    };
    // Tabs whose page is only a table get their section here: filter, panel and table.
    function tableSections() {
      for (const name of Object.keys(TABLES).filter(name => !$(name))) {
        const filter = Object.assign(document.createElement('input'), { type: 'search' });
        filter.dataset.filter = '';
        const label = document.createElement('label'); label.append('Filter ', filter);
        const toolbar = Object.assign(document.createElement('div'), { className: 'toolbar' }); toolbar.append(label);
        const section = Object.assign(document.createElement('section'), { id: name, className: 'tab', hidden: true });
        section.append(toolbar, Object.assign(document.createElement('div'), { className: 'detail', hidden: true }),
                       Object.assign(document.createElement('table'), { className: 'grid' }));
        $('app').append(section);
      }
    }
    const display = value => value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : String(value ?? '');
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
          const td = document.createElement('td'), text = display(field(row, path));
          if (numeric) td.className = 'num';
          if (path === 'name' && TABLES[name].open) {
            const link = Object.assign(document.createElement('button'), { type: 'button', className: 'link', textContent: text || '(AMQP default)' });
            link.onclick = () => TABLES[name].open(row);
            td.append(link);
          } else td.textContent = text;
          tr.append(td);
        }
        return tr;
      });
      const thead = document.createElement('thead'), tbody = document.createElement('tbody');
      thead.append(head); tbody.append(...body);
      table.replaceChildren(thead, tbody);
    }
    """#
}
