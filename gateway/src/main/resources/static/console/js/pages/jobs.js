// Jobs: every analytics job with its state; one job's batches (input and processing rates, durations, watermark
// delay, late rows, like a streaming query's progress charts), start/stop, and its results as a table and a chart (a
// time series per group for windowed jobs).
document.addEventListener('alpine:init', () => {
  Alpine.data('jobsPage', () => {
    const poll = polling();
    return {
      jobs: [], error: null,
      init() { poll.start(this); },
      destroy() { poll.stop(); },
      async refresh() {
        try {
          this.jobs = await ConsoleApi.call('/api/v1/jobs');
          this.error = null;
        } catch (e) {
          this.error = e.message;
        }
      },
      windowOf(j) {
        const w = j.definition.window;
        return w ? `${w.type} ${w.size || w.gap || ''}` : 'none';
      },
    };
  });

  const RESULT_ROWS = 500;

  Alpine.data('jobPage', (name) => {
    const charts = {};
    const poll = polling();
    return {
      name, job: null, batches: [], results: null, measure: '', error: null, acting: false, actionError: null,
      init() {
        charts.rates = ConsoleCharts.line(this.$refs.rates, { yTitle: 'rows/s' });
        charts.durations = ConsoleCharts.bar(this.$refs.durations, { yTitle: 'ms', stacked: true });
        charts.watermark = ConsoleCharts.line(this.$refs.watermark, { yTitle: 'seconds / rows' });
        charts.results = ConsoleCharts.line(this.$refs.results);
        poll.start(this);
      },
      destroy() { poll.stop(); ConsoleCharts.destroy(...Object.values(charts)); },

      async refresh() {
        try {
          const path = `/api/v1/jobs/${ConsoleApi.path(this.name)}`;
          const [job, progress] = await Promise.all([ConsoleApi.call(path), ConsoleApi.call(`${path}/progress?size=60`)]);
          this.job = job;
          this.batches = progress.batches;
          if (!this.measure) this.measure = job.definition.aggregations[0].name;
          this.drawProgress();
          await this.loadResults(path);
          this.error = null;
        } catch (e) {
          this.error = e.message;
        }
      },

      drawProgress() {
        const oldestFirst = [...this.batches].reverse();
        const labels = oldestFirst.map((b) => `#${b.batchId}`);
        ConsoleCharts.show(charts.rates, labels, [
          { name: 'input rows/s', points: oldestFirst.map((b) => b.inputRowsPerSecond) },
          { name: 'processed rows/s', points: oldestFirst.map((b) => b.processedRowsPerSecond) },
        ]);
        ConsoleCharts.show(charts.durations, labels, ['fetch', 'compute', 'commit'].map((stage) => ({
          name: `${stage} ms`, points: oldestFirst.map((b) => (b.durationMs || {})[stage] ?? null),
        })));
        ConsoleCharts.show(charts.watermark, labels, [
          {
            name: 'watermark delay (s)', points: oldestFirst.map((b) => (b.watermark
              ? (new Date(b.timestamp) - new Date(b.watermark)) / 1000 : null)),
          },
          { name: 'late rows', points: oldestFirst.map((b) => b.lateRows) },
        ]);
      },

      /** The last RESULT_ROWS rows (the results are ordered by window start, oldest first). */
      async loadResults(path) {
        const { totalRows } = await ConsoleApi.call(`${path}/results?size=1`);
        const page = Math.max(0, Math.ceil(totalRows / RESULT_ROWS) - 1);
        const answer = await ConsoleApi.call(`${path}/results?size=${RESULT_ROWS}&page=${page}`);
        let rows = answer.rows;
        if (page > 0 && rows.length < RESULT_ROWS) { // the last page is short: take the end of the one before too
          const before = await ConsoleApi.call(`${path}/results?size=${RESULT_ROWS}&page=${page - 1}`);
          rows = before.rows.concat(rows).slice(-RESULT_ROWS);
        }
        this.results = { rows, totalRows };
        this.drawResults();
      },

      groupName: (row) => Object.values(row.group).join(' / ') || 'all',

      drawResults() {
        if (!this.results) return;
        const rows = this.results.rows;
        const windowed = rows.some((r) => r.windowStart);
        if (windowed) {
          const starts = [...new Set(rows.map((r) => r.windowStart))].sort();
          const groups = [...new Set(rows.map((r) => this.groupName(r)))].sort();
          const at = new Map(rows.map((r) => [`${this.groupName(r)}|${r.windowStart}`, r.values[this.measure]]));
          ConsoleCharts.show(charts.results, starts.map(Fmt.clock), groups.map((g) => ({
            name: g, points: starts.map((s) => at.get(`${g}|${s}`) ?? null),
          })));
        } else {
          ConsoleCharts.show(charts.results, rows.map((r) => this.groupName(r)),
            [{ name: this.measure, points: rows.map((r) => r.values[this.measure]) }]);
        }
      },

      newestFirst() { return this.results ? [...this.results.rows].reverse().slice(0, 50) : []; },

      async act(action) {
        this.acting = true;
        this.actionError = null;
        try {
          await ConsoleApi.call(`/api/v1/jobs/${ConsoleApi.path(this.name)}/${action}`, { method: 'POST' });
          await this.refresh();
        } catch (e) {
          this.actionError = e.message;
        } finally {
          this.acting = false;
        }
      },
      running() { return this.job && this.job.status === 'RUNNING'; },
    };
  });
});
