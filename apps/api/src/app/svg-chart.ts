/**
 * Chart geometry for server-rendered SVG: scales, paths and ticks computed here, so the
 * templates only draw what they are given. Everything is in SVG user units.
 */

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Tick {
  at: number;
  label: string;
}

const round = (value: number): number => Math.round(value * 10) / 10;

function scale(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => round(r0 + ((value - d0) / span) * (r1 - r0));
}

function path(points: readonly { x: number; y: number }[]): string {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x},${point.y}`).join('');
}

/** A step line: a probability holds until the next move. */
function stepPath(points: readonly { x: number; y: number }[], endX: number): string {
  if (points.length === 0) return '';
  let d = `M${points[0]!.x},${points[0]!.y}`;
  for (let index = 1; index < points.length; index += 1) d += `H${points[index]!.x}V${points[index]!.y}`;
  return `${d}H${endX}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function timeTicks(from: number, to: number, x: (value: number) => number, count = 5): Tick[] {
  const span = Math.max(1, to - from);
  const ticks: Tick[] = [];
  for (let index = 0; index <= count; index += 1) {
    const at = new Date(from + (span * index) / count);
    const label =
      span > 3 * 86_400_000
        ? `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]}`
        : span > 3_600_000
          ? at.toISOString().slice(11, 16)
          : at.toISOString().slice(11, 19);
    ticks.push({ at: x(at.getTime()), label });
  }
  return ticks;
}

export interface ProbabilityPoint {
  at: Date;
  probability: number;
  whatIfProbability: number;
}

export interface ChartMarker {
  at: Date;
  /** Audit delta: up or down. */
  deltaLogOdds: number;
  label: string;
  evidenceId: string | null;
}

export interface ProbabilityChart {
  frame: Frame;
  line: string;
  area: string;
  whatIf: string | null;
  yTicks: Tick[];
  xTicks: Tick[];
  /** Click targets for "explain at this time". */
  points: { x: number; y: number; at: string; label: string }[];
  markers: { x: number; y: number; up: boolean; label: string; evidenceId: string | null }[];
  /** Where "now" is, and the deadline if it falls inside the chart. */
  end: { x: number; label: string };
  summary: string;
}

const MAX_TARGETS = 60;

export function probabilityChart(points: readonly ProbabilityPoint[], markers: readonly ChartMarker[], now: Date, showWhatIf: boolean): ProbabilityChart {
  const frame: Frame = { width: 720, height: 280, left: 44, right: 16, top: 16, bottom: 28 };
  // From the first entry to now: a young prediction's history fills the chart rather than a sliver of it.
  const last = Math.max(now.getTime(), points.at(-1)?.at.getTime() ?? now.getTime());
  const from = Math.min(points[0]?.at.getTime() ?? last - 86_400_000, last - 1_000);
  const x = scale([from, last], [frame.left, frame.width - frame.right]);
  const y = scale([0, 1], [frame.height - frame.bottom, frame.top]);
  const real = points.map((point) => ({ x: x(point.at.getTime()), y: y(point.probability) }));
  const end = x(last);
  const line = stepPath(real, end);
  const baseline = y(0);
  const area = real.length > 0 ? `${line}V${baseline}H${real[0]!.x}Z` : '';
  const whatIf = showWhatIf ? stepPath(points.map((point) => ({ x: x(point.at.getTime()), y: y(point.whatIfProbability) })), end) : null;
  const stride = Math.max(1, Math.ceil(points.length / MAX_TARGETS));
  const targets = points
    .filter((_, index) => index % stride === 0 || index === points.length - 1)
    .map((point) => ({
      x: x(point.at.getTime()),
      y: y(point.probability),
      at: point.at.toISOString(),
      label: `${(point.probability * 100).toFixed(1)}% at ${point.at.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    }));
  const probabilityAt = (at: number): number => {
    let probability = points[0]?.probability ?? 0.5;
    for (const point of points) {
      if (point.at.getTime() > at) break;
      probability = point.probability;
    }
    return probability;
  };
  const plotted = markers.map((marker) => ({
    x: x(Math.max(from, marker.at.getTime())),
    y: y(probabilityAt(marker.at.getTime())),
    up: marker.deltaLogOdds >= 0,
    label: marker.label,
    evidenceId: marker.evidenceId,
  }));
  const lastPoint = points.at(-1);
  const firstPoint = points[0];
  return {
    frame,
    line,
    area,
    whatIf,
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((value) => ({ at: y(value), label: `${value * 100}%` })),
    xTicks: timeTicks(from, last, x),
    points: targets,
    markers: plotted,
    end: { x: end, label: 'now' },
    summary:
      firstPoint && lastPoint
        ? `Probability over time, from ${(firstPoint.probability * 100).toFixed(1)}% to ${(lastPoint.probability * 100).toFixed(1)}%, ${markers.length} evidence markers.`
        : 'No history yet.',
  };
}

export interface Sparkline {
  width: number;
  height: number;
  line: string;
  lastX: number;
  lastY: number;
}

export function sparkline(points: readonly { at: Date; probability: number }[], now: Date): Sparkline {
  const width = 120;
  const height = 32;
  const first = points[0]?.at.getTime() ?? now.getTime();
  const x = scale([Math.min(first, now.getTime() - 1_000), now.getTime()], [1, width - 3]);
  const y = scale([0, 1], [height - 2, 2]);
  const mapped = points.map((point) => ({ x: x(point.at.getTime()), y: y(point.probability) }));
  const lastY = mapped.at(-1)?.y ?? y(0.5);
  return { width, height, line: stepPath(mapped, width - 3), lastX: width - 3, lastY };
}

export interface ReadingsChart {
  frame: Frame;
  line: string;
  dots: { x: number; y: number; label: string; crossing: boolean }[];
  thresholds: { y: number; label: string }[];
  yTicks: Tick[];
  xTicks: Tick[];
  summary: string;
}

export function readingsChart(
  readings: readonly { observedAt: Date; value: number; crossing: boolean }[],
  thresholds: readonly { value: number; label: string }[],
  unit: string,
  compact = false,
): ReadingsChart {
  const frame: Frame = compact
    ? { width: 360, height: 140, left: 44, right: 10, top: 10, bottom: 24 }
    : { width: 720, height: 260, left: 52, right: 16, top: 16, bottom: 28 };
  const values = [...readings.map((reading) => reading.value), ...thresholds.map((threshold) => threshold.value)];
  let low = values.length > 0 ? Math.min(...values) : 0;
  let high = values.length > 0 ? Math.max(...values) : 1;
  if (low === high) {
    low -= 1;
    high += 1;
  }
  const pad = (high - low) * 0.1;
  low = Math.min(0, low - pad) === 0 && low >= 0 ? Math.max(0, low - pad) : low - pad;
  high += pad;
  const times = readings.map((reading) => reading.observedAt.getTime());
  const from = times.length > 0 ? Math.min(...times) : Date.now() - 86_400_000;
  const to = times.length > 1 ? Math.max(...times) : from + 86_400_000;
  const x = scale([from, to], [frame.left, frame.width - frame.right]);
  const y = scale([low, high], [frame.height - frame.bottom, frame.top]);
  const dots = readings.map((reading) => ({
    x: x(reading.observedAt.getTime()),
    y: y(reading.value),
    crossing: reading.crossing,
    label: `${reading.value} ${unit} on ${reading.observedAt.toISOString().slice(0, 10)}${reading.crossing ? ' (crossed a threshold)' : ''}`,
  }));
  const tickCount = compact ? 3 : 4;
  return {
    frame,
    line: path(dots),
    dots,
    thresholds: thresholds.map((threshold) => ({ y: y(threshold.value), label: threshold.label })),
    yTicks: Array.from({ length: tickCount + 1 }, (_, index) => {
      const value = low + ((high - low) * index) / tickCount;
      return { at: y(value), label: Number(value.toPrecision(3)).toLocaleString('en-US') };
    }),
    xTicks: timeTicks(from, to, x, compact ? 2 : 4),
    summary: `${readings.length} readings in ${unit}; ${dots.filter((dot) => dot.crossing).length} crossed a threshold.`,
  };
}

export interface CalibrationChart {
  frame: Frame;
  diagonal: string;
  bins: { x: number; y: number; low: number; high: number; r: number; label: string }[];
  ticks: Tick[];
  yTicks: Tick[];
}

export function calibrationChart(
  bins: readonly { count: number; meanForecast: number | null; observedFrequency: number | null; wilsonLower: number | null; wilsonUpper: number | null }[],
): CalibrationChart {
  const frame: Frame = { width: 420, height: 420, left: 48, right: 16, top: 16, bottom: 40 };
  const x = scale([0, 1], [frame.left, frame.width - frame.right]);
  const y = scale([0, 1], [frame.height - frame.bottom, frame.top]);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  return {
    frame,
    diagonal: path([
      { x: x(0), y: y(0) },
      { x: x(1), y: y(1) },
    ]),
    bins: bins
      .filter((bin) => bin.count > 0 && bin.meanForecast !== null && bin.observedFrequency !== null)
      .map((bin) => ({
        x: x(bin.meanForecast!),
        y: y(bin.observedFrequency!),
        low: y(bin.wilsonLower ?? bin.observedFrequency!),
        high: y(bin.wilsonUpper ?? bin.observedFrequency!),
        r: Math.min(14, 4 + Math.sqrt(bin.count) * 2),
        label: `forecast ${(bin.meanForecast! * 100).toFixed(0)}%, observed ${(bin.observedFrequency! * 100).toFixed(0)}% of ${bin.count}`,
      })),
    ticks: ticks.map((value) => ({ at: x(value), label: `${value * 100}%` })),
    yTicks: ticks.map((value) => ({ at: y(value), label: `${value * 100}%` })),
  };
}
