/** Nobody misses a P0: Lark urgent on cards nobody acknowledged in time, step by step. */
export { escalate } from './escalate.js';
export { escalates, rescheduleEscalations, scheduleEscalations } from './schedule.js';
