import { aggregateForecast } from '#core';

/** The team forecast: the geometric mean of the odds of each analyst's latest forecast. */
export interface TeamForecast {
  probability: number;
  forecasters: number;
  /** When the latest of those forecasts was made. */
  asOf: Date;
}

/** The team forecast of analysts' latest forecasts, taken in forecaster order (the sum of log-odds is order-sensitive in its last bits); null without any. */
export function teamOf(latest: readonly { probability: number; createdAt: Date }[]): TeamForecast | null {
  const probability = aggregateForecast(latest.map((forecast) => forecast.probability));
  if (probability === null) return null;
  return { probability, forecasters: latest.length, asOf: new Date(Math.max(...latest.map((forecast) => forecast.createdAt.getTime()))) };
}

/** What TEAM_FORECAST_JOIN adds to each row. */
export interface TeamForecastColumns {
  /** Each analyst's latest probability, in forecaster order; null without forecasts. */
  teamProbabilities: number[] | null;
  teamAsOf: Date | null;
}

/**
 * Joined to a query over predictions aliased `p`: the columns of TeamForecastColumns, so
 * a page of predictions comes with its team forecasts in one statement rather than two.
 * Each analyst's latest forecast: the newest by createdAt, then id.
 */
export const TEAM_FORECAST_JOIN = `LEFT JOIN LATERAL (
  SELECT array_agg(latest."probability" ORDER BY latest."forecaster") AS "teamProbabilities", max(latest."createdAt") AS "teamAsOf"
    FROM (SELECT DISTINCT ON ("forecaster") "forecaster", "probability", "createdAt" FROM "Forecast"
           WHERE "predictionId" = p."id" ORDER BY "forecaster", "createdAt" DESC, "id" DESC) latest
) team ON true`;

export function teamFromColumns(columns: TeamForecastColumns): TeamForecast | null {
  if (!columns.teamProbabilities || !columns.teamAsOf) return null;
  const probability = aggregateForecast(columns.teamProbabilities);
  return probability === null ? null : { probability, forecasters: columns.teamProbabilities.length, asOf: columns.teamAsOf };
}
