import type { OutboxEventRecord } from '#events';

/**
 * Where in the web app a person reads about what a message says: every digest
 * item, webhook payload (`links.app`) and Slack message links there, under
 * PUBLIC_URL. The prediction page takes an id or a slug.
 */
export function predictionAppUrl(publicUrl: string, idOrSlug: string): string {
  return `${publicUrl}/app/predictions/${encodeURIComponent(idOrSlug)}`;
}

/** The page an event is about. */
export function eventAppUrl(publicUrl: string, event: OutboxEventRecord): string {
  const page = (path: string): string => `${publicUrl}/app${path}`;
  switch (event.type) {
    case 'evidence.recorded':
    case 'evidence.retracted': {
      const impact = event.payload.impacts.find((candidate) => candidate.probabilityBefore !== candidate.probabilityAfter) ?? event.payload.impacts[0];
      return impact ? predictionAppUrl(publicUrl, impact.slug) : page('');
    }
    case 'prediction.confidence_changed':
      return predictionAppUrl(publicUrl, event.payload.predictionId);
    case 'prediction.resolved':
    case 'prediction.resolution_undone':
    case 'prediction.forecasts_diverge':
    case 'prediction.due':
      return predictionAppUrl(publicUrl, event.payload.slug);
    case 'indicator.threshold_crossed':
      return page(`/indicators/${encodeURIComponent(event.payload.indicatorSlug)}`);
    case 'signal.pending_review':
      return event.payload.storyId ? page(`/stories/${encodeURIComponent(event.payload.storyId)}`) : page('/inbox');
    case 'source.failing':
      return page('/admin/sources');
    case 'webhook.endpoint_disabled':
    case 'webhook.test':
      return page('/admin/webhooks');
    case 'system.scheduler_stalled':
    case 'audit.checkpoints_signed':
      return page('');
  }
}
