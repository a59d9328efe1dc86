// Formatting shared by every page: numbers, rates, sizes, times, durations, JSON.
window.Fmt = {
  num(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return '–';
    return Number(n).toLocaleString('en-US', { maximumFractionDigits: Math.abs(n) < 10 ? 2 : 0 });
  },
  rate(n, unit = 'rec/s') {
    return n === null || n === undefined ? `– ${unit}` : `${Fmt.num(n)} ${unit}`;
  },
  bytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  },
  millis(ms) {
    ms = Number(ms);
    if (!Number.isFinite(ms) || ms < 0) return 'unlimited';
    const s = ms / 1000;
    if (s < 120) return `${Fmt.num(s)} s`;
    if (s < 7200) return `${Fmt.num(s / 60)} min`;
    if (s < 172800) return `${Fmt.num(s / 3600)} h`;
    return `${Fmt.num(s / 86400)} d`;
  },
  time(t) {
    if (t === null || t === undefined) return '–';
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().replace('T', ' ').replace('Z', '');
  },
  clock(t) {
    return new Date(t).toLocaleTimeString('en-GB', { hour12: false });
  },
  /** A record's value: pretty-printed when it is JSON, as it is otherwise. */
  value(v) {
    if (v === null || v === undefined) return 'null';
    if (typeof v !== 'string') return JSON.stringify(v, null, 2);
    try { return JSON.stringify(JSON.parse(v), null, 2); } catch { return v; }
  },
  json(v) { return JSON.stringify(v, null, 2); },
};
