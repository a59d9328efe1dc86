// Consumer groups: every group with its state, members and total lag; one group's members, assignments, committed
// offsets and lag per partition, with its lag charted over the last minutes.
document.addEventListener('alpine:init', () => {
  Alpine.data('groupsPage', () => {
    const poll = polling();
    return {
      groups: [], lags: {}, error: null,
      init() { poll.start(this); },
      destroy() { poll.stop(); },
      async refresh() {
        try {
          const { groups } = await ConsoleApi.call('/api/v1/groups');
          const details = await Promise.all(groups.map((g) =>
            ConsoleApi.call(`/api/v1/groups/${ConsoleApi.path(g.group)}`).catch(() => null)));
          const lags = {};
          groups.forEach((g, i) => {
            lags[g.group] = details[i] ? details[i].offsets.reduce((s, o) => s + Math.max(0, o.lag), 0) : null;
          });
          this.groups = groups;
          this.lags = lags;
          this.error = null;
        } catch (e) {
          this.error = e.status === 403 ? 'Consumer groups need the consumer role.' : e.message;
        }
      },
    };
  });

  Alpine.data('groupPage', (name) => {
    const history = new History();
    let chart = null;
    const poll = polling();
    return {
      name, group: null, error: null,
      init() {
        chart = ConsoleCharts.line(this.$refs.lag, { yTitle: 'records behind' });
        poll.start(this);
      },
      destroy() { poll.stop(); ConsoleCharts.destroy(chart); },
      async refresh() {
        try {
          const group = await ConsoleApi.call(`/api/v1/groups/${ConsoleApi.path(this.name)}`);
          const byTopic = {};
          for (const o of group.offsets) byTopic[o.topic] = (byTopic[o.topic] || 0) + Math.max(0, o.lag);
          history.add(Date.now(), byTopic);
          ConsoleCharts.show(chart, history.labels(), history.datasets());
          this.group = group;
          this.error = null;
        } catch (e) {
          this.error = e.message;
        }
      },
      assignments: (m) => m.assignments.map((a) => `${a.topic}-${a.partition}`).join(', ') || 'none',
    };
  });
});
