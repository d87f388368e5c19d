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
  /** How its label is anchored: the ends of an axis inward. */
  anchor?: 'start' | 'middle' | 'end';
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
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Under this span an axis names the time of day as well as the date. */
const TIME_OF_DAY_SPAN_MS = 3 * DAY_MS;

/** Steps a time axis may take, each aligned to its own round boundaries in UTC. */
const TIME_STEPS: readonly ({ kind: 'ms'; ms: number } | { kind: 'months'; months: number })[] = [
  ...[5, 10, 15, 30].map((minutes) => ({ kind: 'ms' as const, ms: minutes * MINUTE_MS })),
  ...[1, 2, 3, 6, 12].map((hours) => ({ kind: 'ms' as const, ms: hours * HOUR_MS })),
  ...[1, 2, 7, 14].map((days) => ({ kind: 'ms' as const, ms: days * DAY_MS })),
  ...[1, 2, 3, 6, 12].map((months) => ({ kind: 'months' as const, months })),
];
const AVERAGE_MONTH_MS = 30.44 * DAY_MS;
/** 1970-01-05, the first Monday after the epoch: weeks start on Mondays. */
const FIRST_MONDAY_MS = 4 * DAY_MS;

/**
 * Round times for an axis from `from` to `to`, at most about `target` of them: whole hours, UTC
 * midnights, Mondays or firsts of the month. Labels always carry the date; the time of day under
 * three days; the year when the span crosses one.
 */
export function timeAxis(from: number, to: number, target = 5): { at: number; label: string }[] {
  const span = Math.max(1, to - from);
  const step = TIME_STEPS.find((each) => span / (each.kind === 'ms' ? each.ms : each.months * AVERAGE_MONTH_MS) <= target) ?? TIME_STEPS.at(-1)!;
  const times: number[] = [];
  if (step.kind === 'ms') {
    const origin = step.ms === 7 * DAY_MS || step.ms === 14 * DAY_MS ? FIRST_MONDAY_MS : 0;
    for (let at = Math.ceil((from - origin) / step.ms) * step.ms + origin; at <= to; at += step.ms) times.push(at);
  } else {
    const start = new Date(from);
    let year = start.getUTCFullYear();
    let month = Math.ceil(start.getUTCMonth() / step.months) * step.months;
    if (Date.UTC(year, month) < from) month += step.months;
    for (;;) {
      const at = Date.UTC(year + Math.floor(month / 12), month % 12);
      if (at > to) break;
      times.push(at);
      month += step.months;
      if (month >= 12) {
        year += Math.floor(month / 12);
        month %= 12;
      }
    }
  }
  const crossesYear = new Date(from).getUTCFullYear() !== new Date(to).getUTCFullYear();
  return times.map((at) => ({ at, label: timeLabel(new Date(at), span < TIME_OF_DAY_SPAN_MS, step.kind === 'months', crossesYear) }));
}

function timeLabel(at: Date, timeOfDay: boolean, monthly: boolean, withYear: boolean): string {
  const year = withYear ? ` ${at.getUTCFullYear()}` : '';
  if (monthly) return `${MONTHS[at.getUTCMonth()]}${year}`;
  const date = `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]}${year}`;
  return timeOfDay ? `${date} ${at.toISOString().slice(11, 16)}` : date;
}

/** Ticks placed on the frame; the ends anchored inward so their labels are not clipped. */
function timeTicks(from: number, to: number, x: (value: number) => number, frame: Frame, target = 5): Tick[] {
  return timeAxis(from, to, target).map((tick) => {
    const at = x(tick.at);
    const anchor = at - frame.left < 40 ? 'start' : frame.width - frame.right - at < 40 ? 'end' : 'middle';
    return { at, label: tick.label, anchor };
  });
}

/**
 * Round values covering [low, high] in about `target` steps of 1, 2, 2.5 or 5 times a power of
 * ten; the first is at or below low, the last at or above high.
 */
export function niceTicks(low: number, high: number, target = 4): number[] {
  if (!(high > low)) return niceTicks(low - 1, high + 1, target);
  const raw = (high - low) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * magnitude >= raw) ?? 10) * magnitude;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + (step / magnitude === 2.5 ? 1 : 0));
  const values: number[] = [];
  const last = Math.ceil(high / step - 1e-9);
  for (let index = Math.floor(low / step + 1e-9); index <= last; index += 1) values.push(Number((index * step).toFixed(decimals)));
  return values;
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

/** Another probability over time drawn beside the model's: the team forecast or one analyst's. */
export interface ForecastSeries {
  key: string;
  label: string;
  kind: 'team' | 'analyst';
  points: readonly { at: Date; probability: number }[];
}

export interface ProbabilityChart {
  frame: Frame;
  line: string;
  area: string;
  whatIf: string | null;
  /** The team's and each analyst's forecasts as step lines, from their first forecast on. */
  forecastLines: { key: string; label: string; kind: 'team' | 'analyst'; index: number; d: string; probability: number; last: { x: number; y: number } }[];
  yTicks: Tick[];
  xTicks: Tick[];
  /** Fewer ticks for a narrow screen, where the chart shrinks and its labels grow. */
  xTicksNarrow: Tick[];
  axis: { x: string; y: string };
  /** Click targets for "explain at this time". */
  points: { x: number; y: number; at: string; label: string }[];
  markers: { x: number; y: number; up: boolean; label: string; evidenceId: string | null }[];
  /** Where "now" is, and the deadline if it falls inside the chart. */
  end: { x: number; label: string };
  summary: string;
}

const MAX_TARGETS = 60;

export function probabilityChart(
  points: readonly ProbabilityPoint[],
  markers: readonly ChartMarker[],
  now: Date,
  showWhatIf: boolean,
  forecasts: readonly ForecastSeries[] = [],
): ProbabilityChart {
  const frame: Frame = { width: 720, height: 300, left: 64, right: 20, top: 16, bottom: 48 };
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
  const forecastLines = forecasts
    .filter((series) => series.points.length > 0)
    .map((series, index) => ({
      key: series.key,
      label: series.label,
      kind: series.kind,
      index,
      d: stepPath(series.points.map((point) => ({ x: x(Math.max(from, point.at.getTime())), y: y(point.probability) })), end),
      probability: series.points.at(-1)!.probability,
      // A forecast made a moment ago is a line of no length: its dot still shows it.
      last: { x: x(Math.max(from, series.points.at(-1)!.at.getTime())), y: y(series.points.at(-1)!.probability) },
    }));
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
    forecastLines,
    yTicks: [0, 0.25, 0.5, 0.75, 1].map((value) => ({ at: y(value), label: `${value * 100}%` })),
    xTicks: timeTicks(from, last, x, frame, 6),
    xTicksNarrow: timeTicks(from, last, x, frame, 3),
    axis: { x: 'Date (UTC)', y: 'Probability' },
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
  xTicksNarrow: Tick[];
  axis: { x: string; y: string };
  summary: string;
}

export function readingsChart(
  readings: readonly { observedAt: Date; value: number; crossing: boolean }[],
  thresholds: readonly { value: number; label: string }[],
  unit: string,
  compact = false,
): ReadingsChart {
  const frame: Frame = compact
    ? { width: 360, height: 150, left: 48, right: 12, top: 10, bottom: 28 }
    : { width: 720, height: 280, left: 68, right: 20, top: 16, bottom: 48 };
  const values = [...readings.map((reading) => reading.value), ...thresholds.map((threshold) => threshold.value)];
  let low = values.length > 0 ? Math.min(...values) : 0;
  let high = values.length > 0 ? Math.max(...values) : 1;
  if (low === high) {
    low -= 1;
    high += 1;
  }
  const pad = (high - low) * 0.1;
  const yValues = niceTicks(low >= 0 ? Math.max(0, low - pad) : low - pad, high + pad, compact ? 3 : 4);
  low = yValues[0]!;
  high = yValues.at(-1)!;
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
  return {
    frame,
    line: path(dots),
    dots,
    thresholds: thresholds.map((threshold) => ({ y: y(threshold.value), label: threshold.label })),
    yTicks: yValues.map((value) => ({ at: y(value), label: value.toLocaleString('en-US', { maximumFractionDigits: 6 }) })),
    xTicks: timeTicks(from, to, x, frame, compact ? 3 : 5),
    xTicksNarrow: timeTicks(from, to, x, frame, compact ? 2 : 3),
    axis: { x: 'Observed (UTC)', y: unit },
    summary: `${readings.length} readings in ${unit}; ${dots.filter((dot) => dot.crossing).length} crossed a threshold.`,
  };
}

export interface CalibrationChart {
  frame: Frame;
  diagonal: string;
  bins: { x: number; y: number; low: number; high: number; r: number; label: string }[];
  ticks: Tick[];
  yTicks: Tick[];
  axis: { x: string; y: string };
}

export function calibrationChart(
  bins: readonly { count: number; meanForecast: number | null; observedFrequency: number | null; wilsonLower: number | null; wilsonUpper: number | null }[],
): CalibrationChart {
  const frame: Frame = { width: 420, height: 420, left: 64, right: 16, top: 16, bottom: 44 };
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
    axis: { x: 'Forecast', y: 'Observed frequency' },
  };
}
