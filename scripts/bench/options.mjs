// The bench's command line (scripts/bench.mjs), pure: unit-tested in
// __tests__/unit/scripts/bench.test.ts (types in options.d.mts).

export const USAGE = 'usage: node scripts/bench.mjs [--runs N] [--only CASE,…] [--world WORLD,…] [--out FILE]'

/** Where a run of every case in every world writes its report. */
export const FULL_REPORT = 'docs/benchmarks.md'

/**
 * The options of `argv` for these case names and world names, or `{ help: true }`;
 * throws a usage error for bad ones. A run of some cases or worlds only writes to
 * `partialOut` unless --out says otherwise, so it never overwrites the full report
 * with a part of it.
 */
export function parseOptions(argv, { cases, worlds, partialOut }) {
  const values = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') return { help: true }
    const m = /^--(runs|only|world|out)(?:=(.*))?$/.exec(arg)
    if (!m) throw new Error(`unknown argument ${arg}\n${USAGE}`)
    const value = m[2] ?? argv[++i]
    if (value === undefined) throw new Error(`--${m[1]} needs a value\n${USAGE}`)
    values[m[1]] = value
  }
  const runs = values.runs === undefined ? 5 : Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, not ${values.runs}`)
  const only = list(values.only, cases, '--only', 'case')
  const chosenWorlds = list(values.world, worlds, '--world', 'world')
  const full = only.length === cases.length && chosenWorlds.length === worlds.length
  return {
    runs,
    startupRuns: Math.max(runs, 20),
    only,
    worlds: chosenWorlds,
    full,
    out: values.out ?? (full ? FULL_REPORT : partialOut)
  }
}

/** A comma-separated choice among `names` (all when not given), in `names`' order. */
function list(value, names, option, what) {
  if (value === undefined) return [...names]
  const chosen = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = chosen.filter((c) => !names.includes(c))
  if (unknown.length > 0) throw new Error(`${option}: unknown ${what} ${unknown.join(', ')} (${names.join(', ')})`)
  if (chosen.length === 0) throw new Error(`${option}: name at least one ${what} (${names.join(', ')})`)
  return names.filter((n) => chosen.includes(n))
}
