/**
 * Waits for `work` until `deadline` (ms since the epoch) at the latest: true when it settled in time, false when the
 * deadline came first. For shutdown steps, which must end even when what they wait on never does.
 */
export async function withDeadline(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
