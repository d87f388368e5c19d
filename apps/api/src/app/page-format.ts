const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** How the pages write numbers and times: one place, so every page says it the same way. */
export const pageFormat = {
  percent(p: number | null | undefined, digits = 1): string {
    return p === null || p === undefined ? '—' : `${(p * 100).toFixed(digits)}%`;
  },
  /** A change of probability in percentage points, signed. */
  points(change: number): string {
    const value = change * 100;
    if (Math.abs(value) < 0.05) return '±0.0 pp';
    return `${value > 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} pp`;
  },
  trend(change: number): 'up' | 'down' | 'flat' {
    if (Math.abs(change) < 0.0005) return 'flat';
    return change > 0 ? 'up' : 'down';
  },
  arrow(change: number): string {
    const trend = pageFormat.trend(change);
    return trend === 'up' ? '▲' : trend === 'down' ? '▼' : '■';
  },
  signed(value: number, digits = 2): string {
    return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
  },
  number(value: number | null | undefined, digits = 2): string {
    if (value === null || value === undefined) return '—';
    return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: digits });
  },
  date(at: Date | null | undefined): string {
    return at ? at.toISOString().slice(0, 10) : '—';
  },
  dateTime(at: Date | null | undefined): string {
    return at ? `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '—';
  },
  iso(at: Date): string {
    return at.toISOString();
  },
  /** The value of an <input type="datetime-local">, in UTC. */
  inputDateTime(at: Date): string {
    return at.toISOString().slice(0, 16);
  },
  timeLeft(ms: number): string {
    if (ms <= 0) return 'past deadline';
    const days = Math.floor(ms / DAY_MS);
    if (days >= 60) return `${Math.round(days / 30.44)} months`;
    if (days >= 1) return `${days} day${days === 1 ? '' : 's'}`;
    const hours = Math.max(1, Math.round(ms / 3_600_000));
    return `${hours} hour${hours === 1 ? '' : 's'}`;
  },
  status(status: string): string {
    return status.replace('_', ' ');
  },
  /** When a subscriber's digest goes out, in their own time zone. */
  digestSchedule(subscriber: { frequency: string; sendWeekday: number; sendHour: number; timezone: string }): string {
    const day = subscriber.frequency === 'weekly' ? `Weekly on ${WEEKDAYS[subscriber.sendWeekday]}` : 'Daily';
    return `${day} at ${String(subscriber.sendHour).padStart(2, '0')}:00 ${subscriber.timezone}`;
  },
  likelihoodRatio(lr: number): string {
    return lr >= 1 ? `×${pageFormat.number(lr)}` : `×1/${pageFormat.number(1 / lr)}`;
  },
};
