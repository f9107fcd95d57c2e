/// The Compare tab's script (administrators): runs `POST /api/compare` with the chosen scenarios,
/// shows its progress lines as they stream (JSON lines) and then the measured table, one row per
/// system with what happened and how it was measured, and each scenario's verdict.
enum CompareScript {
    static let js = #"""
    'use strict';
    const SCENARIOS = ['consumer-crash', 'server-restart', 'fan-out', 'replay', 'routing', 'ordering', 'slow-consumer', 'throughput', 'latency', 'counters'];
    function compareForm() {
      const boxes = $('compare-scenarios');
      if (!boxes.querySelector('input')) boxes.append(...SCENARIOS.map(name => el('label', {}, el('input', { type: 'checkbox', value: name, checked: name === 'consumer-crash' }), ' ' + name)));
    }
    async function runCompare() {
      const scenarios = [...$('compare-scenarios').querySelectorAll('input:checked')].map(box => box.value);
      const body = { scenarios };
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
