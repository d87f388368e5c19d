/**
 * Stable, readable operationIds: what generated clients name their methods. Keyed by
 * `Controller.method` so a rename in the code cannot silently rename a client method; an
 * operation missing here gets a derived name (verb + resource), and a test keeps every
 * operation of the served document in this table.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  'HealthController.live': 'checkLiveness',
  'HealthController.ready': 'checkReadiness',

  'PredictionsController.list': 'listPredictions',
  'PredictionsController.create': 'createPrediction',
  'PredictionsController.get': 'getPrediction',
  'PredictionsController.update': 'updatePrediction',
  'PredictionsController.revisions': 'listPredictionRevisions',
  'PredictionsController.override': 'overridePrediction',
  'PredictionsController.resolve': 'resolvePrediction',
  'PredictionsController.undoResolution': 'undoPredictionResolution',
  'PredictionsController.probabilityHistory': 'getPredictionHistory',
  'PredictionsController.audit': 'listPredictionAuditEntries',
  'PredictionsController.whatIf': 'getPredictionWhatIf',
  'PredictionsController.explain': 'explainPrediction',
  'PredictionsController.scorecard': 'getPredictionScorecard',

  'ForecastsController.record': 'recordForecast',
  'ForecastsController.history': 'listForecasts',
  'ScorecardsController.all': 'listScorecards',

  'EvidenceController.record': 'recordEvidence',
  'EvidenceController.list': 'listEvidence',
  'EvidenceController.get': 'getEvidence',
  'EvidenceController.retract': 'retractEvidence',

  'IndicatorsController.list': 'listIndicators',
  'IndicatorsController.create': 'createIndicator',
  'IndicatorsController.get': 'getIndicator',
  'IndicatorsController.update': 'updateIndicator',
  'IndicatorsController.recordReading': 'recordIndicatorReading',
  'IndicatorsController.listReadings': 'listIndicatorReadings',
  'IndicatorsController.listLinks': 'listIndicatorLinks',
  'IndicatorsController.replaceLinks': 'replaceIndicatorLinks',

  'SourcesController.list': 'listSources',
  'SourcesController.create': 'createSource',
  'SourcesController.importOpml': 'importSourcesFromOpml',
  'SourcesController.get': 'getSource',
  'SourcesController.update': 'updateSource',
  'SourcesController.remove': 'deleteSource',
  'SourcesController.fetchNow': 'fetchSourceNow',

  'RulesController.create': 'createRule',
  'RulesController.preview': 'previewRule',
  'RulesController.rerun': 'rerunRule',
  'RulesController.list': 'listRules',
  'RulesController.get': 'getRule',
  'RulesController.update': 'updateRule',
  'RulesController.delete': 'deleteRule',

  'TermSetsController.list': 'listTermSets',
  'TermSetsController.create': 'createTermSet',
  'TermSetsController.get': 'getTermSet',
  'TermSetsController.update': 'updateTermSet',
  'TermSetsController.delete': 'deleteTermSet',
  'TermSetsController.revisions': 'listTermSetRevisions',
  'TermSetsController.preview': 'previewTermSet',

  'SignalsController.submit': 'submitSignals',
  'SignalsController.list': 'listSignals',
  'SignalsController.review': 'listSignalInbox',
  'SignalsController.get': 'getSignal',
  'SignalsController.accept': 'acceptSignal',
  'SignalsController.reject': 'rejectSignal',

  'WebhooksController.create': 'createWebhook',
  'WebhooksController.list': 'listWebhooks',
  'WebhooksController.get': 'getWebhook',
  'WebhooksController.update': 'updateWebhook',
  'WebhooksController.delete': 'deleteWebhook',
  'WebhooksController.rotateSecret': 'rotateWebhookSecret',
  'WebhooksController.deliveryLog': 'listWebhookDeliveries',
  'WebhooksController.redeliver': 'redeliverWebhookDelivery',
  'WebhooksController.test': 'testWebhook',

  'SubscribersController.create': 'createSubscriber',
  'SubscribersController.list': 'listSubscribers',
  'SubscribersController.get': 'getSubscriber',
  'SubscribersController.update': 'updateSubscriber',
  'SubscribersController.delete': 'deleteSubscriber',
  'SubscribersController.preview': 'previewDigest',
  'SubscribersController.sendDigest': 'sendDigest',

  'UnsubscribeController.confirm': 'showUnsubscribePage',
  'UnsubscribeController.unsubscribe': 'unsubscribe',

  'ApiKeysController.create': 'createApiKey',
  'ApiKeysController.list': 'listApiKeys',
  'ApiKeysController.revoke': 'revokeApiKey',

  'MeController.me': 'getMe',
  'UsersController.invite': 'inviteUser',
  'UsersController.list': 'listUsers',
  'UsersController.get': 'getUser',
  'UsersController.update': 'updateUser',
  'UsersController.createKey': 'createUserApiKey',

  'AuditController.verify': 'verifyAudit',
  'AuditController.verifyWithSaved': 'verifyAuditAgainstCheckpoints',
  'AuditController.listCheckpoints': 'listAuditCheckpoints',
  'AuditController.signCheckpoints': 'signAuditCheckpoints',
  'AuditController.listSignedHeads': 'listSignedHeads',
  'AuditController.listKeys': 'listAuditKeys',
  'AuditController.rotateKey': 'rotateAuditKey',
};

/** `listPredictions` for an operation the table does not name yet: the method's verb and the controller's resource. */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  const known = OPERATION_IDS[`${controllerKey}.${methodKey}`];
  if (known) return known;
  const plural = controllerKey.replace(/Controller$/, '');
  const singular = plural.replace(/ies$/, 'y').replace(/(?<!s)s$/, '');
  if (methodKey === 'list') return `list${plural}`;
  if (/^[a-z]+$/.test(methodKey)) return `${methodKey}${singular}`;
  return methodKey;
}

/** "listPredictions" -> "List predictions": the operation's summary when it has none of its own. */
export function summaryOf(operationId: string): string {
  const words = operationId.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
