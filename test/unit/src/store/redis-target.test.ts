import { describe, expect, it } from 'vitest';
import { RedisTargetError, parseRedisTarget, redactUserinfo, type RedisMode } from '../../../../src/store/redis-target.js';

const SECRET = 's3cr3t-pa55';

/** The error `parseRedisTarget` throws, so its message can be read. */
function failure(mode: RedisMode, value: string): RedisTargetError {
  try {
    parseRedisTarget(mode, value);
  } catch (error) {
    if (error instanceof RedisTargetError) return error;
    throw error;
  }
  throw new Error(`expected ${mode} "${value}" to be refused`);
}

describe('parseRedisTarget: single', () => {
  it('reads one URL with its database, password and port', () => {
    expect(parseRedisTarget('single', `redis://:${SECRET}@cache.internal:6380/3`)).toEqual({
      mode: 'single',
      url: `redis://:${SECRET}@cache.internal:6380/3`,
      nodes: [{ host: 'cache.internal', port: 6380 }],
      password: SECRET,
      db: 3,
      tls: false,
    });
  });

  it('defaults the port to 6379 and the database to 0; rediss:// is TLS; a username is kept', () => {
    const target = parseRedisTarget('single', 'rediss://bot:pw@redis.example.com');
    expect(target).toMatchObject({ nodes: [{ host: 'redis.example.com', port: 6379 }], db: 0, tls: true, username: 'bot', password: 'pw' });
  });

  it('decodes percent-encoded credentials and unwraps IPv6 hosts', () => {
    const target = parseRedisTarget('single', 'redis://us%40er:p%3Ass@[::1]:7000');
    expect(target).toMatchObject({ username: 'us@er', password: 'p:ss', nodes: [{ host: '::1', port: 7000 }] });
  });

  it('refuses several URLs and points at REDIS_MODE', () => {
    expect(failure('single', 'redis://a:6379,redis://b:6379').message).toMatch(/REDIS_MODE=sentinel or REDIS_MODE=cluster/);
  });

  it('refuses a database that is not a whole number', () => {
    expect(failure('single', 'redis://a:6379/x').message).toMatch(/database "x" must be a whole number/);
  });
});

describe('parseRedisTarget: sentinel', () => {
  it('reads the Sentinels, the group name from the first path and the database from ?db', () => {
    const target = parseRedisTarget('sentinel', `redis://:${SECRET}@s1:26380/prod-master?db=2, redis://s2 ,redis://s3:26381`);
    expect(target).toMatchObject({
      mode: 'sentinel',
      nodes: [
        { host: 's1', port: 26380 },
        { host: 's2', port: 26379 },
        { host: 's3', port: 26381 },
      ],
      password: SECRET,
      db: 2,
      tls: false,
      sentinelName: 'prod-master',
    });
  });

  it('defaults the group name to mymaster and the Sentinel port to 26379', () => {
    expect(parseRedisTarget('sentinel', 'redis://s1')).toMatchObject({ sentinelName: 'mymaster', nodes: [{ host: 's1', port: 26379 }], db: 0 });
  });
});

describe('parseRedisTarget: cluster', () => {
  it('reads every seed node; credentials and TLS come from the first', () => {
    const target = parseRedisTarget('cluster', `rediss://:${SECRET}@n1:7000,rediss://n2:7001,rediss://n3`);
    expect(target).toMatchObject({
      mode: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
        { host: 'n3', port: 6379 },
      ],
      password: SECRET,
      db: 0,
      tls: true,
    });
    expect(target.sentinelName).toBeUndefined();
  });

  it('takes one seed (the rest are discovered) and an explicit /0', () => {
    expect(parseRedisTarget('cluster', 'redis://n1:7000/0').nodes).toEqual([{ host: 'n1', port: 7000 }]);
  });

  it('refuses a database other than 0', () => {
    expect(failure('cluster', 'redis://n1:7000/1').message).toMatch(/only database 0/);
  });
});

describe('parseRedisTarget: what is not a Redis target', () => {
  it.each<[RedisMode, string, RegExp]>([
    ['single', '', /must name a Redis server/],
    ['cluster', ' , ,', /must name a Redis server/],
    ['single', 'http://host:6379', /must be a redis:\/\/ or rediss:\/\/ URL/],
    ['cluster', 'redis://n1:7000,n2:7001', /must be a redis:\/\/ or rediss:\/\/ URL|is not a redis/],
    ['single', 'not a url', /is not a redis:\/\/ or rediss:\/\/ URL/],
  ])('%s %j is refused', (mode, value, message) => {
    expect(failure(mode, value).message).toMatch(message);
  });

  it.each<[RedisMode, string]>([
    ['single', `redis://:${SECRET}@host:6379,redis://other`],
    ['single', `http://user:${SECRET}@host:6379`],
    ['sentinel', `redis://:${SECRET}@s1:26379,redis://:${SECRET}@s2:bad-port`],
    ['cluster', `redis://:${SECRET}@n1:7000/5`],
    ['single', `redis://:${SECRET}@host:6379/x`],
    ['cluster', `redis://:${SECRET}@n1:7000,ftp://:${SECRET}@n2:7001`],
    // Unencoded `/`, `?`, `#` in a password make the URL unparseable: the message still hides it.
    ['single', `redis://:${SECRET}/x@host:6379`],
    ['single', `redis://:${SECRET}?x@host:6379`],
    ['sentinel', `redis://:${SECRET}#x@s1:26379`],
  ])('%s: the password never appears in the message (%#)', (mode, value) => {
    const error = failure(mode, value);
    expect(error).toBeInstanceOf(RedisTargetError);
    expect(error.message).not.toContain(SECRET);
  });
});

describe('redactUserinfo', () => {
  it('removes the userinfo of every URL in a list, and leaves URLs without one alone', () => {
    expect(redactUserinfo(`redis://:${SECRET}@a:1,redis://u:${SECRET}@b:2,redis://c:3`)).toBe('redis://[redacted]@a:1,redis://[redacted]@b:2,redis://c:3');
  });
});
