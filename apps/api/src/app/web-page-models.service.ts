import { Injectable } from '@nestjs/common';

import type { IndicatorReading, Prediction } from '#db';
import {
  AuditVerificationService,
  describeMove,
  EvidenceService,
  PredictionHistoryService,
  PredictionsService,
  ScorecardService,
  type ChainVerification,
  type ExplainedMove,
  type Scorecard,
} from '#predictions';
import { IndicatorLinksService, IndicatorReadingsService, IndicatorsService, SignalInboxService } from '#signals';

import { probabilityChart, readingsChart, sparkline, type ProbabilityChart, type ReadingsChart, type Sparkline } from './svg-chart.js';

const CHART_POINTS = 240;
const SPARK_POINTS = 40;
const RECENT_MOVES = 25;
/** Chains longer than this are verified when the badge asks, not while the page renders. */
const INLINE_VERIFY_ENTRIES = 5_000;
const READINGS_SHOWN = 500;

export type OverviewSort = 'title' | 'probability' | 'change7' | 'change30' | 'deadline' | 'status';

export interface OverviewRow {
  scorecard: Scorecard;
  spark: Sparkline;
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
    private readonly evidence: EvidenceService,
    private readonly verification: AuditVerificationService,
    private readonly inbox: SignalInboxService,
    private readonly indicators: IndicatorsService,
    private readonly readings: IndicatorReadingsService,
    private readonly links: IndicatorLinksService,
  ) {}

  async overview(sort: OverviewSort, order: 'asc' | 'desc', now = new Date()) {
    const [page, pending] = await Promise.all([this.predictions.list({ limit: 200 }), this.inbox.count('pending')]);
    const rows: OverviewRow[] = await Promise.all(
      page.items.map(async (prediction) => {
        const [scorecard, series] = await Promise.all([this.scorecards.scorecard(prediction.id, now), this.history.series(prediction.id, SPARK_POINTS)]);
        return { scorecard, spark: sparkline(series.points, now) };
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

  async chart(slug: string, exclude: string[], now = new Date(), recentMoves?: ExplainedMove[]): Promise<ChartView> {
    const [series, recent, whatIf] = await Promise.all([
      this.history.series(slug, CHART_POINTS, exclude),
      recentMoves ? { moves: recentMoves } : this.history.recentMoves(slug, RECENT_MOVES),
      exclude.length > 0 ? this.history.whatIf(slug, exclude) : null,
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
      chart: probabilityChart(series.points, markers, now, exclude.length > 0),
      exclude,
      whatIf: whatIf ? { probability: whatIf.probability, excluded: whatIf.excluded } : null,
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

  async prediction(slug: string, options: { exclude: string[]; at: Date | null }, now = new Date()) {
    const prediction = await this.predictions.get(slug);
    const recent = await this.history.recentMoves(prediction.id, RECENT_MOVES);
    const [scorecard, revisions, chart, explain, audit] = await Promise.all([
      this.scorecards.scorecard(prediction.id, now),
      this.predictions.revisions(prediction.id),
      this.chart(prediction.id, options.exclude, now, recent.moves),
      options.at ? this.explain(prediction.id, options.at) : null,
      prediction.auditSequence <= INLINE_VERIFY_ENTRIES ? this.verification.verifyPrediction(prediction.id) : null,
    ]);
    const indicatorCharts = await Promise.all(
      scorecard.indicators.map(async (link) => ({
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
      /** Evidence that can be ticked off for the what-if line: the recent evidence and the top movers. */
      whatIfChoices: whatIfChoices(moves, scorecard, options.exclude),
      explain,
      audit,
      indicatorCharts,
    };
  }

  private async indicatorChart(slug: string, thresholds: { value: number; label: string }[], unit: string, compact: boolean): Promise<ReadingsChart> {
    const [readings, derived] = await Promise.all([
      this.readings.list(slug, { limit: READINGS_SHOWN, from: new Date(Date.now() - 730 * 86_400_000) }),
      this.evidence.list({ indicator: slug, limit: READINGS_SHOWN }),
    ]);
    const crossed = new Set(derived.items.map((item) => item.indicatorReadingId));
    return readingsChart(
      readings.items.map((reading: IndicatorReading) => ({ observedAt: reading.observedAt, value: reading.value, crossing: crossed.has(reading.id) })),
      thresholds,
      unit,
      compact,
    );
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
