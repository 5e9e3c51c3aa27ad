/** P0 first: how cards of many issues are ordered (storm and daily digests, a repeat's level). Other names last. */
const SEVERITY: Readonly<Record<string, number>> = { P0: 0, P1: 1, P2: 2, P3: 3 };

export const levelSeverity = (name: string | null | undefined): number => SEVERITY[name ?? ''] ?? 9;
