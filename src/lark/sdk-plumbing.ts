/** What node-sdk needs from us: a per-client token cache, a logger that keeps secrets out, an HTTP instance with a timeout. */
import * as lark from '@larksuiteoapi/node-sdk';
import { makeRedactor, type Logger } from '../logger.js';
import { scrubTokens } from './errors-map.js';

/** Per-client token cache (the SDK's default is process-wide per appId); `clear()` drops a rejected token. */
export class TokenCache implements lark.Cache {
  private readonly values = new Map<string, { value: unknown; expiresAt: number | undefined }>();

  private static keyOf(key: unknown, namespace: string | undefined): string {
    return `${namespace ?? ''}/${String(key)}`;
  }

  get = async (key: unknown, options?: { namespace?: string }): Promise<unknown> => {
    const entry = this.values.get(TokenCache.keyOf(key, options?.namespace));
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) return undefined;
    return entry.value;
  };

  set = async (key: unknown, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> => {
    this.values.set(TokenCache.keyOf(key, options?.namespace), { value, expiresAt: expire });
    return true;
  };

  clear(): void {
    this.values.clear();
  }
}

/** A short, secret-free rendering of what the SDK logs (it logs whole AxiosErrors, token request included). */
function safeDescribe(value: unknown, redact: (value: unknown) => unknown): string {
  let text: string;
  try {
    text = JSON.stringify(redact(value)) ?? String(value);
  } catch {
    text = '[unprintable]';
  }
  return scrubTokens(text).slice(0, 2000);
}

/** The SDK logs errors itself (at error level); ours are reported by this client, so the SDK's go to debug. */
export function sdkLogger(log: Logger, secrets: string[]): lark.Logger {
  const redact = makeRedactor(secrets);
  const forward =
    (level: string) =>
    (...msg: unknown[]): void => {
      // The SDK's LoggerProxy hands over its arguments as one array.
      const detail = msg.length === 1 ? msg[0] : msg;
      if (log.isDebugEnabled()) log.debug('lark sdk', { sdkLevel: level, detail: safeDescribe(detail, redact) });
    };
  return { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug'), trace: forward('trace') };
}

/**
 * A fresh axios instance of the SDK's own axios (the shared default has no timeout), answering with the body
 * like the SDK's default instance. Non-2xx answers reject with the AxiosError `larkErrorFrom` reads.
 * (The SDK's `$return_headers` option, used only by file downloads, is not supported here.)
 */
export function httpInstance(timeoutMs: number): lark.HttpInstance {
  const http = lark.defaultHttpInstance.create({ timeout: timeoutMs });
  http.interceptors.response.use((resp) => resp.data);
  // axios types its answers as AxiosResponse; the interceptor above makes them the body, which is what the SDK expects.
  const body = <R>(answer: Promise<unknown>): Promise<R> => answer as Promise<R>;
  return {
    request: (opts) => body(http.request(opts)),
    get: (url, opts) => body(http.get(url, opts)),
    delete: (url, opts) => body(http.delete(url, opts)),
    head: (url, opts) => body(http.head(url, opts)),
    options: (url, opts) => body(http.options(url, opts)),
    post: (url, data, opts) => body(http.post(url, data, opts)),
    put: (url, data, opts) => body(http.put(url, data, opts)),
    patch: (url, data, opts) => body(http.patch(url, data, opts)),
  };
}
