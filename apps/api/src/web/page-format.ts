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
  /** A Brier or log score: always three decimals, so a column of them lines up and 0.160 does not read as coarser than 0.151. */
  score(value: number | null | undefined): string {
    return value === null || value === undefined ? '—' : value.toFixed(3);
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
  /**
   * Where a prediction stands against its deadline: time left while open, how and when it
   * resolved once resolved (never "6 months left" on a settled question).
   */
  standing(
    prediction: { status: string; deadline: Date; resolvedAt: Date | null; outcomeOccurredAt: Date | null },
    now: Date = new Date(),
  ): string {
    const outcome: Record<string, string> = { resolved_true: 'Resolved true', resolved_false: 'Resolved false', annulled: 'Annulled' };
    const settled = outcome[prediction.status];
    if (settled) {
      const occurred = prediction.outcomeOccurredAt ?? prediction.resolvedAt;
      const recorded = prediction.resolvedAt && occurred && pageFormat.date(prediction.resolvedAt) !== pageFormat.date(occurred) ? `, recorded ${pageFormat.date(prediction.resolvedAt)}` : '';
      return occurred ? `${settled} on ${pageFormat.date(occurred)}${recorded}` : settled;
    }
    return `${pageFormat.timeLeft(prediction.deadline.getTime() - now.getTime())}${prediction.deadline.getTime() > now.getTime() ? ' left' : ''}`;
  },
  /**
   * What an item of evidence is worth now, in percentage points: the probability with it
   * against without it (its log-odds taken back out).
   */
  pointsWithout(probability: number, deltaLogOdds: number): string {
    const logOdds = Math.log(probability / (1 - probability)) - deltaLogOdds;
    return pageFormat.points(probability - 1 / (1 + Math.exp(-logOdds)));
  },
  status(status: string): string {
    return status.replace('_', ' ');
  },
  /** When a subscriber's digest goes out, in their own time zone. */
  digestSchedule(subscriber: { frequency: string; sendWeekday: number; sendHour: number; timezone: string }): string {
    const day = subscriber.frequency === 'weekly' ? `Weekly on ${WEEKDAYS[subscriber.sendWeekday]}` : 'Daily';
    return `${day} at ${String(subscriber.sendHour).padStart(2, '0')}:00 ${subscriber.timezone}`;
  },
  /** Text made safe inside HTML, for markup a template builds in a string. */
  escape(value: string | null | undefined): string {
    return (value ?? '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
  },
  /**
   * A setup form's field helpers, `prefix` keeping ids apart when a page holds two forms: each
   * value as typed (or stored), and a field with its label and, when it has one, its error, tied to
   * the control for screen readers.
   */
  formFields(form: { mode: string; values: Record<string, unknown> | null; errors: Record<string, string> | null }, prefix: string) {
    const errors = form.errors ?? {};
    const values = form.values ?? {};
    const id = (name: string) => `${prefix}-${form.mode}-${name}`;
    const val = (name: string, fallback = '') => (values[name] !== undefined && values[name] !== null ? String(values[name] as string | number) : fallback);
    const list = (name: string): string[] => {
      const value = values[name];
      return Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value as string)];
    };
    const inv = (name: string) => (errors[name] ? ` aria-invalid="true" aria-describedby="${id(name)}-error"` : '');
    const error = (name: string) => (errors[name] ? `<p class="field__error" id="${id(name)}-error">${pageFormat.escape(errors[name])}</p>` : '');
    const field = (name: string, label: string, control: string) => `<div class="field${errors[name] ? ' field--error' : ''}"><label for="${id(name)}">${label}</label>${control}${error(name)}</div>`;
    return { errors, id, val, list, inv, error, field };
  },
  likelihoodRatio(lr: number): string {
    return lr >= 1 ? `×${pageFormat.number(lr)}` : `×1/${pageFormat.number(1 / lr)}`;
  },
};
