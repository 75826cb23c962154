// Types of scripts/bench/options.mjs, for the unit tests that import it.

export declare const USAGE: string
export declare const FULL_REPORT: string

export interface Options {
  runs: number
  startupRuns: number
  only: string[]
  worlds: string[]
  /** Every case in every world: only such a run writes FULL_REPORT by default. */
  full: boolean
  out: string
}

export declare function parseOptions(
  argv: string[],
  choices: { cases: string[]; worlds: string[]; partialOut: string }
): Options | { help: true }
