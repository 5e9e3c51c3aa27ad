/** Channels (频道) of the Guance fake (../shared/reference/guance-openapi.md §2.1). */
import type { Channel } from './wire-types.js';
import {
  DEFAULT_CHANNEL_NAME, DEFAULT_CHANNEL_UUID, GuanceFakeError, checkName, clone, hex32, isRecord, type Workspace,
} from './workspace.js';

/** `[{type:'#', uuid}]` entries of an `extend.channels` value; anything else is ignored. */
export function mentionedChannels(extend: Record<string, unknown> | undefined): string[] {
  const list = extend?.['channels'];
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => (isRecord(entry) && typeof entry['uuid'] === 'string' ? [entry['uuid']] : []));
}

export class Channels {
  private readonly rows = new Map<string, Channel>();
  private nextId = 38;

  constructor(private readonly ws: Workspace) {
    this.seedDefault();
  }

  /** Every channel, deleted ones included (quick_list shows them with a real `deleteAt`). */
  list(): Channel[] {
    return [...this.rows.values()].map(clone);
  }

  add(name: string, creator: string, description = '', notifyTarget: string[] = []): Channel {
    checkName(name);
    if ([...this.rows.values()].some((row) => row.deleteAt === -1 && row.name === name)) {
      throw new GuanceFakeError(400, 'ft.ChannelNameExists', `A channel named "${name}" already exists`);
    }
    const channel = this.row(name, creator, this.ws.nowSec(), ++this.nextId, `chan_${hex32()}`);
    channel.description = description;
    channel.notifyTarget = [...notifyTarget];
    this.rows.set(channel.uuid, channel);
    return clone(channel);
  }

  /** Soft delete, as the real service does: the channel stays in quick_list with a real `deleteAt`. */
  delete(uuid: string, by: string): void {
    const row = this.live(uuid);
    if (row.uuid === DEFAULT_CHANNEL_UUID) throw new GuanceFakeError(400, 'ft.ParamError', 'The default channel cannot be deleted');
    const at = this.ws.nowSec();
    row.deleteAt = at;
    row.updateAt = at;
    row.updator = by;
  }

  /** A live channel by uuid, or `ft.ChannelNotFound` (400). */
  live(uuid: string): Channel {
    const row = this.rows.get(uuid);
    if (row === undefined || row.deleteAt !== -1) {
      throw new GuanceFakeError(400, 'ft.ChannelNotFound', `Channel ${uuid} does not exist or has been deleted`);
    }
    return row;
  }

  /** `{name, uuid}` of the live channels among `uuids`, in that order. */
  bindings(uuids: readonly string[]): { name: string; uuid: string }[] {
    return uuids
      .map((uuid) => this.rows.get(uuid))
      .filter((c): c is Channel => c !== undefined && c.deleteAt === -1)
      .map((c) => ({ name: c.name, uuid: c.uuid }));
  }

  /** A live channel by uuid or name; unknown names are created (as a person would in the UI). */
  forHelper(nameOrUuid: string): string {
    const live = [...this.rows.values()].filter((row) => row.deleteAt === -1);
    const found = live.find((row) => row.uuid === nameOrUuid) ?? live.find((row) => row.name === nameOrUuid);
    if (found !== undefined) return found.uuid;
    if (nameOrUuid.startsWith('chan_')) throw new Error(`guance fake: no live channel ${nameOrUuid}`);
    return this.add(nameOrUuid, this.ws.person()).uuid;
  }

  /** Drops every added channel; the default one stays. */
  reset(): void {
    this.rows.clear();
    this.seedDefault();
  }

  private seedDefault(): void {
    const at = Math.floor(this.ws.options.now() / 1000) - 86_400 * 30;
    this.rows.set(DEFAULT_CHANNEL_UUID, this.row(DEFAULT_CHANNEL_NAME, this.ws.person(), at, 1, DEFAULT_CHANNEL_UUID));
  }

  private row(name: string, creator: string, at: number, id: number, uuid: string): Channel {
    return {
      createAt: at, creator, deleteAt: -1, description: '', id, name, notifyTarget: [], status: 0, subscribeType: '',
      updateAt: at, updator: creator, uuid, workspaceUUID: this.ws.options.workspaceUUID,
    };
  }
}
