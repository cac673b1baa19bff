// Hand-drawn SVG: two or three line charts do not need a chart library (tens of KB more in the
// page chunk, and several inject <style> tags the console's CSP refuses).

export interface ChartSeries {
  name: string;
  /** One value per bucket; null where the bucket has nothing to show (the line breaks there). */
  values: (number | null)[];
}

interface Props {
  title: string;
  /** The buckets' start times, one per value. */
  times: Date[];
  series: ChartSeries[];
  /** Formats a value for the axis, the table and the summary. */
  format(v: number): string;
  /** A fixed top of the y axis (100 for a percentage); else the largest value. */
  max?: number;
  yLabel: string;
}

const W = 640;
const H = 220;
const PAD = { left: 86, right: 12, top: 12, bottom: 40 };

/** The next 1, 2 or 5 × 10^k at or above `v`: a round top for the y axis. */
const niceCeil = (v: number) => {
  const step = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * step >= v) ?? 10) * step;
};

const timeLabel = (d: Date, spanMs: number) =>
  spanMs <= 2 * 86_400_000
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

/** Runs of consecutive non-null points, each drawn as its own line. */
const runsOf = (values: (number | null)[]) => {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push([i, v]);
  });
  if (run.length) runs.push(run);
  return runs;
};

/** A line chart with axes, a legend, an aria-label summary and the same figures as a table. */
export const LineChart = ({ title, times, series, format, max, yLabel }: Props) => {
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const top = max ?? niceCeil(Math.max(1, ...all));
  const n = times.length;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - v / top) * (H - PAD.top - PAD.bottom);
  const span = n > 1 ? times[n - 1]!.getTime() - times[0]!.getTime() : 0;
  const xTicks = n > 1 ? [0, Math.floor((n - 1) / 2), n - 1] : [0];
  const summary = all.length
    ? `${title}: ${series
        .map((s) => {
          const vs = s.values.filter((v): v is number => v !== null);
          return vs.length ? `${s.name} from ${format(Math.min(...vs))} to ${format(Math.max(...vs))}` : `${s.name} no data`;
        })
        .join('; ')}, over ${n} buckets`
    : `${title}: no jobs ended in this range`;

  return (
    <figure className="chart">
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="chart-legend">
          {series.map((s, i) => (
            <span key={s.name} className={`legend-item series-${i}`}>
              {s.name}
            </span>
          ))}
        </span>
      </figcaption>
      {all.length === 0 ? (
        <p className="muted chart-empty">No jobs ended in this range.</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
          {[0, 0.5, 1].map((f) => (
            <g key={f} className="grid">
              <line x1={PAD.left} x2={W - PAD.right} y1={y(top * f)} y2={y(top * f)} />
              <text x={PAD.left - 6} y={y(top * f)} dy="0.32em" textAnchor="end">
                {format(top * f)}
              </text>
            </g>
          ))}
          {xTicks.map((i) => (
            <text key={i} className="axis" x={x(i)} y={H - PAD.bottom + 20} textAnchor={i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}>
              {times[i] ? timeLabel(times[i], span) : ''}
            </text>
          ))}
          <text className="axis axis-title" x={(W + PAD.left) / 2} y={H - 4} textAnchor="middle">
            time (local)
          </text>
          <text className="axis axis-title" transform={`translate(12 ${(H - PAD.bottom) / 2}) rotate(-90)`} textAnchor="middle">
            {yLabel}
          </text>
          {series.map((s, si) => (
            <g key={s.name} className={`series series-${si}`}>
              {runsOf(s.values).map((run) => (
                <polyline key={run[0]![0]} points={run.map(([i, v]) => `${x(i)},${y(v)}`).join(' ')} />
              ))}
              {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={3} />))}
            </g>
          ))}
        </svg>
      )}
      <details>
        <summary>{title} as a table</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>From</th>
                {series.map((s) => (
                  <th key={s.name}>{s.name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {times.map((t, i) => (
                <tr key={t.getTime()}>
                  <td>{t.toLocaleString(undefined, { hour12: false })}</td>
                  {series.map((s) => {
                    const v = s.values[i];
                    return <td key={s.name}>{v === null || v === undefined ? '—' : format(v)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
};
