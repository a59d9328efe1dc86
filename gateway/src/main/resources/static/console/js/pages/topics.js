// Topics: the cluster's nodes, every topic with its size, retention and produce rate (charted over the last minutes);
// one topic's partitions and a record browser.
document.addEventListener('alpine:init', () => {
  Alpine.data('topicsPage', () => {
    const meter = new RateMeter();
    const history = new History();
    let chart = null;
    const poll = polling();
    return {
      topics: [], cluster: null, clusterError: null, rates: {}, fetchRates: {}, error: null,
      init() {
        chart = ConsoleCharts.line(this.$refs.rates, { yTitle: 'records/s' });
        poll.start(this);
      },
      destroy() { poll.stop(); ConsoleCharts.destroy(chart); },

      async refresh() {
        const admin = Alpine.store('session').admin;
        try {
          // Produce rates from the log end offsets (every caller); fetch rates from the nodes' fetch counters in
          // the cluster view, summed over the nodes (admin, or a CLUSTER DESCRIBE ACL).
          const [{ topics }, cluster] = await Promise.all([
            ConsoleApi.call('/api/v1/topics'),
            admin ? ConsoleApi.call('/api/v1/cluster').catch((e) => { this.clusterError = e.message; return null; }) : null,
          ]);
          const now = Date.now();
          const fetched = cluster ? fetchedPerTopic(cluster) : null;
          const rates = {};
          const fetchRates = {};
          const point = {};
          for (const t of topics) {
            rates[t.name] = meter.observe(t.name, t.partitionDetails.reduce((s, p) => s + p.logEndOffset, 0), now);
            fetchRates[t.name] = fetched ? meter.observe(`fetch:${t.name}`, fetched[t.name] || 0, now) : null;
            if (!t.internal) {
              point[`${t.name} produced`] = rates[t.name];
              if (fetched) point[`${t.name} fetched`] = fetchRates[t.name];
            }
          }
          this.topics = topics;
          this.rates = rates;
          this.fetchRates = fetchRates;
          history.add(now, point);
          ConsoleCharts.show(chart, history.labels(), history.datasets());
          if (cluster) {
            this.cluster = cluster;
            this.clusterError = null;
          }
          this.error = null;
        } catch (e) {
          this.error = e.message;
        }
      },

      records: (t) => t.partitionDetails.reduce((s, p) => s + (p.highWatermark - p.logStartOffset), 0),
      size: (t) => t.partitionDetails.reduce((s, p) => s + p.sizeBytes, 0),
      retention(t) {
        const c = t.effectiveConfigs || {};
        if (c['cleanup.policy'] && c['cleanup.policy'].includes('compact') && !c['cleanup.policy'].includes('delete')) {
          return 'compacted';
        }
        const bytes = Number(c['retention.bytes']);
        return Fmt.millis(c['retention.ms']) + (bytes > 0 ? ` / ${Fmt.bytes(bytes)}` : '');
      },
    };
  });

  Alpine.data('topicPage', (name) => {
    const poll = polling();
    return {
      name, topic: null, error: null,
      browser: { partition: 0, from: 'latest', at: '', size: 20, key: '' },
      page: null, browseError: null, browsing: false, open: {},
      init() { poll.start(this); },
      destroy() { poll.stop(); },

      async refresh() {
        try {
          this.topic = await ConsoleApi.call(`/api/v1/topics/${ConsoleApi.path(this.name)}`);
          this.error = null;
          if (this.page === null && !this.browsing && Alpine.store('session').can('consumer')) await this.browse();
        } catch (e) {
          this.error = e.message;
        }
      },

      partitionOf(p) { return this.topic.partitionDetails.find((d) => d.partition === Number(p)); },

      /** Finds the first offset to read (latest page, earliest, an offset, or the first at or after a time). */
      async startOffset() {
        const b = this.browser;
        const detail = this.partitionOf(b.partition);
        const base = `/api/v1/topics/${ConsoleApi.path(this.name)}/partitions/${Number(b.partition)}`;
        switch (b.from) {
          case 'earliest': return detail.logStartOffset;
          case 'offset': return Math.max(0, Number(b.at) || 0);
          case 'time': {
            const millis = new Date(b.at).getTime();
            if (Number.isNaN(millis)) throw new Error('Give a date and time, e.g. 2026-12-05T10:00:00Z');
            return (await ConsoleApi.call(`${base}/offsets?at=${millis}`)).offset;
          }
          default: {
            const { offset } = await ConsoleApi.call(`${base}/offsets?at=latest`);
            return Math.max(detail.logStartOffset, offset - Number(b.size));
          }
        }
      },

      async browse(offset) {
        this.browsing = true;
        this.browseError = null;
        try {
          const start = offset === undefined ? await this.startOffset() : offset;
          const path = `/api/v1/topics/${ConsoleApi.path(this.name)}/partitions/${Number(this.browser.partition)}`;
          const answer = await ConsoleApi.call(`${path}/records?offset=${start}&maxRecords=${Number(this.browser.size)}`);
          this.page = { start, ...answer };
          this.open = {};
        } catch (e) {
          this.browseError = e.message;
        } finally {
          this.browsing = false;
        }
      },
      older() { if (this.page) this.browse(Math.max(0, this.page.start - Number(this.browser.size))); },
      newer() { if (this.page) this.browse(this.page.nextOffset); },

      /** The page's records whose key contains the search text (within the page fetched). */
      shown() {
        if (!this.page) return [];
        const key = this.browser.key.trim();
        return key ? this.page.records.filter((r) => (r.key || '').includes(key)) : this.page.records;
      },
    };
  });
});
