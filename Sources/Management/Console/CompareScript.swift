/// The Compare tab's script (administrators): runs `POST /api/compare` with the chosen scenarios,
/// shows its progress lines as they stream (JSON lines) and then the measured table, one row per
/// system with what happened and how it was measured, and each scenario's verdict.
enum CompareScript {
    static let js = #"""
    'use strict';
    const SCENARIOS = ['consumer-crash', 'server-restart', 'fan-out', 'replay', 'routing', 'ordering', 'slow-consumer', 'throughput', 'latency', 'counters'];
    // `warren compare`'s options (Docs/redis-vs-mq.md) with the CLI's defaults as placeholders.
    const COMPARE_OPTIONS = [['count', 'messages per scenario', 1000], ['messages', 'throughput messages', 200000], ['runs', 'runs', 3],
      ['depth', 'queue depth', 100], ['size', 'body bytes', 200], ['rates', 'latency rates (per s, comma-separated)', '1000'],
      ['latency_seconds', 'latency seconds', 3], ['memory_mib', 'memory MiB', 32]];
    function compareForm() {
      const boxes = $('compare-scenarios');
      if (!boxes.querySelector('input')) boxes.append(...SCENARIOS.map(name => el('label', {}, el('input', { type: 'checkbox', value: name, checked: name === 'consumer-crash' }), ' ' + name)));
      if (!$('compare-options').querySelector('input')) $('compare-options').append(...COMPARE_OPTIONS.map(([name, label, value]) =>
        el('label', {}, label + ' ', el('input', { id: `compare-${name}`, placeholder: value, size: 8, inputMode: 'numeric' }))));
    }
    // The options given, as numbers ('rates' as a list); an option that is not a number is refused here.
    function compareOptions() {
      const options = {};
      for (const [name, label] of COMPARE_OPTIONS) {
        const text = $(`compare-${name}`).value.trim();
        if (!text) continue;
        const numbers = text.split(',').map(Number);
        if (numbers.some(n => !Number.isFinite(n) || n < 0)) throw new Error(`${label}: not a number`);
        options[name] = name === 'rates' ? numbers : numbers[0];
      }
      return options;
    }
    async function runCompare() {
      const scenarios = [...$('compare-scenarios').querySelectorAll('input:checked')].map(box => box.value);
      let body;
      try { body = { scenarios, ...compareOptions() }; } catch (error) { $('compare-progress').textContent = `Failed: ${error.message}\n`; return; }
      if ($('compare-redis').value) body.redis = $('compare-redis').value;
      $('compare-progress').textContent = ''; $('compare-result').replaceChildren();
      $('compare-run').disabled = true;
      try {
        const response = await fetch('/api/compare', { method: 'POST', body: JSON.stringify(body),
                                                       headers: { ...headers(), 'Content-Type': 'application/json' } });
        if (!response.ok) throw new Error(await reasonOf(response));
        await readBlocks(response, '\n', line => compareEvent(JSON.parse(line)));
      } catch (error) {
        $('compare-progress').append(`Failed: ${error.message}\n`);
      } finally {
        $('compare-run').disabled = false;
      }
    }
    function compareEvent(event) {
      if (event.event === 'progress') $('compare-progress').append(event.message + '\n');
      else if (event.event === 'error') $('compare-progress').append(`Failed: ${event.reason}\n`);
      else if (event.event === 'result') $('compare-result').replaceChildren(...(event.result.scenarios || []).map(scenario => {
        const rows = (scenario.rows || []).map(row => el('tr', {}, el('td', { textContent: row.system }),
          el('td', { textContent: row.result }), el('td', { className: 'how', textContent: row.how })));
        return el('div', { className: 'scenario' }, el('h2', { textContent: `${scenario.name}: ${scenario.title}` }),
          el('p', { className: 'verdict', textContent: scenario.verdict }),
          el('table', { className: 'grid' }, el('thead', {}, el('tr', {}, ...['System', 'What happened', 'How it was measured'].map(t => el('th', { textContent: t })))),
            el('tbody', {}, ...rows)));
      }));
    }
    """#
}
