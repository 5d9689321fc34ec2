/**
 * The report page's own script, run by the browser. It is a function here so that tsc checks it;
 * html.ts embeds its source text. It reads the report data (./model.ts) from the page's
 * `application/json` block and builds everything with DOM calls: every string from a log goes
 * through `textContent` or a canvas `fillText`, never through HTML parsing.
 * The page has no DOM types at build time (the project compiles for Node), hence the `any`s.
 */
export function reportApp(): void {
  const g: any = globalThis;
  const doc: any = g.document;
  const uPlot: any = g.uPlot;
  const MiB = 1048576;
  /** Rows drawn per table; filtering and sorting still cover every row of the data. */
  const RENDER_ROWS = 500;
  /** Messages labelled on a chart (every message gets its line and its tooltip). */
  const LABELLED_MESSAGES = 40;
  const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#edc948', '#76b7b2', '#ff9da7', '#9c755f'];

  /** A value holds until the next record changes it: steps, not slopes. */
  const stepped = uPlot.paths.stepped({ align: 1 });

  const data: any = JSON.parse(doc.getElementById('report-data').textContent);
  const charts: any[] = [];

  function el(tag: string, className?: string, text?: string): any {
    const e = doc.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function add(parent: any, tag: string, className?: string, text?: string): any {
    return parent.appendChild(el(tag, className, text));
  }

  function int(v: any): string {
    return v === null || v === undefined ? '—' : Number(v).toLocaleString('en-US');
  }

  function bytes(v: any): string {
    if (v === null || v === undefined) return '—';
    const a = Math.abs(v);
    if (a < 1024) return v + ' B';
    if (a < MiB) return (v / 1024).toFixed(1) + ' KiB';
    if (a < 1024 * MiB) return (v / MiB).toFixed(2) + ' MiB';
    return (v / (1024 * MiB)).toFixed(2) + ' GiB';
  }

  function signedBytes(v: any): string {
    return v > 0 ? '+' + bytes(v) : bytes(v);
  }

  function mib(v: any): string {
    return v === null || v === undefined ? '—' : (v / MiB).toFixed(2) + ' MiB';
  }

  function clock(v: any): string {
    return v === null || v === undefined || v !== v ? '—' : Number(v).toFixed(6) + ' s';
  }

  function cellText(kind: string, v: any): string {
    if (v === null || v === undefined) return '—';
    if (kind === 'int') return int(v);
    if (kind === 'bytes') return bytes(v);
    if (kind === 'clock') return Number(v).toFixed(6);
    return v === '' ? '(none)' : String(v);
  }

  function css(name: string): string {
    return g.getComputedStyle(doc.documentElement).getPropertyValue(name).trim();
  }

  function kindName(kind: string): string {
    return kind === 'O' ? 'Reference tracing' : kind === 'T' ? 'Trace' : 'Profile';
  }

  // ---------------------------------------------------------------------------------------------
  // Tables: sortable (click a header), filterable (substring of any cell, case-insensitive).

  function table(parent: any, title: string, spec: any, note: string): void {
    const box = add(parent, 'section', 'table-box');
    add(box, 'h3', '', title);
    if (note) add(box, 'p', 'note', note);
    const tools = add(box, 'div', 'table-tools');
    const filter = add(tools, 'input', 'filter');
    filter.type = 'search';
    filter.placeholder = 'Filter rows…';
    filter.setAttribute('aria-label', 'Filter ' + title);
    const count = add(tools, 'span', 'count');
    const scroll = add(box, 'div', 'table-scroll');
    const t = add(scroll, 'table', 'data');
    const head = add(add(t, 'thead'), 'tr');
    const body = add(t, 'tbody');
    const columns: any[] = spec.columns;
    const rows: any[] = spec.rows.map((r: any[]) => ({
      cells: r,
      search: r.map((v: any, i: number) => cellText(columns[i].kind, v)).join('\u0000').toLowerCase(),
    }));
    let sortColumn = spec.sortColumn;
    let descending = spec.ascending !== true;
    let shown: any[] = rows;
    const ths: any[] = columns.map((c: any, i: number) => {
      const th = add(head, 'th', c.kind === 'text' ? 'text' : 'num');
      const button = add(th, 'button', 'sort', c.label);
      button.type = 'button';
      if (c.title) th.title = c.title;
      button.addEventListener('click', () => {
        descending = sortColumn === i ? !descending : c.kind !== 'text';
        sortColumn = i;
        render();
      });
      return th;
    });

    function compare(a: any, b: any): number {
      const x = a.cells[sortColumn];
      const y = b.cells[sortColumn];
      // Unknown values go last whatever the direction.
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      const order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    }

    function render(): void {
      const needle = filter.value.trim().toLowerCase();
      shown = needle === '' ? rows.slice() : rows.filter((r: any) => r.search.includes(needle));
      shown.sort(compare);
      ths.forEach((th: any, i: number) => {
        th.setAttribute('aria-sort', i === sortColumn ? (descending ? 'descending' : 'ascending') : 'none');
      });
      body.textContent = '';
      const n = Math.min(shown.length, RENDER_ROWS);
      for (let k = 0; k < n; k++) {
        const tr = add(body, 'tr');
        const cells = shown[k].cells;
        for (let i = 0; i < columns.length; i++) {
          add(tr, 'td', columns[i].kind === 'text' ? 'text' : 'num', cellText(columns[i].kind, cells[i]));
        }
      }
      let text = needle === '' ? int(rows.length) + ' rows' : int(shown.length) + ' of ' + int(rows.length) + ' rows match';
      if (n < shown.length) text += ' (first ' + int(n) + ' drawn)';
      if (spec.total > rows.length) text += '; the report keeps ' + int(rows.length) + ' of the log\'s ' + int(spec.total);
      count.textContent = text;
    }

    filter.addEventListener('input', render);
    render();
  }

  // ---------------------------------------------------------------------------------------------
  // Charts

  function theme(): any {
    return {
      fg: css('--fg'), muted: css('--muted'), grid: css('--grid'), rss: css('--rss'), rssFill: css('--rss-fill'),
      marker: css('--marker'), panel: css('--panel'),
    };
  }

  /** Tick labels with as many decimals as the tick spacing needs (0.0161, 0.0162, not 0.016 twice). */
  function ticks(scale: number): any {
    return (_u: any, vals: number[], _axis: number, _space: number, incr: number) => {
      const step = incr / scale;
      let decimals = 0;
      while (decimals < 9 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6) decimals++;
      return vals.map((v) => (v === null ? '' : (v / scale).toFixed(decimals)));
    };
  }

  function axis(t: any, label: string, extra: any): any {
    const a: any = {
      label, stroke: t.fg, values: ticks(1), labelFont: '600 12px system-ui, sans-serif', font: '12px system-ui, sans-serif',
      grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 },
    };
    for (const k of Object.keys(extra)) a[k] = extra[k];
    return a;
  }

  /** Messages as dashed lines across the plot, the first ones labelled at the top. */
  function drawMessages(u: any, messages: any[], t: any): void {
    const ctx = u.ctx;
    const pr = g.devicePixelRatio || 1;
    const left = u.bbox.left;
    const top = u.bbox.top;
    const right = left + u.bbox.width;
    const bottom = top + u.bbox.height;
    ctx.save();
    ctx.strokeStyle = t.marker;
    ctx.fillStyle = t.marker;
    ctx.lineWidth = pr;
    ctx.setLineDash([4 * pr, 3 * pr]);
    ctx.font = (11 * pr) + 'px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    let labelled = 0;
    let lastLabelEnd = -Infinity;
    let row = 0;
    for (const m of messages) {
      const x = Math.round(u.valToPos(m.clock, 'x', true));
      if (x < left || x > right) continue;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      if (labelled >= LABELLED_MESSAGES) continue;
      const label = m.text.split('\n')[0];
      const text = label.length > 32 ? label.slice(0, 31) + '…' : label;
      // Labels that would overlap step down a row (three rows, then they may overlap).
      row = x < lastLabelEnd ? (row + 1) % 3 : 0;
      const width = ctx.measureText(text).width;
      const tx = Math.min(x + 3 * pr, right - width);
      ctx.fillText(text, tx, top + 2 * pr + row * 13 * pr);
      lastLabelEnd = Math.max(lastLabelEnd, tx + width);
      labelled++;
    }
    ctx.restore();
  }

  /** The messages within a few pixels of the cursor. */
  function messagesNear(u: any, messages: any[], left: number): any[] {
    const near: any[] = [];
    for (const m of messages) {
      if (Math.abs(u.valToPos(m.clock, 'x') - left) <= 4) near.push(m);
    }
    return near;
  }

  function tooltipLines(tip: any, lines: any[]): void {
    tip.textContent = '';
    for (const [cls, text] of lines) add(tip, 'div', cls, text);
  }

  function placeTooltip(u: any, tip: any): void {
    const left = u.cursor.left;
    const top = u.cursor.top;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const maxX = u.over.clientWidth;
    let x = left + 14;
    if (x + w > maxX) x = left - w - 14;
    let y = top + 14;
    if (y + h > u.over.clientHeight) y = Math.max(0, top - h - 14);
    tip.style.transform = 'translate(' + Math.max(0, x) + 'px,' + y + 'px)';
  }

  /**
   * The x scale: the whole log's clock span when showing everything (messages can lie before the
   * first record or after the last), the selection when zoomed.
   */
  function clockScale(log: any, x: number[]): any {
    const first = log.clock.first ?? x[0];
    const last = log.clock.last ?? x[x.length - 1];
    return {
      time: false,
      range: (_u: any, min: number, max: number) => (min <= x[0] && max >= x[x.length - 1] ? [Math.min(min, first), Math.max(max, last)] : [min, max]),
    };
  }

  function chartBox(parent: any, title: string, note: string): any {
    const box = add(parent, 'section', 'chart-box');
    add(box, 'h3', '', title);
    add(box, 'p', 'note', note);
    return add(box, 'div', 'chart');
  }

  function rssChart(container: any, log: any): void {
    const s = log.series;
    const x = s.clock;
    const y = s.rss.map((v: number) => v / MiB);
    const messages = log.messages;
    const make = (): any => {
      const t = theme();
      const tip = el('div', 'tooltip');
      const opts: any = {
        width: Math.max(320, container.clientWidth), height: 320,
        scales: { x: clockScale(log, x) },
        legend: { show: false },
        cursor: { points: { size: 9 }, drag: { x: true, y: false } },
        series: [
          { label: 'Clock (s)' },
          {
            label: 'RSS (MiB)', stroke: t.rss, width: 1.5, fill: t.rssFill, paths: stepped,
            points: { show: s.shown <= 2000, size: 4, stroke: t.rss, fill: t.rss },
          },
        ],
        axes: [axis(t, 'Clock (s)', {}), axis(t, 'RSS (MiB)', { size: 70 })],
        hooks: {
          draw: [(u: any) => drawMessages(u, messages, t)],
          setCursor: [cursorTooltip(tip, messages, (i: number) => {
            const site = s.sites[s.site[i]];
            return [
              ['tip-head', site[0] + '  ·  event ' + int(s.event[i])],
              ['tip-fn', (site[3] === '' ? '(no function)' : site[3])],
              ['tip-file', site[1] + ':' + site[2]],
              ['', 'RSS ' + mib(s.rss[i]) + '   dRSS ' + signedBytes(s.dRss[i])],
              ['tip-muted', 'Clock ' + clock(x[i])],
            ];
          })],
        },
      };
      const u = new uPlot(opts, [x, y], container);
      u.over.appendChild(tip);
      return u;
    };
    charts.push({ container, make, u: make() });
  }

  function liveChart(container: any, log: any): void {
    const s = log.series;
    const messages = log.messages;
    const make = (): any => {
      const t = theme();
      const tip = el('div', 'tooltip');
      const series: any[] = [{ label: 'Clock (s)' }];
      s.labels.forEach((label: string, i: number) => {
        const other = s.hasOther && i === s.labels.length - 1;
        series.push({
          label: other ? 'other types' : label, stroke: other ? t.muted : PALETTE[i % PALETTE.length], width: 1.5,
          scale: 'n', points: { show: false }, paths: stepped,
        });
      });
      series.push({ label: 'RSS (MiB)', stroke: t.rss, width: 1, dash: [5, 4], scale: 'rss', points: { show: false }, paths: stepped });
      const opts: any = {
        width: Math.max(320, container.clientWidth), height: 340,
        scales: { x: clockScale(log, s.clock), n: { range: (_u: any, _min: number, max: number) => [0, Math.max(1, max * 1.05)] } },
        legend: { show: true, live: true },
        cursor: { points: { size: 7 }, drag: { x: true, y: false } },
        series,
        axes: [
          axis(t, 'Clock (s)', {}),
          axis(t, 'Live objects', { scale: 'n', size: 70 }),
          axis(t, 'RSS (MiB)', { scale: 'rss', side: 1, size: 70, grid: { show: false } }),
        ],
        hooks: {
          draw: [(u: any) => drawMessages(u, messages, t)],
          setCursor: [cursorTooltip(tip, messages, (i: number) => {
            const lines: any[] = [['tip-head', 'Clock ' + clock(s.clock[i])]];
            s.labels.forEach((label: string, k: number) => {
              const other = s.hasOther && k === s.labels.length - 1;
              lines.push(['', (other ? 'other types' : label) + ': ' + int(s.values[k][i])]);
            });
            lines.push(['tip-muted', 'RSS ' + mib(s.rss[i])]);
            return lines;
          })],
        },
      };
      const columns = [s.clock, ...s.values, s.rss.map((v: number) => (v === v ? v / MiB : null))];
      const u = new uPlot(opts, columns, container);
      u.over.appendChild(tip);
      return u;
    };
    charts.push({ container, make, u: make() });
  }

  /** A uPlot setCursor hook: the tooltip of the hovered point (`body`), then nearby messages. */
  function cursorTooltip(tip: any, messages: any, body: (i: number) => any[]): (u: any) => void {
    return (u: any) => {
      const i = u.cursor.idx;
      if (i === null || i === undefined || u.cursor.left < 0) {
        tip.style.display = 'none';
        return;
      }
      const lines = body(i);
      for (const m of messagesNear(u, messages, u.cursor.left)) lines.push(['tip-msg', (m.tag === 'ERR' ? 'Error: ' : 'Message: ') + m.text]);
      tooltipLines(tip, lines);
      tip.style.display = 'block';
      placeTooltip(u, tip);
    };
  }

  function seriesNote(s: any, what: string): string {
    if (s.points === 0) return 'No ' + what + ' in this log.';
    if (!s.downsampled) return 'All ' + int(s.points) + ' ' + what + ' shown. Drag across the chart to zoom, double-click to zoom out.';
    return int(s.shown) + ' points shown of ' + int(s.points) + ' ' + what + ': downsampled to the lowest and highest value per time ' +
      'slice, so peaks and troughs are kept. Drag across the chart to zoom, double-click to zoom out.';
  }

  // ---------------------------------------------------------------------------------------------
  // Sections

  function stat(parent: any, label: string, value: string, title?: string): void {
    const box = add(parent, 'div', 'stat');
    add(box, 'div', 'stat-value', value);
    add(box, 'div', 'stat-label', label);
    if (title) box.title = title;
  }

  function logSection(main: any, log: any): void {
    const sec = add(main, 'section', 'log');
    sec.id = log.id;
    const h2 = add(sec, 'h2');
    add(h2, 'span', 'badge badge-' + log.kind, log.kind);
    add(h2, 'span', '', kindName(log.kind) + ' log ');
    add(h2, 'span', 'log-name', log.name);
    const meta: string[] = [];
    if (log.producer) meta.push(log.producer);
    if (log.runtimeVersion) meta.push((log.producer === 'pymemtrace' ? 'Python ' : 'Node ') + log.runtimeVersion);
    if (log.pid !== null) meta.push('pid ' + log.pid);
    if (log.threadId !== null) meta.push('worker thread ' + log.threadId);
    if (log.depth !== null) meta.push('nesting depth ' + log.depth);
    const p = add(sec, 'p', 'meta');
    add(p, 'span', 'path', log.path);
    if (meta.length) add(p, 'span', '', '  ·  ' + meta.join('  ·  '));
    if (log.parent !== null) {
      const parent = data.logs[log.parent];
      const link = add(add(sec, 'p', 'meta'), 'a', '', 'nested in ' + parent.name);
      link.href = '#' + parent.id;
    }
    if (!log.complete) add(sec, 'p', 'warning', 'Truncated log: no EOF line (the traced process may have been killed); shown up to its last line.');

    const stats = add(sec, 'div', 'stats');
    stat(stats, 'duration', log.clock.duration === null ? '—' : log.clock.duration.toFixed(3) + ' s');
    stat(stats, 'peak RSS', mib(log.rss.peak), log.rss.peakClock === null ? '' : 'at clock ' + clock(log.rss.peakClock));
    stat(stats, 'RSS first → last', mib(log.rss.first) + ' → ' + mib(log.rss.last));
    if (log.kind === 'O') {
      stat(stats, 'objects created', int(log.counts.new));
      stat(stats, 'objects freed', int(log.counts.del));
      stat(stats, 'alive at end', int(log.liveObjects));
    } else {
      stat(stats, 'events seen', int(log.events.seen));
      stat(stats, 'events logged', int(log.events.logged));
    }
    stat(stats, 'messages', int(log.messagesTotal));
    if (log.problemsTotal > 0) stat(stats, 'problems', int(log.problemsTotal));

    if (log.intro.length > 0) {
      add(sec, 'h3', '', 'Opening message');
      add(sec, 'pre', 'intro', log.intro.join('\n'));
    }
    if (log.kind === 'O') {
      const box = chartBox(sec, 'Live objects over time, by type', seriesNote(log.series, 'NEW/DEL records') +
        (log.series.points > 0 ? ' Types drawn: ' + log.topTypesRule + '. The dashed line is RSS (right axis).' : ''));
      if (log.series.points > 0) liveChart(box, log);
      table(sec, 'Live objects by allocation site', log.liveBySite, 'Objects still alive at the end of the log, grouped by where they were created.');
      table(sec, 'Objects by type', log.typeCounts, '');
    } else {
      const what = Object.keys(log.events.byWhat).map((k) => k + ' ' + int(log.events.byWhat[k])).join(', ');
      const box = chartBox(sec, 'RSS over time (MiB)', seriesNote(log.series, 'logged events') +
        (log.series.points > 0 ? ' Hover a point for its event.' : '') + (what ? ' Logged events: ' + what + '.' : ''));
      if (log.series.points > 0) rssChart(box, log);
      table(sec, 'Functions that grew RSS most', log.functions, 'Each event\'s RSS change (from the event logged before it) is counted at the event\'s own function.');
      table(sec, 'Lines that grew RSS most', log.lineSites, '');
    }
    if (log.messages.length > 0) {
      table(sec, 'Messages', {
        columns: [{ label: 'Clock', kind: 'clock' }, { label: 'Event', kind: 'int' }, { label: 'Kind', kind: 'text' }, { label: 'Message', kind: 'text' }],
        rows: log.messages.map((m: any) => [m.clock, m.event, m.tag, m.text]),
        total: log.messagesTotal,
        sortColumn: 0,
        ascending: true,
      }, '');
    }
    if (log.problems.length > 0) {
      table(sec, 'Problems', {
        columns: [{ label: 'Line', kind: 'int' }, { label: 'Severity', kind: 'text' }, { label: 'Problem', kind: 'text' }],
        rows: log.problems.map((q: any) => [q.line, q.severity, q.message]),
        total: log.problemsTotal,
        sortColumn: 0,
        ascending: true,
      }, 'Lines the reader could not use, and other warnings; the rest of the log was read.');
    }
  }

  /** The process tree of a `jsmemtrace run` (column 1 keeps the tree order). */
  function processes(sec: any): void {
    table(sec, 'Processes', {
      columns: [
        { label: '#', kind: 'int' }, { label: 'Process', kind: 'text' }, { label: 'Thread', kind: 'int' },
        { label: 'From', kind: 'text', title: 'The traced process it was started from' }, { label: 'Peak RSS', kind: 'bytes' },
        { label: 'Live objects', kind: 'int' }, { label: 'Live by type', kind: 'text' }, { label: 'Logs', kind: 'int' },
        { label: 'Command', kind: 'text' },
      ],
      rows: data.processes.map((p: any, i: number) => [
        i + 1,
        '\u00a0\u00a0'.repeat(p.depth) + (p.depth > 0 ? '└ ' : '') + (p.pid === null ? '?' : String(p.pid)) + (p.threadId > 0 ? ' thread ' + p.threadId : ''),
        p.threadId,
        p.from === null ? null : String(p.from),
        p.peakRss,
        p.liveObjects,
        p.liveByType === null ? null : Object.keys(p.liveByType).map((t) => t + ' ' + int(p.liveByType[t])).join(', '),
        p.logs.length,
        p.argv === null ? null : p.argv.slice(1).join(' '),
      ]),
      total: data.processes.length,
      sortColumn: 0,
      ascending: true,
    }, 'Each process and worker thread that wrote logs, under the process it was started from; peak RSS and live objects at the end over its logs.');
  }

  function summary(main: any): void {
    const sec = add(main, 'section', 'summary');
    add(sec, 'h2', '', data.logs.length === 1 ? 'Log' : 'Logs');
    const t = add(add(sec, 'div', 'table-scroll'), 'table', 'data summary-table');
    const head = add(add(t, 'thead'), 'tr');
    for (const label of ['Log', 'Kind', 'PID', 'Duration (s)', 'Peak RSS', 'Events / live objects', 'Lines', 'Complete', 'Problems']) {
      add(head, 'th', label === 'Log' || label === 'Kind' ? 'text' : 'num', label);
    }
    const body = add(t, 'tbody');
    data.logs.forEach((log: any, i: number) => {
      const row = data.summary[i];
      const tr = add(body, 'tr');
      const a = add(add(tr, 'td', 'text'), 'a', '', log.name);
      a.href = '#' + log.id;
      if (log.parent !== null) a.parentNode.classList.add('nested');
      add(tr, 'td', 'text', kindName(log.kind));
      add(tr, 'td', 'num', row.pid === null ? '—' : String(row.pid));
      add(tr, 'td', 'num', row.duration === null ? '—' : row.duration.toFixed(3));
      add(tr, 'td', 'num', mib(row.peakRss));
      add(tr, 'td', 'num', log.kind === 'O' ? int(row.liveObjects) + ' live' : int(row.events) + ' events');
      add(tr, 'td', 'num', int(row.lines));
      add(tr, 'td', 'num', row.complete ? 'yes' : 'truncated');
      add(tr, 'td', 'num', int(row.problems));
    });
    if (data.processes.length > 0) processes(sec);
    if (data.failed.length > 0) {
      add(sec, 'h3', 'warning', 'Not read');
      const ul = add(sec, 'ul', 'failed');
      for (const f of data.failed) add(ul, 'li', '', f.path + ': ' + f.message);
    }
    if (data.skipped !== undefined && data.skipped.length > 0) {
      add(sec, 'h3', 'warning', 'Skipped (ends before its header: a tracer that failed or was killed)');
      const ul = add(sec, 'ul', 'failed');
      for (const f of data.skipped) add(ul, 'li', '', f.path + ': ' + f.message);
    }
  }

  const main = doc.getElementById('report');
  add(main, 'p', 'generated', 'Generated ' + data.generated.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') + ' by jsmemtrace report · ' +
    int(data.logs.length) + (data.logs.length === 1 ? ' log' : ' logs'));
  doc.title = 'jsmemtrace report: ' + (data.logs.length === 1 ? data.logs[0].name : data.logs.length + ' logs');
  summary(main);
  for (const log of data.logs) logSection(main, log);

  // Charts follow the page's width and the colour scheme.
  function rebuild(): void {
    for (const c of charts) {
      c.u.destroy();
      c.u = c.make();
    }
  }
  let resizeTimer: any = null;
  g.addEventListener('resize', () => {
    g.clearTimeout(resizeTimer);
    resizeTimer = g.setTimeout(() => {
      for (const c of charts) c.u.setSize({ width: Math.max(320, c.container.clientWidth), height: c.u.height });
    }, 100);
  });
  g.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', rebuild);
  // The charts (uPlot instances) for tests and for anyone scripting the page.
  g.__jsmemtraceCharts = charts;
}
