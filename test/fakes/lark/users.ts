/** The Lark fake's contact directory (../shared/reference/lark-platform.md §6.6). */
import { z } from 'zod';
import type { Reply } from '../core/http-fake.js';
import { fail, ok, requiredQuery, stableHex, validate } from './wire.js';

export interface FakeUser {
  open_id: string;
  name: string;
  email?: string;
  mobile?: string;
  /** Optional extras; union_id / user_id are derived from open_id when omitted. */
  en_name?: string;
  union_id?: string;
  user_id?: string;
  /** Resigned users are only found by batch_get_id with include_resigned: true. */
  resigned?: boolean;
}

export const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
type UserIdType = (typeof USER_ID_TYPES)[number];

const BatchGetIdBody = z.object({
  emails: z.array(z.string()).max(50).optional(),
  mobiles: z.array(z.string()).max(50).optional(),
  include_resigned: z.boolean().optional(),
});

const normalizeMobile = (mobile: string): string => mobile.replace(/[\s-]/g, '').replace(/^\+86/, '');

export class LarkUsers {
  /** Makes GET contact/v3/users/:id answer 41050 for everyone. */
  denyContactRead = false;
  private readonly users = new Map<string, FakeUser>();

  add(user: FakeUser): void {
    if (typeof user.open_id !== 'string' || user.open_id === '') throw new TypeError('addUser: open_id is required');
    this.users.set(user.open_id, { ...user });
  }

  find(type: UserIdType, id: string): FakeUser | undefined {
    for (const u of this.users.values()) if (idOf(u, type) === id) return u;
    return undefined;
  }

  /** POST contact/v3/users/batch_get_id: unknown (or hidden resigned) users come back without user_id. */
  batchGetId(query: Record<string, string>, body: unknown): Reply {
    const idType = requiredQuery(query.user_id_type ?? 'open_id', 'user_id_type', USER_ID_TYPES);
    const req = validate(BatchGetIdBody, body);
    const visible = (u: FakeUser | undefined): u is FakeUser => u !== undefined && (req.include_resigned === true || !u.resigned);
    const all = [...this.users.values()];
    const entry = (u: FakeUser | undefined, key: 'email' | 'mobile', value: string): Record<string, unknown> =>
      visible(u) ? { user_id: idOf(u, idType), [key]: value, status: userStatus(u) } : { [key]: value };
    const userList = [
      ...(req.emails ?? []).map((email) =>
        entry(all.find((u) => u.email?.toLowerCase() === email.toLowerCase()), 'email', email)),
      ...(req.mobiles ?? []).map((mobile) =>
        entry(all.find((u) => u.mobile !== undefined && normalizeMobile(u.mobile) === normalizeMobile(mobile)), 'mobile', mobile)),
    ];
    return ok({ data: { user_list: userList } });
  }

  /** GET contact/v3/users/:id. */
  get(userId: string, query: Record<string, string>): Reply {
    const idType = requiredQuery(query.user_id_type ?? 'open_id', 'user_id_type', USER_ID_TYPES);
    if (this.denyContactRead) fail(41050, 'no user authority error');
    const u = this.find(idType, userId);
    // Lark does not tell "unknown" from "outside the app's contact range": both are 41050.
    if (!u) fail(41050, 'no user authority error');
    const user: Record<string, unknown> = {
      union_id: idOf(u, 'union_id'),
      user_id: idOf(u, 'user_id'),
      open_id: u.open_id,
      name: u.name,
      en_name: u.en_name ?? u.name,
      ...(u.email !== undefined ? { email: u.email } : {}),
      ...(u.mobile !== undefined ? { mobile: u.mobile } : {}),
      avatar: { avatar_72: `https://example.invalid/avatar/${u.open_id}?size=72` },
      status: userStatus(u),
    };
    return ok({ data: { user } });
  }
}

function idOf(u: FakeUser, type: UserIdType): string {
  if (type === 'open_id') return u.open_id;
  if (type === 'union_id') return u.union_id ?? `on_${stableHex(`union:${u.open_id}`, 32)}`;
  return u.user_id ?? stableHex(`user:${u.open_id}`, 8);
}

function userStatus(u: FakeUser): Record<string, boolean> {
  const resigned = u.resigned === true;
  return { is_frozen: false, is_resigned: resigned, is_activated: !resigned, is_exited: false, is_unjoin: false };
}
