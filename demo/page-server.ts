/**
 * The demo page's own server: the static page, `GET /events` (server-sent events: the whole snapshot whenever it
 * changes; it is small, and a full snapshot can never be applied out of order), and the POST endpoints the page
 * calls. Every body is checked with zod; a bad one is a 400 naming the field. Nothing here talks to the bot except
 * through lark-wire (signed Lark events and callbacks) and the sources' webhooks.
 */
import express, { type Request, type Response } from 'express';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { click, say, type BotWire } from './lark-wire.js';
import { pushHintRequest, sourceRequest, type SourceKind, type SourceRequest, type SourceSecrets } from './samples.js';
import { snapshot, type DemoWorld } from './state.js';

export interface PageDeps {
  world: DemoWorld;
  wire: BotWire;
  secrets: SourceSecrets;
  /** How often the snapshot is compared for changes, ms. */
  watchMs?: number;
}

const Say = z.object({
  person: z.string().min(1),
  text: z.string().trim().min(1).max(4_000),
  mentionBot: z.boolean().default(false),
  chatId: z.string().min(1).optional(),
  rootId: z.string().min(1).optional(),
});
const Click = z.object({
  person: z.string().min(1),
  messageId: z.string().min(1),
  value: z.unknown(),
  tag: z.string().optional(),
  option: z.string().optional(),
  inputValue: z.string().optional(),
  formValue: z.record(z.string(), z.unknown()).optional(),
});
const Level = z.enum(['P0', 'P1', 'P2', 'P3']);
/** `notify`: the demo Guance also sends a push hint, as a configured notification strategy would (else: poll / sync turn). */
const Notify = z.boolean().default(true);
const NewIssue = z.object({ name: z.string().trim().min(1).max(200), level: Level.default('P1'), description: z.string().max(2_000).default(''), notify: Notify });
const Burst = z.object({ level: Level.default('P2'), notify: Notify });
const GuanceReply = z.object({ issue: z.string().min(1), text: z.string().trim().min(1).max(2_000), author: z.string().min(1).default('Guance User'), notify: Notify });
const GuanceStatus = z.object({
  issue: z.string().min(1),
  statusType: z.coerce.number().int().refine((n) => [10, 15, 20, 25, 30].includes(n), { error: 'must be 10, 15, 20, 25 or 30' }),
  author: z.string().min(1).default('Guance User'),
  notify: Notify,
});

/** Parses the body or answers 400 with the first problem. */
function parse<T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined {
  const result = schema.safeParse(req.body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  res.status(400).json({ error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` });
  return undefined;
}

const EXCERPTS = ['Checkout latency above 2 s', 'Payment callback 500s', 'Search index lagging', 'Login rate dropped', 'Cache miss storm', 'Disk 95% on db-2', 'Queue backlog growing', 'TLS certificate expires soon', 'Memory leak in worker', 'Timeouts calling inventory'];

export interface PageServer {
  app: express.Express;
  /** Closes every open event stream (server.close() waits for them otherwise). */
  closeStreams(): void;
}

export function createPageServer(deps: PageDeps): PageServer {
  const { world, wire, secrets } = deps;
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.use(express.static(fileURLToPath(new URL('./page/', import.meta.url))));

  // One watcher for every stream: the snapshot is built once per tick, not once per open tab.
  const streams = new Set<Response>();
  let last = '';
  const publish = (force?: Response) => {
    const text = JSON.stringify(snapshot(world));
    if (force) return void force.write(`event: snapshot\ndata: ${text}\n\n`);
    if (text === last) return;
    last = text;
    for (const res of streams) res.write(`event: snapshot\ndata: ${text}\n\n`);
  };
  const timer = setInterval(() => streams.size > 0 && publish(), deps.watchMs ?? 200);
  timer.unref();

  app.get('/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    streams.add(res);
    publish(res);
    req.on('close', () => streams.delete(res));
  });

  const toBot = (request: SourceRequest) => fetch(`${wire.botUrl}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
  /** The push hint is best effort, as in Guance: a lost one only means the bot finds the change at its next poll or sync turn. */
  const hint = (notify: boolean, uuids: string[], event: string) => {
    if (notify) void toBot(pushHintRequest(uuids, event, secrets)).catch(() => undefined);
  };

  let sourceCount = 0;
  let issueCount = 0;
  const createIssue = (name: string, level: string, description: string) => {
    const issue = world.guance.createIssue({ name, level, description, creatorName: 'Guance User', resource: 'demo-service' });
    world.issues.push(issue.uuid);
    return issue;
  };

  app.post('/api/say', async (req, res) => {
    const body = parse(Say, req, res);
    if (!body) return;
    const { said, answer } = await say(wire, {
      chatId: body.chatId ?? world.chatId,
      senderOpenId: body.person,
      text: body.text,
      mentionBot: body.mentionBot,
      ...(body.rootId ? { rootId: body.rootId } : {}),
    });
    world.said.push(said);
    publish();
    res.status(answer.status === 200 ? 200 : 502).json({ messageId: said.messageId, botStatus: answer.status });
  });

  app.post('/api/click', async (req, res) => {
    const body = parse(Click, req, res);
    if (!body) return;
    const { person, ...rest } = body;
    const answer = await click(wire, { ...rest, operatorOpenId: person });
    const card = (answer.body.card as { type?: string; data?: unknown } | undefined);
    if (card?.type === 'raw' && card.data) world.answeredCards.set(body.messageId, { card: card.data, at: Date.now() });
    publish();
    res.status(answer.status === 200 ? 200 : 502).json({ botStatus: answer.status, toast: answer.body.toast ?? null });
  });

  app.post('/api/guance/issue', (req, res) => {
    const body = parse(NewIssue, req, res);
    if (!body) return;
    const issue = createIssue(body.name, body.level, body.description || `${body.name}: seen on demo-service.`);
    hint(body.notify, [issue.uuid], 'issue.created');
    res.json({ uuid: issue.uuid });
  });

  app.post('/api/guance/burst', (req, res) => {
    const body = parse(Burst, req, res);
    if (!body) return;
    const uuids = EXCERPTS.map((text) => createIssue(`${text} (${++issueCount})`, body.level, `${text}: part of a burst.`).uuid);
    hint(body.notify, uuids, 'issue.created');
    res.json({ uuids });
  });

  app.post('/api/guance/reply', (req, res) => {
    const body = parse(GuanceReply, req, res);
    if (!body) return;
    if (!world.guance.issue(body.issue)) return void res.status(404).json({ error: 'no such issue' });
    world.guance.addReply(body.issue, { content: body.text, authorName: body.author });
    hint(body.notify, [body.issue], 'issue.reply');
    res.json({ ok: true });
  });

  app.post('/api/guance/status', (req, res) => {
    const body = parse(GuanceStatus, req, res);
    if (!body) return;
    if (!world.guance.issue(body.issue)) return void res.status(404).json({ error: 'no such issue' });
    world.guance.setStatus(body.issue, body.statusType, body.author);
    hint(body.notify, [body.issue], 'issue.status');
    res.json({ ok: true });
  });

  app.post('/api/source/:kind', async (req, res) => {
    const kind = z.enum(['sentry', 'alert', 'error']).safeParse(req.params.kind);
    if (!kind.success) return void res.status(404).json({ error: 'sources are sentry, alert and error' });
    const request = sourceRequest(kind.data as SourceKind, ++sourceCount, secrets);
    const answer = await toBot(request);
    res.status(answer.ok ? 200 : 502).json({ botStatus: answer.status });
  });

  return {
    app,
    closeStreams() {
      clearInterval(timer);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
