// Overview: the services' health and the data flow (topics -> pipelines -> topics -> jobs) with the current rate,
// lag and errors on each arrow.
document.addEventListener('alpine:init', () => {
  Alpine.data('overviewPage', () => {
    const meter = new RateMeter();
    const poll = polling();
    const narrow = window.matchMedia('(max-width: 700px)');
    let drawn = null; // the definitions last drawn, to draw again when the screen turns narrow or wide
    let relayout = null;
    return {
      services: [], nodes: [], flow: null, metrics: {}, error: null,
      init() {
        relayout = () => { if (drawn) this.flow = ConsoleFlow.build(...drawn, narrow.matches); };
        narrow.addEventListener('change', relayout);
        poll.start(this);
      },
      destroy() { poll.stop(); narrow.removeEventListener('change', relayout); },

      async refresh() {
        try {
          const [health, cluster, topicList, pipelines, jobs] = await Promise.all([
            ConsoleApi.call('/console/api/health'),
            // each ingest node's state: the cluster view, for those who may read it (admin)
            Alpine.store('session').admin ? ConsoleApi.call('/api/v1/cluster').catch((e) => this.partial(e, null)) : null,
            ConsoleApi.call('/api/v1/topics'),
            ConsoleApi.call('/api/v1/pipelines').catch((e) => this.partial(e, [])),
            ConsoleApi.call('/api/v1/jobs').catch((e) => this.partial(e, [])),
          ]);
          const now = Date.now();
          const topics = topicList.topics;
          const [statuses, progress] = await Promise.all([
            Promise.all(pipelines.map((p) => ConsoleApi.call(`/api/v1/pipelines/${ConsoleApi.path(p.name)}/status`)
              .catch(() => null))),
            Promise.all(jobs.map((j) => ConsoleApi.call(`/api/v1/jobs/${ConsoleApi.path(j.name)}/progress?size=1`)
              .catch(() => null))),
          ]);
          this.services = health.services;
          this.nodes = cluster && cluster.replicated ? cluster.nodes : [];
          this.metrics = this.measure(now, topics, pipelines, statuses, jobs, progress, cluster);
          drawn = [topics, pipelines, jobs];
          this.flow = ConsoleFlow.build(topics, pipelines, jobs, narrow.matches);
          this.error = null;
        } catch (e) {
          this.error = e.message;
        }
      },

      /** A service that is down leaves its part of the picture empty rather than the whole page. */
      partial(e, empty) {
        if (e.status === 401) throw e;
        return empty;
      },

      /** Per node and edge id: the figures to show on it. */
      measure(now, topics, pipelines, statuses, jobs, progress, cluster) {
        const m = {};
        const ends = new Map(topics.map((t) => [t.name, t.partitionDetails.reduce((s, p) => s + p.logEndOffset, 0)]));
        const fetched = cluster ? fetchedPerTopic(cluster) : {}; // the cluster view is the admin's only
        for (const t of topics) {
          const rate = meter.observe(`topic:${t.name}`, ends.get(t.name), now);
          const out = cluster ? meter.observe(`fetched:${t.name}`, fetched[t.name] || 0, now) : undefined;
          m[`topic:${t.name}`] = `${Fmt.rate(rate)} in${out === undefined ? '' : ` · ${Fmt.num(out)} out`}`;
        }
        pipelines.forEach((p, i) => {
          const s = statuses[i];
          const id = `pipeline:${p.name}`;
          if (!s) { m[id] = p.state; return; }
          const r = s.records;
          const inRate = meter.observe(`${id}:in`, r.in, now);
          const outRate = meter.observe(`${id}:out`, r.out, now);
          const deadRate = meter.observe(`${id}:dead`, r.deadLettered, now);
          const lag = s.partitions.reduce((sum, part) => sum + Math.max(0, part.lag), 0);
          m[id] = `${s.state} · ${s.workers} worker${s.workers === 1 ? '' : 's'}`;
          m[`topic:${p.source}->${id}`] = `${Fmt.rate(inRate)} · lag ${Fmt.num(lag)}`;
          m[`${id}->topic:${p.sink}`] = Fmt.rate(outRate);
          m[`${id}->topic:${p.deadLetter}`] = `${Fmt.rate(deadRate)} · ${Fmt.num(r.deadLettered)} dead`;
        });
        jobs.forEach((j, i) => {
          const id = `job:${j.name}`;
          const batch = progress[i] && progress[i].batches[0];
          const source = j.definition && j.definition.source;
          if (!batch) { m[id] = j.status; return; }
          const consumed = Object.values(batch.endOffsets).reduce((s, o) => s + o, 0);
          const rate = meter.observe(id, consumed, now);
          const lag = source && ends.has(source) ? Math.max(0, ends.get(source) - consumed) : null;
          const late = batch.lateRows > 0 ? ` · ${Fmt.num(batch.lateRows)} late` : '';
          m[id] = `${j.status} · batch ${batch.batchId}${late}`;
          m[`topic:${source}->${id}`] = `${Fmt.rate(rate, 'rows/s')}${lag === null ? '' : ` · lag ${Fmt.num(lag)}`}`;
        });
        return m;
      },

      picture() {
        if (!this.flow) return '';
        const metrics = this.metrics;
        return ConsoleFlow.svg(this.flow, (id) => metrics[id] || '',
          (n) => Alpine.store('route').link(`${n.kind}s`, n.name));
      },
    };
  });
});
