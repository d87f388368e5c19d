import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, register } from 'prom-client';

import { Public } from '../auth/auth.decorators.js';

let defaultMetricsCollected = false;

/** Prometheus scrape endpoint: process metrics plus the HTTP metrics recorded by HttpMetricsInterceptor. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor() {
    // prom-client's registry is process-wide; collecting twice would throw on duplicate names.
    if (!defaultMetricsCollected) {
      collectDefaultMetrics();
      defaultMetricsCollected = true;
    }
  }

  @Get()
  @Header('Content-Type', register.contentType)
  scrape(): Promise<string> {
    return register.metrics();
  }
}
