/** Webhook sources (Guance monitor alerts, Sentry, the error API) → one normalised path to cards; Guance push hints. */
export { hintPoll, hintSync } from './hint-jobs.js';
export { ingestNotification } from './ingest.js';
export { onErrorReport, onGuanceAlert, onGuancePush, onSentry } from './webhooks.js';
