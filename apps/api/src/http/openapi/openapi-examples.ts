/** Request bodies a client can send as they are, by operationId: the first thing a reader of /docs tries. */
export const REQUEST_EXAMPLES: Readonly<Record<string, { summary: string; value: unknown }>> = {
  createPrediction: {
    summary: 'A prediction with a 40% prior and a deadline',
    value: {
      slug: 'taiwan-export-controls-24m',
      title: 'Taiwan tightens chip export controls within 24 months',
      statement: 'Taiwan adds advanced-node chip equipment bound for China to its export control list.',
      resolutionCriteria: 'An official notice of the Taiwanese government, published before the deadline.',
      prior: 0.4,
      deadline: '2028-06-30T00:00:00Z',
    },
  },
  recordEvidence: {
    summary: 'Evidence bearing on two predictions: a likelihood ratio on one, direction and strength on the other',
    value: {
      summary: 'BIS adds two Chinese AI labs to the Entity List',
      sourceUrl: 'https://www.federalregister.gov/documents/example',
      observedAt: '2026-11-20T14:00:00Z',
      reliability: 0.9,
      impacts: [
        { prediction: 'deepseek-blacklisted-12m', likelihoodRatio: 3 },
        { prediction: 'us-china-ai-bifurcation', direction: 'supports', strength: 'weak' },
      ],
    },
  },
  retractEvidence: { summary: 'Why it no longer counts', value: { reason: 'The report was withdrawn by its publisher' } },
  overridePrediction: { summary: 'Set the probability by hand', value: { probability: 0.55, reason: 'Senate hearing testimony not captured by any source' } },
  resolvePrediction: {
    summary: 'It happened',
    value: { outcome: 'true', note: 'Added to the Entity List', sourceUrl: 'https://www.federalregister.gov/documents/example', occurredAt: '2026-11-20T14:00:00Z' },
  },
  recordForecast: { summary: "An analyst's own probability", value: { probability: 0.6, note: 'Hiring data points the same way' } },
  createIndicator: {
    summary: 'An indicator measured in percent',
    value: { slug: 'ascend-share-new-clusters', name: 'Ascend share of new AI clusters', description: 'Share of newly announced Chinese AI clusters built on Huawei Ascend.', unit: '%' },
  },
  recordIndicatorReading: { summary: 'A reading in the indicator\'s unit', value: { value: 27.5, observedAt: '2026-11-20T00:00:00Z', note: 'Quarterly filing' } },
  submitSignals: {
    summary: 'Two items, deduped and routed like fetched ones',
    value: {
      items: [
        { title: 'DeepSeek posts job ads for ASIC and FPGA engineers', url: 'https://news.example.org/deepseek-asic-hiring', publishedAt: '2026-11-20T09:00:00Z' },
        { title: 'Province announces AI chip subsidies', summary: 'A fund for domestic accelerators', publishedAt: '2026-11-21T09:00:00Z' },
      ],
    },
  },
  acceptSignal: {
    summary: 'Accept with your own impact (leave impacts out to take the rules\' suggestion)',
    value: { impacts: [{ prediction: 'deepseek-blacklisted-12m', direction: 'supports', strength: 'moderate' }], reliability: 0.8 },
  },
  rejectSignal: { summary: 'Reject with a reason', value: { reason: 'Rumour, no primary source' } },
  createRule: {
    summary: 'Route hiring news to an indicator',
    value: { name: 'DeepSeek hardware hiring', query: '(deepseek OR "high-flyer") (hire OR recruit*) (chip* OR asic* OR fpga*)' },
  },
  createWebhook: { summary: 'Every event, moves of 5 points or more', value: { url: 'https://hooks.example.org/bellwether', events: ['*'], minProbabilityChange: 0.05 } },
  createSubscriber: { summary: 'A daily digest at 8 in Berlin', value: { email: 'analyst@example.org', frequency: 'daily', timezone: 'Europe/Berlin', sendHour: 8 } },
  createApiKey: { summary: 'An analyst key', value: { name: 'Desk analyst', role: 'analyst' } },
};
