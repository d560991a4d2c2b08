// One horizontal bar chart (SVG) per scenario: by default calls per second per subject, median of the
// rounds; a scenario that measures something else names its unit and whether lower is better.
const escape = (text) => String(text).replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char]);

export function barChart({ title, rows, unit = 'calls/s', better = 'higher', digits = 0 }) {
  const width = 720;
  const barHeight = 28;
  const left = 260;
  const top = 48;
  const max = Math.max(...rows.map((row) => (Number.isFinite(row.value) ? row.value : 0)), 1);
  const height = top + rows.length * (barHeight + 12) + 24;
  const bars = rows
    .map((row, index) => {
      const y = top + index * (barHeight + 12);
      const length = Math.max(2, ((width - left - 90) * (Number.isFinite(row.value) ? row.value : 0)) / max);
      const fill = row.highlight ? '#2f6fde' : '#9aa5b1';
      return [
        `<text x="${left - 10}" y="${y + barHeight * 0.68}" text-anchor="end" font-size="13">${escape(row.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${fill}" rx="3"/>`,
        `<text x="${(left + length + 8).toFixed(1)}" y="${y + barHeight * 0.68}" font-size="13">${Number.isFinite(row.value) ? row.value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—'}</text>`,
      ].join('');
    })
    .join('\n  ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="16" y="28" font-size="16" font-weight="600">${escape(title)} — ${escape(unit)} (median; ${better} is better)</text>
  ${bars}
</svg>
`;
}
