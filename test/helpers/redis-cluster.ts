import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

/**
 * Real Redis topologies of the test's own, made of `redis-server` processes on free ports in a temp directory:
 * a 3-master Cluster, and a master + replica watched by Sentinels. The machine's Redis is shared and never
 * touched. Everything started is stopped (SIGKILL, then the directory removed) by `close()`, on a failed start,
 * and, should the test run itself die, when this process exits.
 */

const run = promisify(execFile);

/** Processes and a directory that belong together, and go together. */
class Servers {
  private readonly children = new Set<ChildProcess>();
  private closed = false;
  /** Should the test run itself end without close(), its servers and files must not outlive it. */
  private readonly onExit = () => {
    this.killAll();
    rmSync(this.dir, { recursive: true, force: true });
  };

  private constructor(readonly dir: string) {
    process.once('exit', this.onExit);
  }

  static async create(label: string): Promise<Servers> {
    return new Servers(await mkdtemp(join(tmpdir(), `lgbt-${label}-`)));
  }

  /** Starts `redis-server args…` and waits until it answers PING on `port` (with `password`, if it needs one). */
  async start(port: number, args: string[], password?: string): Promise<ChildProcess> {
    if (this.closed) throw new Error('servers already closed');
    const child = spawn('redis-server', args, { stdio: 'ignore', cwd: this.dir });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    await waitFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server on ${port} exited (${child.exitCode ?? child.signalCode})`);
      return (await command({ port, password }, 'PING').catch(() => '')) === 'PONG';
    }, `redis-server on port ${port}`, 10_000, 50);
    return child;
  }

  /** SIGKILL: the way a lost host or an OOM kill ends a server, no goodbye to clients or Sentinels. */
  async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  private killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.children].map((child) => this.kill(child)));
    process.removeListener('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Server {
  port: number;
  password?: string | undefined;
}

/** One command on its own short-lived connection (no retries: a probe). */
async function command(server: Server, ...args: string[]): Promise<unknown> {
  const { port, password } = server;
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000, ...(password ? { password } : {}) });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const [name = '', ...rest] = args;
    return await client.call(name, ...rest);
  } finally {
    client.disconnect();
  }
}

/** `field:value` lines (INFO, CLUSTER INFO) as a map. */
const fieldsOf = (text: unknown) => new Map(String(text).split(/\r?\n/).map((line) => line.split(':', 2) as [string, string]));

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A free port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.has(port) || taken.has(port + 10_000)) continue;
    if (await listens(port + 10_000)) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

/** `password`: what clients must AUTH with, and what replicas AUTH to their master with. */
const base = (port: number, dir: string, password?: string) => [
  ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  ...(password ? ['--requirepass', password, '--masterauth', password] : []),
];

/** The password in the first URL only: the bot reads credentials from there (src/store/redis-target.ts). */
const urlsOf = (ports: number[], password?: string, path = '') =>
  ports.map((port, i) => `redis://${i === 0 && password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}${i === 0 ? path : ''}`).join(',');

export interface RedisClusterHandle {
  /** Masters first, then replicas (as `redis-cli --cluster create` pairs them). */
  ports: number[];
  /** REDIS_URL for REDIS_MODE=cluster: every node as a seed. */
  url: string;
  /** The port of the master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs one node. */
  kill(port: number): Promise<void>;
  /** Waits until every replica of the master on `port` has every write that master acknowledged (same offset). */
  replicasCaughtUp(port: number): Promise<void>;
  /** Waits until every node still running says `cluster_state:ok` and `key`'s slot is served by a running master. */
  waitForOk(key: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The master port serving `slot`, from CLUSTER SLOTS ([start, end, [host, port, id], replicas…] per range). */
const slotOwner = (ranges: unknown, slot: number): number | undefined => {
  for (const range of ranges as Array<[number, number, [string, number]]>) if (slot >= range[0] && slot <= range[1]) return Number(range[2][1]);
  return undefined;
};

/**
 * A Redis Cluster of `masters` masters with `replicas` replicas each, every slot assigned, `cluster_state:ok` on
 * every node and every replica in sync. `--cluster-node-timeout 2000`: a dead master is failed over in seconds.
 */
export async function startRedisCluster(options: { masters?: number; replicas?: number; password?: string } = {}): Promise<RedisClusterHandle> {
  const { masters = 3, replicas = 0, password } = options;
  const servers = await Servers.create('cluster');
  try {
    const taken = new Set<number>();
    const ports: number[] = [];
    for (let i = 0; i < masters * (1 + replicas); i += 1) {
      const port = await clusterPort(taken);
      taken.add(port).add(port + 10_000);
      ports.push(port);
    }
    const processes = new Map<number, ChildProcess>();
    await Promise.all(
      ports.map(async (port) => {
        const dir = join(servers.dir, String(port));
        await mkdir(dir);
        const args = [...base(port, dir, password), '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '2000'];
        processes.set(port, await servers.start(port, args, password));
      }),
    );
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], {
      timeout: 20_000,
      // REDISCLI_AUTH rather than -a: no "password on the command line" warning, and not in `ps`.
      env: { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) },
    });
    const alive = () => ports.filter((port) => processes.get(port)?.exitCode === null && processes.get(port)?.signalCode === null);
    const stateOk = async (port: number) => fieldsOf(await command({ port, password }, 'CLUSTER', 'INFO')).get('cluster_state') === 'ok';
    await waitFor(async () => {
      const views = await Promise.all(ports.map(async (port) => [fieldsOf(await command({ port, password }, 'CLUSTER', 'INFO')), fieldsOf(await command({ port, password }, 'INFO', 'replication'))] as const));
      return views.every(([info, replication]) => info.get('cluster_state') === 'ok' && info.get('cluster_known_nodes') === String(ports.length) && (replication.get('role') === 'master' || replication.get('master_link_status') === 'up'));
    }, 'cluster_state:ok on every node, replicas in sync', 20_000, 100);

    const masterOf = async (key: string) => {
      const [first = ports[0] as number] = alive();
      const slot = Number(await command({ port: first, password }, 'CLUSTER', 'KEYSLOT', key));
      const owner = slotOwner(await command({ port: first, password }, 'CLUSTER', 'SLOTS'), slot);
      if (owner === undefined) throw new Error(`slot ${slot} has no master`);
      return owner;
    };
    return {
      ports,
      url: urlsOf(ports.slice(0, masters), password),
      masterOf,
      async replicasCaughtUp(port) {
        await waitFor(async () => {
          const replication = fieldsOf(await command({ port, password }, 'INFO', 'replication'));
          const offset = replication.get('master_repl_offset');
          // slaveN:ip=…,port=…,state=online,offset=…,lag=…
          const replicaOffsets = [...replication.entries()].filter(([field]) => /^slave\d+$/.test(field)).map(([, value]) => /offset=(\d+)/.exec(value)?.[1]);
          return replicaOffsets.length > 0 && replicaOffsets.every((replicaOffset) => replicaOffset === offset);
        }, `the replicas of ${port} to catch up`, 10_000, 20);
      },
      async kill(port) {
        const child = processes.get(port);
        if (child) await servers.kill(child);
      },
      async waitForOk(key, timeoutMs = 20_000) {
        await waitFor(async () => {
          const running = alive();
          const states = await Promise.all(running.map(stateOk));
          return states.every(Boolean) && running.includes(await masterOf(key));
        }, `the cluster to serve ${key} again`, timeoutMs, 100);
      },
      close: () => servers.close(),
    };
  } catch (error) {
    await servers.close();
    throw error;
  }
}

export interface SentinelGroupHandle {
  name: string;
  masterPort: number;
  replicaPort: number;
  sentinelPorts: number[];
  /** REDIS_URL for REDIS_MODE=sentinel: every Sentinel, the group name as the first URL's path. */
  url: string;
  /** The port of the master the Sentinels name now. */
  currentMaster(): Promise<number>;
  /** Waits until the replica has every write the master acknowledged (same replication offset). */
  replicaCaughtUp(): Promise<void>;
  /** SIGKILLs the first master (no failover yet: that takes the Sentinels a second or more). */
  killMaster(): Promise<void>;
  /** Waits until every Sentinel names the replica as the master and the replica says it is one. */
  waitForFailover(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A master, one replica (`--replicaof`) and `sentinels` Sentinels (quorum: a majority) watching them as `name`.
 * `password` protects master and replica (the Sentinels themselves take none, as REDIS_URL's forms assume).
 * Failover is quick: the master is "down" after 1 s unanswered (`down-after-milliseconds`), a failed attempt is
 * retried after 3 s (`failover-timeout`). A Sentinel rewrites its config file, so each gets a writable one.
 */
export async function startSentinelGroup(options: { sentinels?: number; name?: string; password?: string } = {}): Promise<SentinelGroupHandle> {
  const { sentinels = 3, name = 'mymaster', password } = options;
  const servers = await Servers.create('sentinel');
  try {
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    const [master, replica] = [{ port: masterPort, password }, { port: replicaPort, password }];
    const masterProcess = await servers.start(masterPort, [...base(masterPort, servers.dir, password), '--dbfilename', 'master.rdb'], password);
    await servers.start(replicaPort, [...base(replicaPort, servers.dir, password), '--dbfilename', 'replica.rdb', '--replicaof', '127.0.0.1', String(masterPort)], password);
    await waitFor(async () => fieldsOf(await command(replica, 'INFO', 'replication')).get('master_link_status') === 'up', 'the replica in sync', 10_000);
    const quorum = Math.floor(sentinels / 2) + 1;
    const sentinelPorts: number[] = [];
    for (let i = 0; i < sentinels; i += 1) sentinelPorts.push(await freePort());
    await Promise.all(
      sentinelPorts.map(async (port) => {
        const file = join(servers.dir, `sentinel-${port}.conf`);
        const lines = [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${servers.dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${quorum}`,
          ...(password ? [`sentinel auth-pass ${name} ${password}`] : []),
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 3000`,
          `sentinel parallel-syncs ${name} 1`,
        ];
        await writeFile(file, `${lines.join('\n')}\n`);
        await servers.start(port, [file, '--sentinel']);
      }),
    );
    const masterOf = async (port: number) => Number((((await command({ port }, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[]) ?? [])[1]);
    // Ready for a failover once every Sentinel knows the replica and the other Sentinels (hello messages, ~2 s).
    await waitFor(async () => {
      const views = await Promise.all(sentinelPorts.map((port) => command({ port }, 'SENTINEL', 'MASTER', name) as Promise<string[]>));
      return views.every((view) => {
        const fields = new Map<string, string>();
        for (let i = 0; i + 1 < view.length; i += 2) fields.set(String(view[i]), String(view[i + 1]));
        return fields.get('num-slaves') === '1' && fields.get('num-other-sentinels') === String(sentinels - 1);
      });
    }, 'the Sentinels to know the replica and each other', 20_000, 100);

    const offsets = async () => {
      const mine = fieldsOf(await command(master, 'INFO', 'replication'));
      const theirs = fieldsOf(await command(replica, 'INFO', 'replication'));
      return [mine.get('master_repl_offset'), theirs.get('slave_repl_offset')];
    };
    return {
      name,
      masterPort,
      replicaPort,
      sentinelPorts,
      url: urlsOf(sentinelPorts, password, `/${name}`),
      currentMaster: () => masterOf(sentinelPorts[0] as number),
      async replicaCaughtUp() {
        await waitFor(async () => {
          const [mine, theirs] = await offsets();
          return mine !== undefined && mine === theirs;
        }, 'the replica to catch up', 10_000, 20);
      },
      killMaster: () => servers.kill(masterProcess),
      async waitForFailover(timeoutMs = 20_000) {
        await waitFor(async () => {
          const named = await Promise.all(sentinelPorts.map(masterOf));
          const role = fieldsOf(await command(replica, 'INFO', 'replication')).get('role');
          return named.every((port) => port === replicaPort) && role === 'master';
        }, 'the Sentinels to promote the replica', timeoutMs, 100);
      },
      close: () => servers.close(),
    };
  } catch (error) {
    await servers.close();
    throw error;
  }
}
