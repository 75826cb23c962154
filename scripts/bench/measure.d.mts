// Types of the pure parts of scripts/bench/measure.mjs, for the unit tests that import it.

/** One timed run of a side: its wall time, and whatever else the case records. */
export interface Sample {
  ms: number
  [key: string]: unknown
}

export interface Stats {
  median: number
  min: number
  max: number
  n: number
}

/** A report row: two sides compared, and the target's verdict when it has one. */
export interface Row {
  label: string
  action: Stats
  baseline: Stats | undefined
  baselineName?: string
  unit: 's' | 'ms'
  ratio: number | undefined
  ratioText: string
  target?: string
  pass?: boolean
  verdict?: string
}

export interface CompareOptions {
  /** A ratio the action's median over the baseline's must not exceed. */
  target?: number
  /** An absolute time (ms) the action's median must not exceed. */
  absoluteTarget?: number
  baselineName?: string
  unit?: 's' | 'ms'
}

export declare function median(values: number[]): number
export declare function stats(samples: Sample[]): Stats
export declare function formatMs(ms: number): string
export declare function compare(
  label: string,
  action: Sample[],
  baseline: Sample[] | undefined,
  options: CompareOptions
): Row
export declare function rotation<T>(names: T[], i: number): T[]
export declare function alternate(
  label: string,
  sides: Record<string, (i: number) => Promise<Sample>>,
  runs: number,
  progress?: (line: string) => void
): Promise<Record<string, Sample[]>>
export declare function tail(text: string, lines?: number): string
