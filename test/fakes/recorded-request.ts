/** What both HTTP fakes record of every request they receive. */
export interface RecordedRequest {
  id: number;
  /** Arrival time, ms (the fake's clock). */
  at: number;
  method: string;
  /** Path without the query string, e.g. `/api/v1/issue/list`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it was not JSON; `undefined` when there was none. */
  body: unknown;
  /** HTTP status answered; `0` while in flight and for dropped connections. */
  status: number;
}
