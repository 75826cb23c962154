// Types of scripts/bench/logs.mjs, for the unit tests that import it.

/** One docker command of a trace: start and end in ms since the epoch, exit code, arguments. */
export interface TraceEntry {
  start: number
  end: number
  code: number
  args: string
}

export type Kind = 'login' | 'build' | 'push' | 'other'

export declare function countUploads(log: string): number
export declare function countDownloads(log: string): number
export declare function slowStepCached(log: string): boolean
export declare function parseTrace(text: string): TraceEntry[]
export declare function commandName(args: string): string
export declare function describeTrace(
  entries: TraceEntry[],
  run: { spawnedAt: number; ms: number }
): { outside: number; docker: number; text: string }
export declare function kindOf(args: string): Kind
export declare function unionMs(intervals: { start: number; end: number }[]): number
export declare function timeByKind(entries: TraceEntry[], ms: number): Record<Kind | 'outside', number>
