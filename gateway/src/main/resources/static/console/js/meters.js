// Rates from counters sampled over time, and short histories of them for charts. The suite's APIs give totals
// (log end offsets, pipeline counters, committed offsets); the console turns two samples into a per-second rate.

/** Per key: the last sample of a counter, and the rate between the last two. */
class RateMeter {
  constructor() { this.last = new Map(); this.rates = new Map(); }
  /** Records counter `value` of `key` at time `t` (ms) and answers its rate per second, or null after one sample. */
  observe(key, value, t = Date.now()) {
    const prev = this.last.get(key);
    this.last.set(key, { value, t });
    if (!prev || t <= prev.t) return this.rates.get(key) ?? null;
    // A counter that went down (a restart, a topic recreated) restarts its rate rather than showing a negative one.
    const rate = value >= prev.value ? ((value - prev.value) * 1000) / (t - prev.t) : null;
    this.rates.set(key, rate);
    return rate;
  }
  rate(key) { return this.rates.get(key) ?? null; }
}

/** A rolling window of samples of several named series, for a chart over the last minutes. */
class History {
  constructor(maxPoints = 150) { this.max = maxPoints; this.times = []; this.series = new Map(); }
  /** Adds one point in time with a value per series name (a series missing at a point gets null there). */
  add(t, values) {
    this.times.push(t);
    for (const name of Object.keys(values)) {
      if (!this.series.has(name)) this.series.set(name, new Array(this.times.length - 1).fill(null));
    }
    for (const [name, points] of this.series) points.push(values[name] ?? null);
    if (this.times.length > this.max) {
      this.times.shift();
      for (const points of this.series.values()) points.shift();
    }
  }
  labels() { return this.times.map(Fmt.clock); }
  datasets() { return [...this.series].map(([name, points]) => ({ name, points })); }
}

/** Records fetched per topic, summed over the nodes of a cluster view (each node counts the fetches it answered). */
function fetchedPerTopic(cluster) {
  const sums = {};
  for (const node of cluster.nodes) {
    for (const [topic, t] of Object.entries(node.traffic || {})) sums[topic] = (sums[topic] || 0) + t.fetchedRecords;
  }
  return sums;
}
