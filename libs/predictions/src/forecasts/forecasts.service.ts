import { Injectable } from '@nestjs/common';

import { DomainError, probabilityFromLogOdds, teamTrackPoints, type ProbabilityPoint } from '#core';
import { PrismaService, SqlPool, WriteTransactions, type Forecast, type Prediction } from '#db';

import { ForecastDivergenceService } from './forecast-divergence.service.js';
import { isResolved, PredictionChainRepository } from '../chain/prediction-chain.repository.js';
import { PredictionsService } from '../predictions.service.js';
import { TEAM_FORECAST_JOIN, teamFromColumns, teamOf, type TeamForecast, type TeamForecastColumns } from './team-forecast.js';

export interface ForecastInput {
  probability: number;
  note?: string | null;
}

export interface Forecaster {
  /** `apikey:<id>`, as the audit trail names whoever acted. */
  actor: string;
  name: string;
}

export interface AnalystForecasts {
  forecaster: string;
  forecasterName: string;
  latest: Forecast;
  /** Oldest first. */
  forecasts: Forecast[];
}

export interface ForecastHistory {
  prediction: Prediction;
  team: TeamForecast | null;
  analysts: AnalystForecasts[];
}

/**
 * The analysts' own forecasts, beside the model's probability. Each forecast is kept;
 * an analyst's latest one is their current view, and the team forecast aggregates the
 * latest view of each analyst (geometric mean of odds).
 */
@Injectable()
export class ForecastsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlPool,
    private readonly predictions: PredictionsService,
    private readonly divergence: ForecastDivergenceService,
    private readonly transactions: WriteTransactions,
    private readonly chain: PredictionChainRepository,
  ) {}

  async record(idOrSlug: string, input: ForecastInput, forecaster: Forecaster): Promise<Forecast> {
    const note = input.note?.trim() ? input.note : null;
    return this.transactions.run(async (tx) => {
      // The row lock orders a forecast against the resolution: none is accepted once it is resolved.
      const head = await this.chain.lockOne(tx, idOrSlug);
      if (isResolved(head.status)) {
        throw new DomainError('conflict', 'prediction-resolved', `Prediction "${head.slug}" is ${head.status.replace('_', ' ')}; it takes no more forecasts`, 'idOrSlug');
      }
      const teamBefore = await this.divergence.teamNow(tx, head.id);
      const forecast = await tx.forecast.create({
        data: { predictionId: head.id, forecaster: forecaster.actor, forecasterName: forecaster.name, probability: input.probability, note, createdAt: new Date() },
      });
      const model = probabilityFromLogOdds(head.logOdds);
      const teamAfter = await this.divergence.teamNow(tx, head.id);
      await this.divergence.announceCrossing(tx, head, { model, team: teamBefore }, { model, team: teamAfter }, 'team', forecaster.actor);
      return forecast;
    });
  }

  /** Every forecast of a prediction per analyst, and the team forecast now. */
  async history(idOrSlug: string): Promise<ForecastHistory> {
    const prediction = await this.predictions.get(idOrSlug);
    const forecasts = await this.prisma.forecast.findMany({ where: { predictionId: prediction.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const byAnalyst = new Map<string, Forecast[]>();
    for (const forecast of forecasts) byAnalyst.set(forecast.forecaster, [...(byAnalyst.get(forecast.forecaster) ?? []), forecast]);
    const analysts = [...byAnalyst.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([forecaster, own]) => ({ forecaster, forecasterName: own.at(-1)!.forecasterName, latest: own.at(-1)!, forecasts: own }));
    return { prediction, team: teamOf(analysts.map((analyst) => analyst.latest)), analysts };
  }

  /** One analyst's forecasts across predictions, newest first: their track record's raw material. */
  async byForecaster(forecaster: string, limit: number): Promise<Forecast[]> {
    return this.prisma.forecast.findMany({ where: { forecaster }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit });
  }

  /** The team forecast now of each prediction (absent when no analyst has forecast it). */
  async teamForecasts(predictionIds: readonly string[]): Promise<Map<string, TeamForecast>> {
    if (predictionIds.length === 0) return new Map();
    const rows = await this.sql.query<{ id: string } & TeamForecastColumns>(
      `SELECT p."id"::text AS "id", team."teamProbabilities", team."teamAsOf" FROM "Prediction" p ${TEAM_FORECAST_JOIN}
        WHERE p."id" = ANY($1::uuid[])`,
      [predictionIds],
      'team-forecasts',
    );
    const result = new Map<string, TeamForecast>();
    for (const row of rows) {
      const team = teamFromColumns(row);
      if (team) result.set(row.id, team);
    }
    return result;
  }

  async teamForecast(predictionId: string): Promise<TeamForecast | null> {
    return (await this.teamForecasts([predictionId])).get(predictionId) ?? null;
  }

  /** The team forecast over time: one point after each forecast. */
  async teamSeries(predictionId: string): Promise<ProbabilityPoint[]> {
    const forecasts = await this.prisma.forecast.findMany({
      where: { predictionId },
      select: { forecaster: true, createdAt: true, probability: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return teamTrackPoints(forecasts.map((forecast) => ({ member: forecast.forecaster, at: forecast.createdAt, probability: forecast.probability })));
  }
}

/** The team forecast in force at `at`, from a series of team points (oldest first); null before the first forecast. */
export function teamProbabilityAt(series: readonly ProbabilityPoint[], at: Date): number | null {
  let probability: number | null = null;
  for (const point of series) {
    if (point.at.getTime() > at.getTime()) break;
    probability = point.probability;
  }
  return probability;
}
