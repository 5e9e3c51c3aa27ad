/** One Lark group per issue, with the card pinned and kept in step with the original. */
export { openWarRoom, type WarRoomOutcome } from './warroom.js';
