// Pipelines: every pipeline with its state, rate and lag; one pipeline's counters per step, rates over time,
// pause/resume, its definition in an editor that previews a change on sample records before saving, and its
// dead-letter topic with the step and reason of each record.
document.addEventListener('alpine:init', () => {
  Alpine.data('pipelinesPage', () => {
    const poll = polling();
    return {
      pipelines: [], statuses: {}, error: null,
      init() { poll.start(this); },
      destroy() { poll.stop(); },
      async refresh() {
        try {
          const pipelines = await ConsoleApi.call('/api/v1/pipelines');
          const statuses = await Promise.all(pipelines.map((p) =>
            ConsoleApi.call(`/api/v1/pipelines/${ConsoleApi.path(p.name)}/status`).catch(() => null)));
          this.statuses = Object.fromEntries(pipelines.map((p, i) => [p.name, statuses[i]]));
          this.pipelines = pipelines;
          this.error = null;
        } catch (e) {
          this.error = e.message;
        }
      },
      lag(name) {
        const s = this.statuses[name];
        return s ? s.partitions.reduce((sum, p) => sum + Math.max(0, p.lag), 0) : null;
      },
    };
  });

  // The fields a pipeline is created or replaced with (PUT /api/v1/pipelines/{name}); the rest is state.
  const definitionOf = (p) => ({
    name: p.name, source: p.source, sink: p.sink, deadLetter: p.deadLetter, steps: p.steps, parallelism: p.parallelism,
  });

  Alpine.data('pipelinePage', (name) => {
    const meter = new RateMeter();
    const history = new History();
    let chart = null;
    const poll = polling();
    return {
      name, pipeline: null, status: null, stepRates: {}, error: null, acting: false, actionError: null,
      editor: '', samples: '', edited: false, preview: null, editorError: null, editorMessage: null,
      dead: null, deadError: null, deadOpen: null,
      init() {
        chart = ConsoleCharts.line(this.$refs.rates, { yTitle: 'records/s' });
        poll.start(this);
      },
      destroy() { poll.stop(); ConsoleCharts.destroy(chart); },

      async refresh() {
        try {
          const path = `/api/v1/pipelines/${ConsoleApi.path(this.name)}`;
          const [pipeline, status] = await Promise.all([ConsoleApi.call(path), ConsoleApi.call(`${path}/status`)]);
          const now = Date.now();
          const r = status.records;
          history.add(now, {
            in: meter.observe('in', r.in, now), out: meter.observe('out', r.out, now),
            'dead-lettered': meter.observe('dead', r.deadLettered, now),
            filtered: meter.observe('filtered', r.filtered, now),
          });
          ConsoleCharts.show(chart, history.labels(), history.datasets());
          this.stepRates = Object.fromEntries(status.steps.map((step) => [step.step,
            meter.observe(`step:${step.step}`, step.in, now)]));
          this.pipeline = pipeline;
          this.status = status;
          if (!this.edited) this.editor = Fmt.json(definitionOf(pipeline));
          this.error = null;
          // Dead letters load by themselves until there are some; then on Reload, so that a record being read stays.
          if ((this.dead === null || this.dead.length === 0) && Alpine.store('session').can('consumer')) {
            await this.loadDeadLetters();
          }
        } catch (e) {
          this.error = e.message;
        }
      },

      async act(action) {
        this.acting = true;
        this.actionError = null;
        try {
          this.pipeline = await ConsoleApi.call(`/api/v1/pipelines/${ConsoleApi.path(this.name)}/${action}`,
            { method: 'POST' });
          await this.refresh();
        } catch (e) {
          this.actionError = e.message;
        } finally {
          this.acting = false;
        }
      },

      parsedEditor() {
        try {
          return JSON.parse(this.editor);
        } catch (e) {
          throw new Error(`The definition is not valid JSON: ${e.message}`);
        }
      },

      /** Sample records: the ones typed in, or else the latest few of the source topic. */
      async sampleRecords(source) {
        if (this.samples.trim()) {
          try {
            return JSON.parse(this.samples);
          } catch (e) {
            throw new Error(`The samples are not valid JSON: ${e.message}`);
          }
        }
        const latest = await latestRecords(source, 10);
        const samples = latest.map((r) => {
          let value;
          try { value = JSON.parse(r.value); } catch { value = r.value; }
          return { key: r.key, value, headers: r.headers, timestamp: r.timestamp };
        });
        this.samples = Fmt.json(samples);
        return samples;
      },

      async runPreview() {
        this.editorError = null;
        this.editorMessage = null;
        try {
          const definition = this.parsedEditor();
          const records = await this.sampleRecords(definition.source || this.pipeline.source);
          if (!records.length) throw new Error('No sample records: the source topic is empty; type some in.');
          const answer = await ConsoleApi.call('/api/v1/pipelines/preview', {
            method: 'POST', body: { steps: definition.steps || [], records },
          });
          this.preview = answer.results.map((r) => ({ ...r, sample: records[r.index] }));
        } catch (e) {
          this.preview = null;
          this.editorError = e.message;
        }
      },

      async save() {
        this.editorError = null;
        this.editorMessage = null;
        try {
          const saved = await ConsoleApi.call(`/api/v1/pipelines/${ConsoleApi.path(this.name)}`, {
            method: 'PUT', body: this.parsedEditor(),
          });
          this.edited = false;
          this.pipeline = saved;
          this.editor = Fmt.json(definitionOf(saved));
          this.editorMessage = `Saved: revision ${saved.revision}.`;
        } catch (e) {
          this.editorError = e.message;
        }
      },

      revert() {
        this.edited = false;
        this.preview = null;
        this.editorError = null;
        this.editor = Fmt.json(definitionOf(this.pipeline));
      },

      async loadDeadLetters() {
        try {
          this.dead = await latestRecords(this.pipeline.deadLetter, 25);
          this.deadError = null;
        } catch (e) {
          this.dead = [];
          this.deadError = e.message;
        }
      },
    };
  });
});

/** The latest `count` records of a topic over all its partitions, newest first. */
async function latestRecords(topic, count) {
  const base = `/api/v1/topics/${ConsoleApi.path(topic)}`;
  const t = await ConsoleApi.call(base);
  const pages = await Promise.all(t.partitionDetails.map((p) => {
    const from = Math.max(p.logStartOffset, p.highWatermark - count);
    return p.highWatermark > from
      ? ConsoleApi.call(`${base}/partitions/${p.partition}/records?offset=${from}&maxRecords=${count}`)
      : { records: [] };
  }));
  return pages.flatMap((page) => page.records).sort((a, b) => b.timestamp - a.timestamp).slice(0, count);
}
