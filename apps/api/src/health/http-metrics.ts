import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Histogram, register } from 'prom-client';

/** The route Nest mounts under the global prefix to answer 404 for paths no controller has. */
const NOT_FOUND_ROUTE = '*path';

function requestDuration(): Histogram {
  const name = 'bellwether_http_request_duration_seconds';
  return (
    (register.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({ name, help: 'HTTP request duration by method, route and status', labelNames: ['method', 'route', 'status'] })
  );
}

/**
 * Times every request from its arrival until its response is written or the
 * client goes away, by method, route template and the status actually sent:
 * refusals by guards and pipes (401, 403, 400, 429) and errors mapped by the
 * exception filter count with their own status. A request no route matched
 * (an unknown path) has the route `unmatched`. Mounted first, so it sees every
 * answer.
 */
export function recordHttpMetrics(): RequestHandler {
  const histogram = requestDuration();
  return (request: Request, response: Response, next: NextFunction) => {
    const stop = histogram.startTimer();
    response.once('close', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      stop({ method: request.method, route: route === undefined || route === NOT_FOUND_ROUTE ? 'unmatched' : route, status: String(response.statusCode) });
    });
    next();
  };
}
