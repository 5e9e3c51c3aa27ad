/**
 * `pbbp2.Frame`, the long connection's protobuf message (../shared/reference/lark-platform.md §3 "Protocol"),
 * written here from the field list rather than taken from node-sdk, so the fake checks the SDK's real wire format:
 * 1 SeqID uint64, 2 LogID uint64, 3 service int32, 4 method int32, 5 headers {1 key, 2 value}, 6 payloadEncoding,
 * 7 payloadType, 8 payload bytes, 9 LogIDNew.
 */
export interface FrameHeader {
  key: string;
  value: string;
}

/** pbbp2.Frame; fields 1–4 are proto2 `required` (the SDK's decoder throws without them). */
export interface Frame {
  SeqID: bigint;
  LogID: bigint;
  service: number;
  /** 0 = control (ping/pong), 1 = data. */
  method: number;
  headers: FrameHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Buffer;
  LogIDNew?: string;
}

function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Buffer.from(bytes);
}

const key = (field: number, wireType: 0 | 2): Buffer => varint(BigInt((field << 3) | wireType));
const lengthDelimited = (field: number, bytes: Buffer): Buffer => Buffer.concat([key(field, 2), varint(BigInt(bytes.length)), bytes]);
const text = (field: number, value: string): Buffer => lengthDelimited(field, Buffer.from(value, 'utf8'));

export function encodeFrame(frame: Frame): Buffer {
  const parts = [
    key(1, 0), varint(frame.SeqID), key(2, 0), varint(frame.LogID),
    key(3, 0), varint(BigInt(frame.service)), key(4, 0), varint(BigInt(frame.method)),
    ...frame.headers.map((h) => lengthDelimited(5, Buffer.concat([text(1, h.key), text(2, h.value)]))),
  ];
  if (frame.payloadEncoding !== undefined) parts.push(text(6, frame.payloadEncoding));
  if (frame.payloadType !== undefined) parts.push(text(7, frame.payloadType));
  if (frame.payload !== undefined) parts.push(lengthDelimited(8, frame.payload));
  if (frame.LogIDNew !== undefined) parts.push(text(9, frame.LogIDNew));
  return Buffer.concat(parts);
}

/** Field number → values (varints as bigint, length-delimited as bytes); unknown wire types are an error. */
function readFields(bytes: Buffer): Map<number, Array<bigint | Buffer>> {
  const fields = new Map<number, Array<bigint | Buffer>>();
  let at = 0;
  const readVarint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length || shift > 63n) throw new Error('truncated or overlong varint');
      const byte = bytes[at++] ?? 0;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < bytes.length) {
    const tag = Number(readVarint());
    const [field, wireType] = [tag >> 3, tag & 7];
    let value: bigint | Buffer;
    if (wireType === 0) value = readVarint();
    else if (wireType === 2) {
      const length = Number(readVarint());
      if (at + length > bytes.length) throw new Error(`field ${field} runs past the end`);
      value = bytes.subarray(at, (at += length));
    } else throw new Error(`unexpected wire type ${wireType} for field ${field}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

export function decodeFrame(bytes: Buffer): Frame {
  const fields = readFields(bytes);
  const varintOf = (field: number, name: string): bigint => {
    const value = fields.get(field)?.[0];
    if (typeof value !== 'bigint') throw new Error(`frame without required ${name}`);
    return value;
  };
  const bytesOf = (field: number): Buffer | undefined => {
    const value = fields.get(field)?.[0];
    return Buffer.isBuffer(value) ? value : undefined;
  };
  const headers = (fields.get(5) ?? []).map((raw) => {
    if (!Buffer.isBuffer(raw)) throw new Error('header is not a message');
    const inner = readFields(raw);
    const [k, v] = [inner.get(1)?.[0], inner.get(2)?.[0]];
    if (!Buffer.isBuffer(k) || !Buffer.isBuffer(v)) throw new Error('header without key or value');
    return { key: k.toString('utf8'), value: v.toString('utf8') };
  });
  const optionalText = (field: number) => bytesOf(field)?.toString('utf8');
  const frame: Frame = {
    SeqID: varintOf(1, 'SeqID'),
    LogID: varintOf(2, 'LogID'),
    service: Number(BigInt.asIntN(32, varintOf(3, 'service'))),
    method: Number(BigInt.asIntN(32, varintOf(4, 'method'))),
    headers,
  };
  const [encoding, type, payload, logIdNew] = [optionalText(6), optionalText(7), bytesOf(8), optionalText(9)];
  return {
    ...frame,
    ...(encoding !== undefined ? { payloadEncoding: encoding } : {}),
    ...(type !== undefined ? { payloadType: type } : {}),
    ...(payload !== undefined ? { payload } : {}),
    ...(logIdNew !== undefined ? { LogIDNew: logIdNew } : {}),
  };
}

export const headerOf = (frame: Frame, name: string): string | undefined => frame.headers.find((h) => h.key === name)?.value;
