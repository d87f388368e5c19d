import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Histogram, register } from 'prom-client';
import { finalize, type Observable } from 'rxjs';

function requestDuration(): Histogram {
  const name = 'bellwether_http_request_duration_seconds';
  return (
    (register.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({ name, help: 'HTTP request duration by route and status', labelNames: ['method', 'route', 'status'] })
  );
}

@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  private readonly histogram = requestDuration();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const stop = this.histogram.startTimer({ method: request.method });
    return next.handle().pipe(
      finalize(() => stop({ route: (request.route as { path?: string } | undefined)?.path ?? 'unmatched', status: String(response.statusCode) })),
    );
  }
}
