import { describe, expect, it } from 'vitest';
import { findRoute, type Route } from './routes.js';

describe('findRoute', () => {
  const route = (method: string, pattern: RegExp): Route => ({ method, pattern, handle: () => ({ status: 200, body: null }) });
  const routes = [route('GET', /^\/items\/([^/]+)$/), route('POST', /^\/items$/)];

  it('returns the route with decoded params, wrong-method for a known path, undefined otherwise', () => {
    const found = findRoute(routes, 'GET', '/items/a%20b');
    expect(typeof found === 'object' ? found.params : found).toEqual(['a b']);
    expect(findRoute(routes, 'DELETE', '/items')).toBe('wrong-method');
    expect(findRoute(routes, 'GET', '/nothing')).toBeUndefined();
    expect(typeof findRoute(routes, 'GET', '/items/%E0%A4%A') === 'object').toBe(true); // bad escapes stay as sent
  });
});
