/// The console's main script, loaded after the tabs' scripts: sign-in kept in `sessionStorage`,
/// every API call with `Authorization` and `X-Requested-With` (so a wrong password gives no
/// browser prompt), tabs shown by the user's tags, the alarm bar, and the page's event wiring.
enum ConsoleScript {
    static let js = #"""
    'use strict';
    const $ = id => document.getElementById(id);
    const READ_TAGS = ['management', 'policymaker', 'monitoring', 'administrator'];
    let credentials = sessionStorage.getItem('warren.credentials');
    let user = null;

    // --- API access -------------------------------------------------------------------------
    function headers() { return { 'Authorization': 'Basic ' + credentials, 'X-Requested-With': 'XMLHttpRequest' }; }
    // An API error's reason (RabbitMQ's `{"error", "reason"}`), else the status text.
    const reasonOf = async response => (await response.json().catch(() => ({}))).reason || response.statusText || String(response.status);
    // Hands each `separator`-ended block of a streamed response to `take`; a block over 4 MiB is an error.
    async function readBlocks(response, separator, take) {
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf(separator)) >= 0) { take(buffer.slice(0, end)); buffer = buffer.slice(end + separator.length); }
        if (buffer.length > 4194304) throw new Error('a streamed event longer than 4 MiB');
      }
    }
    async function api(path, options = {}) {
      const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
      if (response.status === 401) { signOut('Signed out: ' + await reasonOf(response)); throw new Error('401'); }
      if (!response.ok) throw new Error(await reasonOf(response));
      const text = await response.text();  // a DELETE answers 204 with no body
      return text ? JSON.parse(text) : null;
    }

    // --- sign-in ----------------------------------------------------------------------------
    async function signIn(encoded) {
      credentials = encoded;
      const response = await fetch('/api/whoami', { headers: headers() });
      if (!response.ok) {
        credentials = null;
        $('signin-error').textContent = await reasonOf(response);
        return;
      }
      user = await response.json();
      sessionStorage.setItem('warren.credentials', encoded);
      $('signin').hidden = true; $('app').hidden = false;
      $('whoami').textContent = user.name + (user.tags.length ? ' (' + user.tags.join(', ') + ')' : '');
      const reads = user.tags.some(tag => READ_TAGS.includes(tag));
      document.querySelectorAll('#nav a[data-needs]').forEach(link => {
        const needs = link.dataset.needs;
        link.hidden = needs === 'management' ? !reads : !(user.tags.includes(needs) || user.tags.includes('administrator'));
      });
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
      const refresh = tab === 'overview' ? refreshOverview : TABLES[tab] ? () => refreshTable(tab) : null;
      const report = error => console.warn(tab, error.message);
      if (refresh) { refresh().catch(report); tabTimer = setInterval(() => refresh().catch(report), 5000); }
      if (tab === 'logs' && !tailController) startTail();
      if (tab === 'compare') compareForm();
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

    // --- wiring -----------------------------------------------------------------------------
    document.addEventListener('DOMContentLoaded', () => {
      tableSections();
      $('signin').addEventListener('submit', event => {
        event.preventDefault();
        const bytes = new TextEncoder().encode($('username').value + ':' + $('password').value);
        signIn(btoa(String.fromCharCode(...bytes)));
      });
      $('signout').onclick = () => signOut('Signed out');
      window.addEventListener('hashchange', () => { if (user) show(location.hash.slice(1)); });
      $('tail-form').addEventListener('submit', event => { event.preventDefault(); startTail(); });
      $('compare-form').addEventListener('submit', event => { event.preventDefault(); runCompare(); });
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
      if (credentials) signIn(credentials);
    });
    """#
}
