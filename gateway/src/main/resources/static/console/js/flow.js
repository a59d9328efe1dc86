// The overview's data-flow picture: topics, pipelines and jobs as boxes in columns, arrows for what reads and writes
// what. Built from the definitions alone (pipeline source/sink/deadLetter, job source and joined topic); the metrics
// are filled in by the overview page.
window.ConsoleFlow = (() => {
  const NODE_W = 180, NODE_H = 62, COL_W = 330, ROW_H = 86, LAYER_H = 130, GAP = 16, PAD = 12;

  /**
   * nodes: [{id, kind: 'topic'|'pipeline'|'job', name, layer, x, y}]; edges: [{id, from, to, kind}] where kind is
   * 'reads', 'writes' or 'dead-letter'. Every topic a pipeline or job touches is a node, and so is any other topic
   * that is not internal (a topic nothing reads yet still shows where data lands). Columns left to right, or, when
   * `vertical` (a phone's narrow screen), rows top to bottom.
   */
  function build(topics, pipelines, jobs, vertical = false) {
    const nodes = new Map();
    const edges = [];
    const node = (kind, name) => {
      const id = `${kind}:${name}`;
      if (!nodes.has(id)) nodes.set(id, { id, kind, name, layer: 0 });
      return id;
    };
    for (const t of topics) if (!t.internal) node('topic', t.name);
    for (const p of pipelines) {
      const id = node('pipeline', p.name);
      edges.push({ from: node('topic', p.source), to: id, kind: 'reads' });
      edges.push({ from: id, to: node('topic', p.sink), kind: 'writes' });
      edges.push({ from: id, to: node('topic', p.deadLetter), kind: 'dead-letter' });
    }
    for (const j of jobs) {
      const def = j.definition || {};
      const id = node('job', j.name);
      if (def.source) edges.push({ from: node('topic', def.source), to: id, kind: 'reads' });
      if (def.join && def.join.topic) edges.push({ from: node('topic', def.join.topic), to: id, kind: 'reads' });
      if (def.output && def.output.topic) edges.push({ from: id, to: node('topic', def.output.topic), kind: 'writes' });
    }
    // Longest path from a source gives each node its column; a cycle (a pipeline writing what it reads) is cut off
    // after as many rounds as there are nodes.
    for (let round = 0; round < nodes.size; round++) {
      let moved = false;
      for (const e of edges) {
        const from = nodes.get(e.from), to = nodes.get(e.to);
        if (to.layer < from.layer + 1 && to.layer < nodes.size) { to.layer = from.layer + 1; moved = true; }
      }
      if (!moved) break;
    }
    const columns = new Map();
    for (const n of [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (!columns.has(n.layer)) columns.set(n.layer, []);
      columns.get(n.layer).push(n);
    }
    const layers = [...columns.keys()].sort((a, b) => a - b);
    const across = Math.max(1, ...[...columns.values()].map((c) => c.length));
    // Along the flow a step is COL_W (or LAYER_H when vertical); across it, ROW_H (or NODE_W plus a gap).
    const along = vertical ? LAYER_H : COL_W, side = vertical ? NODE_W + GAP : ROW_H;
    layers.forEach((layer, step) => {
      const col = columns.get(layer);
      const offset = ((across - col.length) * side) / 2; // centre shorter columns (rows)
      col.forEach((n, i) => {
        if (vertical) { n.x = PAD + offset + i * side; n.y = PAD + step * along; } else { n.x = PAD + step * along; n.y = PAD + offset + i * side; }
      });
    });
    for (const e of edges) {
      e.id = `${e.from}->${e.to}`;
      const a = nodes.get(e.from), b = nodes.get(e.to);
      if (vertical) {
        const x1 = a.x + NODE_W / 2, y1 = a.y + NODE_H, x2 = b.x + NODE_W / 2, y2 = b.y;
        const bend = Math.max(20, (y2 - y1) / 2);
        e.path = `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2 - 6}`;
        e.labelX = (x1 + x2) / 2;
        e.labelY = (y1 + y2) / 2 + 4;
      } else {
        const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2;
        const bend = Math.max(30, (x2 - x1) / 2);
        e.path = `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2 - 6},${y2}`;
        e.labelX = (x1 + x2) / 2;
        e.labelY = (y1 + y2) / 2 - 6;
      }
    }
    const steps = Math.max(1, layers.length);
    const length = PAD * 2 + steps * along - (along - (vertical ? NODE_H : NODE_W));
    const breadth = PAD * 2 + across * side - (side - (vertical ? NODE_W : NODE_H));
    return {
      nodes: [...nodes.values()], edges,
      width: vertical ? breadth : length, height: vertical ? length : breadth,
    };
  }

  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  /**
   * The picture as SVG markup (Alpine's templates cannot live inside an SVG element). `metric(id)` gives the text of
   * a node or edge (a dead-letter edge is drawn red by its kind); names are escaped.
   */
  function svg(flow, metric, href) {
    // Paths first, then the boxes, then the edges' figures on top of both.
    const edges = flow.edges.map((e) => `
      <g class="edge ${e.kind}" data-from="${escape(e.from)}" data-to="${escape(e.to)}">
        <path d="${e.path}" marker-end="url(#arrow)"></path>
      </g>`).join('');
    const labels = flow.edges.map((e) => `
      <g class="edge ${e.kind}"><text class="edge-metric" data-edge="${escape(e.id)}" x="${e.labelX}" y="${e.labelY}"
        text-anchor="middle">${escape(metric(e.id))}</text></g>`).join('');
    const nodes = flow.nodes.map((n) => {
      const shown = n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name;
      return `
      <a href="${escape(href(n))}" aria-label="${escape(`${n.kind} ${n.name}`)}">
        <g class="node ${n.kind}" data-id="${escape(n.id)}" transform="translate(${n.x},${n.y})">
          <title>${escape(n.name)}</title>
          <rect width="${NODE_W}" height="${NODE_H}"></rect>
          <text class="kind" x="10" y="15">${n.kind.toUpperCase()}</text>
          <text class="name" x="10" y="33">${escape(shown)}</text>
          <text class="metric" x="10" y="51">${escape(metric(n.id))}</text>
        </g>
      </a>`;
    }).join('');
    return `<svg class="flow" id="flow" role="img" aria-labelledby="flow-title" viewBox="0 0 ${flow.width} ${flow.height}"
        style="max-width:${Math.round(flow.width * 1.3)}px;margin:0 auto" xmlns="http://www.w3.org/2000/svg">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7"
        orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#8b95a7"></path></marker></defs>
      ${edges}${nodes}${labels}
    </svg>`;
  }

  return { build, svg };
})();
