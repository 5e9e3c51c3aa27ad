/** The normalised model every source adapter produces; declared in src/ because the ingest job's payload is it. */
export * from '../../src/sources/notification.js';
