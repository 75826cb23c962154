// Bounded concurrency for independent docker commands (pushes). Pure: no docker here.

/**
 * How many docker pushes or pulls run at once. The engine uploads a push's
 * layers itself, several at a time; more CLIs at once than this only queue there.
 */
export const CONCURRENCY = 4

/** Returns a function that runs the tasks given to it, at most `limit` at a time, in the order given. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: (() => void)[] = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    try {
      return await task()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}

/**
 * Waits for every promise, also after one has failed (so nothing is still running
 * when the caller cleans up), then gives all values or throws the first failure.
 */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<T>).value)
}
