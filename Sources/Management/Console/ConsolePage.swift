/// The console's one HTML page: the sign-in form, the alarm bar, the navigation and one section
/// per tab; `console.js` fills them from the management API.
enum ConsolePage {
    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>warren</title><link rel="stylesheet" href="/console.css">
    <script src="/logs.js" defer></script><script src="/overview.js" defer></script><script src="/tables.js" defer></script>
    <script src="/objects.js" defer></script><script src="/forms.js" defer></script><script src="/compare.js" defer></script>
    <script src="/console.js" defer></script></head>
    <body>
    <form id="signin" class="signin" autocomplete="on">
      <h1>warren</h1>
      <label>Username <input id="username" name="username" autocomplete="username" required></label>
      <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
      <button>Sign in</button><p id="signin-error" role="alert"></p>
    </form>
    <div id="app" hidden>
      <header>
        <strong>warren</strong>
        <nav id="nav" aria-label="pages">
          <a href="#logs" data-tab="logs">Logs</a>
          <a href="#overview" data-tab="overview" data-needs="management">Overview</a>
          <a href="#queues" data-tab="queues" data-needs="management">Queues</a>
          <a href="#exchanges" data-tab="exchanges" data-needs="management">Exchanges</a>
          <a href="#bindings" data-tab="bindings" data-needs="management">Bindings</a>
          <a href="#connections" data-tab="connections" data-needs="management">Connections</a>
          <a href="#channels" data-tab="channels" data-needs="management">Channels</a>
          <a href="#consumers" data-tab="consumers" data-needs="management">Consumers</a>
          <a href="#vhosts" data-tab="vhosts" data-needs="management">Virtual hosts</a>
          <a href="#users" data-tab="users" data-needs="administrator">Users</a>
          <a href="#permissions" data-tab="permissions" data-needs="administrator">Permissions</a>
          <a href="#policies" data-tab="policies" data-needs="policymaker">Policies</a>
          <a href="#compare" data-tab="compare" data-needs="administrator">Compare</a>
        </nav>
        <span id="whoami"></span><button id="signout" type="button">Sign out</button>
      </header>
      <div id="alarms" role="alert" hidden></div>
      <section id="logs" class="tab">
        <form id="tail-form" class="toolbar">
          <label>Patterns <input id="patterns" value="#" title="routing-key patterns, e.g. kern.* *.critical"></label>
          <label>From <select id="since"><option value="">now</option><option value="15m">15 min ago</option>
            <option value="1h">1 h ago</option><option value="24h">1 day ago</option></select></label>
          <button>Follow</button>
          <label>Severity <select id="severity">
            <option value="7">all</option><option value="6">info and worse</option><option value="5">notice and worse</option>
            <option value="4">warning and worse</option><option value="3">error and worse</option>
            <option value="2">critical and worse</option></select></label>
          <label>Text <input id="text-filter" type="search" placeholder="filter"></label>
          <button id="pause" type="button" aria-pressed="false">Pause</button>
          <button id="clear" type="button">Clear</button>
        </form>
        <div id="tail-status" class="status">not following</div>
        <div class="split"><ol id="entries" aria-label="log entries"></ol>
          <pre id="entry-json" tabindex="0" aria-label="selected entry" hidden></pre></div>
      </section>
      <section id="overview" class="tab" hidden>
        <div id="totals" class="cards"></div>
        <div class="toolbar"><span>Message rates</span>
          <button type="button" data-range="60" aria-pressed="true">1 min</button>
          <button type="button" data-range="600" aria-pressed="false">10 min</button>
          <button type="button" data-range="3600" aria-pressed="false">1 h</button></div>
        <div id="chart" class="chart"></div>
        <div id="syslog-block" hidden><div class="toolbar"><span>Syslog entries received, by severity</span></div>
          <div id="syslog-chart" class="chart"></div></div>
        <div id="resources" class="cards"></div>
      </section>
      <section id="compare" class="tab" hidden>
        <p>Runs <code>warren compare</code> on this machine: the same questions put to Redis and to an AMQP queue
          (a private warren and, unless a Redis URL is given, a private redis-server), with measured answers.</p>
        <form id="compare-form" class="toolbar"><fieldset id="compare-scenarios"><legend>Scenarios</legend></fieldset>
          <fieldset id="compare-options"><legend>Options (empty: the default)</legend></fieldset>
          <label>Redis URL <input id="compare-redis" placeholder="private redis-server"></label>
          <button id="compare-run">Run</button></form>
        <pre id="compare-progress" class="status"></pre><div id="compare-result"></div></section>
    </div>
    </body></html>
    """#
}
