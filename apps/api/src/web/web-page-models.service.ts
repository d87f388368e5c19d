import { Injectable } from '@nestjs/common';

import { AppConfig } from '#config';
import type { Forecast, IndicatorReading, Prediction } from '#db';
import {
  AuditVerificationService,
  describeMove,
  describeStory,
  EvidenceQueriesService,
  ForecastsService,
  PredictionHistoryService,
  PredictionsService,
  ScorecardService,
  type ChainVerification,
  type AnalystStanding,
  type ExplainedMove,
  type ForecastHistory,
  type Scorecard,
  type TeamForecast,
} from '#predictions';
import { IndicatorLinksService, IndicatorReadingsService, IndicatorsService, proposedImpacts, type ReviewItem, SignalInboxService, type SignalRoute } from '#signals';

import { calibrationChart, probabilityChart, readingsChart, sparkline, type CalibrationChart, type ForecastSeries, type ProbabilityChart, type ReadingsChart, type Sparkline } from './svg-chart.js';

const CHART_POINTS = 240;
const SPARK_POINTS = 40;
const RECENT_MOVES = 25;
/** Chains longer than this are verified when the badge asks, not while the page renders. */
const INLINE_VERIFY_ENTRIES = 5_000;
const READINGS_SHOWN = 500;
/** Analysts drawn on the chart beside the team: the ones who forecast most recently. */
const ANALYST_LINES = 8;
const TRACK_FORECASTS_SHOWN = 200;

/** The model and the team side by side, and whether they are further apart than the threshold that announces prediction.forecasts_diverge. */
export interface ForecastComparison {
  model: number;
  team: TeamForecast | null;
  /** |model - team| in percentage points; null before any forecast. */
  gapPoints: number | null;
  thresholdPoints: number;
  diverges: boolean;
}

/** A person's record as the scorecards compute it, and their forecasts over time. */
export interface TrackRecordView {
  forecaster: string;
  name: string;
  standing: AnalystStanding | null;
  calibration: CalibrationChart | null;
  forecasts: (Forecast & { prediction: { slug: string; title: string; status: string; probability: number } | null })[];
}

/** A prediction as the inbox names it: its title and where it stands now. */
export interface InboxPrediction {
  id: string;
  slug: string;
  title: string;
  probability: number;
}

/** One route of an inbox item, with the names a reviewer reads. */
export interface InboxRouteView extends SignalRoute {
  /** The indicator's name or the prediction's title. */
  title: string;
  /** The prediction's probability now; null for an indicator. */
  probability: number | null;
  href: string;
}

/** An impact accepting the item would record, with the prediction's title and probability. */
export interface InboxImpactView {
  prediction: string;
  predictionSlug: string | null;
  direction: string;
  strength: string;
  title: string;
  probability: number | null;
}

export interface InboxItemView extends ReviewItem {
  routeViews: InboxRouteView[];
  proposed: InboxImpactView[];
}

export type OverviewSort = 'title' | 'probability' | 'change7' | 'change30' | 'deadline' | 'status';

export interface OverviewRow {
  scorecard: Scorecard;
  spark: Sparkline;
  forecasts: ForecastComparison;
}

export interface MoveView {
  sequence: number;
  kind: string;
  cause: string;
  at: Date;
  deltaLogOdds: number;
  probabilityBefore: number;
  probabilityAfter: number;
  actor: string;
  reason: string | null;
  hash: string;
  evidence: ExplainedMove['evidence'];
  /** The story's part in the move in words ("counted once with …"), if any. */
  story: string | null;
}

/** Earlier evidence the evidence just recorded looks like the same story as: the page's warning. */
export interface SameStoryView {
  id: string;
  summary: string;
  recordedAt: Date;
}

export interface ExplainView {
  at: Date;
  probability: number | null;
  prior: number;
  moves: MoveView[];
  shown: number;
}

export interface ChartView {
  chart: ProbabilityChart;
  exclude: string[];
  whatIf: { probability: number; excluded: { evidenceId: string; deltaLogOdds: number }[] } | null;
}

function moveView(move: ExplainedMove): MoveView {
  return {
    sequence: move.entry.sequence,
    kind: move.entry.kind,
    cause: describeMove(move.entry.kind),
    at: move.entry.createdAt,
    deltaLogOdds: move.entry.deltaLogOdds,
    probabilityBefore: move.entry.probabilityBefore,
    probabilityAfter: move.entry.probabilityAfter,
    actor: move.entry.actor,
    reason: move.entry.reason,
    hash: move.entry.hash,
    evidence: move.evidence,
    story: describeStory(move),
  };
}

/**
 * Puts together what each page shows from the same services the API calls; the
 * controllers pick the template, the templates only lay it out.
 */
@Injectable()
export class WebPageModelsService {
  constructor(
    private readonly predictions: PredictionsService,
    private readonly history: PredictionHistoryService,
    private readonly scorecards: ScorecardService,
    private readonly evidence: EvidenceQueriesService,
    private readonly verification: AuditVerificationService,
    private readonly inbox: SignalInboxService,
    private readonly indicators: IndicatorsService,
    private readonly readings: IndicatorReadingsService,
    private readonly links: IndicatorLinksService,
    private readonly forecasts: ForecastsService,
    private readonly config: AppConfig,
  ) {}

  /** The model beside the team forecast, as the divergence announcement measures them. */
  compare(model: number, team: TeamForecast | null): ForecastComparison {
    const thresholdPoints = this.config.FORECAST_DIVERGENCE_POINTS;
    const gapPoints = team ? Math.round(Math.abs(model - team.probability) * 10_000) / 100 : null;
    return { model, team, gapPoints, thresholdPoints, diverges: gapPoints !== null && gapPoints > thresholdPoints };
  }

  /**
   * The review inbox page: each item with its routes (via rule, model or
   * both, the model's score, the proposed direction and why) named by the
   * prediction's title and current probability or the indicator's name, and
   * the impacts accepting it would record.
   */
  async inboxPage(limit: number): Promise<{ items: InboxItemView[]; pending: number }> {
    const [page, pending] = await Promise.all([this.inbox.review({ limit }), this.inbox.count('pending')]);
    const predictionIds = [
      ...new Set(
        page.items.flatMap((item) => [
          ...item.routes.filter((route) => route.targetKind === 'prediction').map((route) => route.targetId),
          ...proposedImpacts(item.routes, item.matches).map((impact) => impact.prediction),
        ]),
      ),
    ];
    const indicatorSlugs = [...new Set(page.items.flatMap((item) => item.routes.filter((route) => route.targetKind === 'indicator').map((route) => route.target)))];
    const [predictions, indicators] = await Promise.all([
      predictionIds.length === 0 ? [] : this.predictions.lookUp(predictionIds, () => 'prediction'),
      indicatorSlugs.length === 0 ? [] : this.indicators.findBySlugs(indicatorSlugs),
    ]);
    const predictionById = new Map<string, InboxPrediction>(predictions.map((prediction) => [prediction.id, prediction]));
    const indicatorBySlug = new Map(indicators.map((indicator) => [indicator.slug, indicator]));
    const items = page.items.map((item): InboxItemView => ({
      ...item,
      routeViews: item.routes.map((route) => {
        const prediction = route.targetKind === 'prediction' ? predictionById.get(route.targetId) : undefined;
        const indicator = route.targetKind === 'indicator' ? indicatorBySlug.get(route.target) : undefined;
        return {
          ...route,
          title: prediction?.title ?? indicator?.name ?? route.target,
          probability: prediction?.probability ?? null,
          href: `/app/${route.targetKind === 'prediction' ? 'predictions' : 'indicators'}/${route.target}`,
        };
      }),
      proposed: proposedImpacts(item.routes, item.matches).map((impact) => {
        const prediction = predictionById.get(impact.prediction);
        return { ...impact, title: prediction?.title ?? impact.predictionSlug ?? impact.prediction, probability: prediction?.probability ?? null };
      }),
    }));
    return { items, pending };
  }

  async overview(sort: OverviewSort, order: 'asc' | 'desc', now = new Date()) {
    const [page, pending] = await Promise.all([this.predictions.list({ limit: 200 }), this.inbox.count('pending')]);
    const rows: OverviewRow[] = await Promise.all(
      page.items.map(async (prediction) => {
        const [scorecard, series] = await Promise.all([this.scorecards.scorecard(prediction.id, now), this.history.series(prediction.id, SPARK_POINTS)]);
        return { scorecard, spark: sparkline(series.points, now), forecasts: this.compare(prediction.probability, scorecard.team) };
      }),
    );
    const key: Record<OverviewSort, (row: OverviewRow) => string | number> = {
      title: (row) => row.scorecard.prediction.title.toLowerCase(),
      probability: (row) => row.scorecard.prediction.probability,
      change7: (row) => row.scorecard.change.d7,
      change30: (row) => row.scorecard.change.d30,
      deadline: (row) => row.scorecard.prediction.deadline.getTime(),
      status: (row) => row.scorecard.prediction.status,
    };
    const direction = order === 'desc' ? -1 : 1;
    rows.sort((a, b) => {
      const left = key[sort](a);
      const right = key[sort](b);
      return left < right ? -direction : left > right ? direction : 0;
    });
    return { rows, pending, sort, order, more: page.nextCursor !== null };
  }

  async chart(slug: string, exclude: string[], now = new Date(), recentMoves?: ExplainedMove[], forecastHistory?: ForecastHistory): Promise<ChartView> {
    const [series, recent, whatIf, forecastSeries] = await Promise.all([
      this.history.series(slug, CHART_POINTS, exclude),
      recentMoves ? { moves: recentMoves } : this.history.recentMoves(slug, RECENT_MOVES),
      exclude.length > 0 ? this.history.whatIf(slug, exclude) : null,
      this.forecastSeries(slug, forecastHistory),
    ]);
    const markers = recent.moves
      .filter((move) => move.entry.kind === 'evidence' || move.entry.kind === 'retraction' || move.entry.kind === 'override')
      .map((move) => ({
        at: move.entry.createdAt,
        deltaLogOdds: move.entry.deltaLogOdds,
        evidenceId: move.entry.evidenceId,
        label: `${move.evidence?.summary ?? describeMove(move.entry.kind)}: ${(move.entry.probabilityBefore * 100).toFixed(1)}% → ${(move.entry.probabilityAfter * 100).toFixed(1)}%`,
      }));
    return {
      chart: probabilityChart(series.points, markers, now, exclude.length > 0, forecastSeries),
      exclude,
      whatIf: whatIf ? { probability: whatIf.probability, excluded: whatIf.excluded } : null,
    };
  }

  /** The team forecast over time and the latest-forecasting analysts' own lines, for the chart. */
  private async forecastSeries(slug: string, known?: ForecastHistory): Promise<ForecastSeries[]> {
    const history = known ?? (await this.forecasts.history(slug));
    if (history.analysts.length === 0) return [];
    const team = await this.forecasts.teamSeries(history.prediction.id);
    const analysts = [...history.analysts].sort((a, b) => b.latest.createdAt.getTime() - a.latest.createdAt.getTime()).slice(0, ANALYST_LINES);
    return [
      { key: 'team', label: `Team (${history.analysts.length})`, kind: 'team', points: team },
      ...analysts.map((analyst) => ({
        key: analyst.forecaster,
        label: analyst.forecasterName || analyst.forecaster,
        kind: 'analyst' as const,
        points: analyst.forecasts.map((forecast) => ({ at: forecast.createdAt, probability: forecast.probability })),
      })),
    ];
  }

  /** The leaderboard as the scorecards compute it (best mean Brier first), and the model against the team. */
  async leaderboard() {
    const table = await this.scorecards.scorecards();
    return { leaderboard: table.leaderboard ?? [], modelVersusTeam: table.modelVersusTeam ?? null, resolvedCount: table.resolvedCount };
  }

  /** One person's record: their standing and calibration from the scorecards, and their forecasts, newest first. */
  async trackRecord(forecaster: string): Promise<TrackRecordView> {
    const [table, forecasts] = await Promise.all([this.scorecards.scorecards(), this.forecasts.byForecaster(forecaster, TRACK_FORECASTS_SHOWN)]);
    const standing = table.leaderboard?.find((each) => each.forecaster === forecaster) ?? null;
    const ids = [...new Set(forecasts.map((forecast) => forecast.predictionId))];
    const predictions = new Map((ids.length === 0 ? [] : await this.predictions.lookUp(ids, () => 'prediction')).map((prediction) => [prediction.id, prediction]));
    return {
      forecaster,
      name: standing?.forecasterName ?? forecasts[0]?.forecasterName ?? forecaster,
      standing,
      calibration: standing ? calibrationChart(standing.calibration) : null,
      forecasts: forecasts.map((forecast) => {
        const prediction = predictions.get(forecast.predictionId);
        return { ...forecast, prediction: prediction ? { slug: prediction.slug, title: prediction.title, status: prediction.status, probability: prediction.probability } : null };
      }),
    };
  }

  async explain(slug: string, at: Date): Promise<ExplainView> {
    const [explanation, recent] = await Promise.all([this.history.explain(slug, at, { limit: 1 }), this.history.recentMoves(slug, RECENT_MOVES, at)]);
    return {
      at,
      probability: explanation.probability,
      prior: explanation.prediction.prior,
      moves: recent.moves.map(moveView),
      shown: recent.moves.length,
    };
  }

  async auditBadge(prediction: Prediction): Promise<ChainVerification> {
    return this.verification.verifyPrediction(prediction.id);
  }

  async prediction(slug: string, options: { exclude: string[]; at: Date | null; same?: string[]; actor?: string | null }, now = new Date()) {
    const prediction = await this.predictions.get(slug);
    const [recent, forecastHistory] = await Promise.all([this.history.recentMoves(prediction.id, RECENT_MOVES), this.forecasts.history(prediction.id)]);
    const [scorecard, revisions, chart, explain, audit] = await Promise.all([
      this.scorecards.scorecard(prediction.id, now),
      this.predictions.revisions(prediction.id),
      this.chart(prediction.id, options.exclude, now, recent.moves, forecastHistory),
      options.at ? this.explain(prediction.id, options.at) : null,
      prediction.auditSequence <= INLINE_VERIFY_ENTRIES ? this.verification.verifyPrediction(prediction.id) : null,
    ]);
    const indicatorCharts = await Promise.all(
      (await this.links.linkedTo(prediction.id)).map(async (link) => ({
        link,
        chart: await this.indicatorChart(link.slug, [{ value: link.threshold, label: `threshold ${link.threshold}` }], link.unit, true),
      })),
    );
    const moves = recent.moves.map(moveView);
    return {
      prediction,
      scorecard,
      revisions,
      chart,
      moves,
      sameStory: await this.sameStory(options.same ?? []),
      /** Evidence that can be ticked off for the what-if line: the recent evidence and the top movers. */
      whatIfChoices: whatIfChoices(moves, scorecard, options.exclude),
      explain,
      audit,
      indicatorCharts,
      forecasts: {
        ...this.compare(prediction.probability, forecastHistory.team),
        analysts: forecastHistory.analysts,
        /** The signed-in person's own forecasts, newest first. */
        mine: [...(forecastHistory.analysts.find((analyst) => analyst.forecaster === options.actor)?.forecasts ?? [])].reverse(),
      },
    };
  }

  /** The evidence a new record looked like the same story as, for the page's warning (what no longer exists is left out). */
  private async sameStory(ids: readonly string[]): Promise<SameStoryView[]> {
    const found = await Promise.all(ids.slice(0, 5).map((id) => this.evidence.get(id).catch(() => null)));
    return found.filter((item) => item !== null).map((item) => ({ id: item.id, summary: item.summary, recordedAt: item.createdAt }));
  }

  private async indicatorChart(slug: string, thresholds: { value: number; label: string }[], unit: string, compact: boolean): Promise<ReadingsChart> {
    const [readings, derived] = await Promise.all([
      this.readings.list(slug, { limit: READINGS_SHOWN, from: new Date(Date.now() - 730 * 86_400_000) }),
      this.readings.readingIdsOf(slug).then((indicatorReadingIds) => this.evidence.list({ indicatorReadingIds, limit: READINGS_SHOWN })),
    ]);
    const crossed = new Set(derived.items.map((item) => item.indicatorReadingId));
    return readingsChart(
      readings.items.map((reading: IndicatorReading) => ({ observedAt: reading.observedAt, value: reading.value, crossing: crossed.has(reading.id) })),
      thresholds,
      unit,
      compact,
    );
  }

  /** One evidence item, for the retraction's confirmation. */
  async evidenceItem(id: string) {
    return this.evidence.get(id);
  }

  /** The title of each prediction, by id. */
  async predictionTitles(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    return new Map((unique.length === 0 ? [] : await this.predictions.lookUp(unique, () => 'prediction')).map((prediction) => [prediction.id, prediction.title]));
  }

  async indicatorRecord(slug: string) {
    return this.indicators.get(slug);
  }

  /** Every indicator with its latest reading and the predictions it bears on. */
  async indicatorsPage() {
    const page = await this.indicators.list({ limit: 200 });
    const latest = await this.readings.latestOf(page.items.map((indicator) => indicator.id));
    const rows = await Promise.all(page.items.map(async (indicator) => ({ indicator, links: await this.links.list(indicator.id), latest: latest.get(indicator.id) ?? null })));
    return { rows, more: page.nextCursor !== null };
  }

  async indicator(slug: string) {
    const indicator = await this.indicators.get(slug);
    const [links, readings] = await Promise.all([this.links.list(indicator.id), this.readings.list(indicator.id, { limit: READINGS_SHOWN })]);
    const chart = await this.indicatorChart(
      indicator.id,
      links.map((link) => ({ value: link.threshold, label: `${link.predictionSlug} at ${link.threshold}` })),
      indicator.unit,
      false,
    );
    return { indicator, links, readings: [...readings.items].reverse().slice(0, 20), chart };
  }

  calibration() {
    return this.scorecards.scorecards();
  }
}

function whatIfChoices(moves: MoveView[], scorecard: Scorecard, exclude: string[]) {
  const choices = new Map<string, { evidenceId: string; summary: string; deltaLogOdds: number; checked: boolean }>();
  for (const top of scorecard.topEvidence) {
    choices.set(top.evidenceId, { evidenceId: top.evidenceId, summary: top.summary, deltaLogOdds: top.deltaLogOdds, checked: exclude.includes(top.evidenceId) });
  }
  for (const move of moves) {
    if (move.kind !== 'evidence' || !move.evidence || move.evidence.retractedAt || choices.has(move.evidence.id)) continue;
    choices.set(move.evidence.id, { evidenceId: move.evidence.id, summary: move.evidence.summary, deltaLogOdds: move.deltaLogOdds, checked: exclude.includes(move.evidence.id) });
  }
  return [...choices.values()];
}
