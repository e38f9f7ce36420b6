// Hand-made SVG charts. Colours come from CSS classes (chart-<kind>), so they follow the theme
// and need no inline style.

import { formatNumber } from './i18n.js';
import { h, svg, uid } from './ui.js';

// Vertical bars: [{label, value, kind}]. The numbers are also written on the bars, and the
// whole chart carries a text summary for screen readers.
export function barChart(data, { title, unit = '' } = {}) {
  const width = 560;
  const height = 240;
  const pad = { top: 24, right: 8, bottom: 44, left: 8 };
  const max = Math.max(1, ...data.map((d) => d.value || 0));
  const slot = (width - pad.left - pad.right) / Math.max(1, data.length);
  const barWidth = Math.min(64, slot * 0.6);
  const plotHeight = height - pad.top - pad.bottom;
  const titleId = uid('chart');
  const summary = data.map((d) => `${d.label}: ${formatNumber(d.value)}${unit}`).join(', ');
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-labelledby': titleId,
    preserveAspectRatio: 'xMidYMid meet',
  }, svg('title', { id: titleId, text: `${title || ''} ${summary}`.trim() }));
  chart.append(svg('line', {
    x1: pad.left, x2: width - pad.right, y1: pad.top + plotHeight, y2: pad.top + plotHeight, class: 'chart-axis',
  }));
  data.forEach((d, i) => {
    const value = d.value || 0;
    const barHeight = (value / max) * plotHeight;
    const x = pad.left + slot * i + (slot - barWidth) / 2;
    const y = pad.top + plotHeight - barHeight;
    chart.append(
      svg('rect', { x, y, width: barWidth, height: Math.max(barHeight, value ? 2 : 0), rx: 3, class: `chart-bar chart-${d.kind || 'default'}` }),
      svg('text', { x: x + barWidth / 2, y: y - 6, 'text-anchor': 'middle', class: 'chart-value', text: formatNumber(value) }),
      svg('text', { x: x + barWidth / 2, y: height - pad.bottom + 18, 'text-anchor': 'middle', class: 'chart-label', text: d.label }),
    );
  });
  return h('figure', { class: 'chart-figure' }, chart, title ? h('figcaption', {}, title) : null);
}

// A ring split by category, with a legend that doubles as the accessible description.
export function donutChart(data, { title, centre } = {}) {
  const total = data.reduce((sum, d) => sum + (d.value || 0), 0);
  const radius = 60;
  const circumference = 2 * Math.PI * radius;
  const titleId = uid('chart');
  const chart = svg('svg', { viewBox: '0 0 160 160', class: 'chart chart-donut', role: 'img', 'aria-labelledby': titleId },
    svg('title', { id: titleId, text: `${title || ''} ${data.map((d) => `${d.label}: ${d.value}`).join(', ')}` }),
    svg('circle', { cx: 80, cy: 80, r: radius, class: 'donut-track' }));
  let offset = 0;
  for (const d of data) {
    if (!d.value) continue;
    const length = (d.value / total) * circumference;
    chart.append(svg('circle', {
      cx: 80, cy: 80, r: radius, class: `donut-slice chart-${d.kind}`,
      'stroke-dasharray': `${length} ${circumference - length}`, 'stroke-dashoffset': String(-offset),
      transform: 'rotate(-90 80 80)',
    }));
    offset += length;
  }
  chart.append(svg('text', { x: 80, y: 86, 'text-anchor': 'middle', class: 'donut-centre', text: centre ?? String(total) }));
  const legend = h('ul', { class: 'legend' }, data.map((d) => h('li', {},
    h('span', { class: `swatch chart-${d.kind}`, 'aria-hidden': 'true' }), `${d.label}: `, h('strong', {}, String(d.value)))));
  return h('figure', { class: 'chart-figure chart-figure-donut' }, chart, legend, title ? h('figcaption', {}, title) : null);
}
