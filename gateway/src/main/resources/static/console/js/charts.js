// Chart.js line and bar charts with the console's look. Chart objects are kept outside Alpine's reactive state
// (a reactive proxy around a Chart breaks it): each page holds its charts in a closure.
window.ConsoleCharts = (() => {
  // twelve colours that stay apart from each other (a chart of countries has about as many series)
  const palette = ['#1f6feb', '#d1242f', '#1a7f37', '#bc4c00', '#8250df', '#0a7d8c', '#bf3989', '#57606a', '#d4a72c',
    '#6cb6ff', '#2da44e', '#953800'];

  function create(canvas, type, { yTitle, stacked = false } = {}) {
    return new Chart(canvas, {
      type,
      data: { labels: [], datasets: [] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, spanGaps: true,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked, ticks: { maxTicksLimit: 8, autoSkip: true } },
          y: { stacked, beginAtZero: true, title: { display: !!yTitle, text: yTitle } },
        },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      },
    });
  }

  /** Replaces the chart's points; datasets are kept by name so that a series hidden in the legend stays hidden. */
  function show(chart, labels, series) {
    if (!chart) return;
    chart.data.labels = labels;
    const byName = new Map(chart.data.datasets.map((d) => [d.label, d]));
    chart.data.datasets = series.map(({ name, points }, i) => {
      const color = palette[i % palette.length];
      const dataset = byName.get(name) || {
        label: name, borderColor: color, backgroundColor: chart.config.type === 'bar' ? color : `${color}22`,
        borderWidth: 2, tension: 0.2,
      };
      dataset.data = points;
      // a line needs two points: until a series has a few, its points are drawn as dots
      dataset.pointRadius = points.filter((v) => v !== null).length < 3 ? 3 : 0;
      return dataset;
    });
    chart.update('none');
  }

  return {
    line: (canvas, options) => create(canvas, 'line', options),
    bar: (canvas, options) => create(canvas, 'bar', options),
    show,
    destroy: (...charts) => charts.forEach((c) => c && c.destroy()),
  };
})();
