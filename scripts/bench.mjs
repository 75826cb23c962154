#!/usr/bin/env node
// Benchmarks the action (dist/index.js, run exactly as a runner runs it: main
// step, then post step) against plain docker commands, on the local engine and
// the loopback registries scripts/services.sh starts, and writes the results to
// docs/benchmarks.md.
//
//   npm run bench                        (starts the services, then this script)
//   node scripts/bench.mjs [--runs N] [--only push,save,levels,cache,startup] [--out FILE]
//
// --runs N  runs per side of each case (default 5); start-up uses max(N, 20).
// Every case alternates the sides (A B, B A, A B, …) so drift and order effects
// cancel. All images it makes carry the label ship-image-bench=<run id>-<case>
// and are removed at the end with its temporary folders; registry blobs stay.
//
// This file is the entry: main() parses the options, makes the run's context
// (scripts/bench/context.mjs) and hands it to each case (scripts/bench/<case>.mjs);
// scripts/bench/report.mjs writes the report. Nothing runs at import.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { benchCache } from './bench/cache.mjs'
import { createContext } from './bench/context.mjs'
import { benchLevels } from './bench/levels.mjs'
import { benchPush } from './bench/push.mjs'
import { describeEnvironment, renderReport } from './bench/report.mjs'
import { benchSave } from './bench/save.mjs'
import { benchStartup } from './bench/startup.mjs'
import { readServices } from './lib/services.mjs'
import { ROOT } from './lib/step-runner.mjs'

/** Each case, by its --only name, in the order they run: (ctx) => a report section. */
export const CASES = {
  push: benchPush,
  save: benchSave,
  levels: benchLevels,
  cache: benchCache,
  startup: benchStartup
}

/** The options of `argv`, or `{ help: true }`; throws a usage error for bad ones. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string', default: 'docs/benchmarks.md' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help) return { help: true }
  const names = Object.keys(CASES)
  const runs = values.runs === undefined ? 5 : Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, not ${values.runs}`)
  const only =
    values.only === undefined
      ? names
      : values.only
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
  const unknown = only.filter((c) => !names.includes(c))
  if (unknown.length > 0) throw new Error(`--only: unknown case ${unknown.join(', ')} (cases: ${names.join(', ')})`)
  return { runs, startupRuns: Math.max(runs, 20), only, out: values.out }
}

async function main(argv) {
  let options
  let services
  try {
    options = parseOptions(argv)
    if (options.help) {
      console.log(
        'usage: node scripts/bench.mjs [--runs N] [--only push,save,levels,cache,startup] [--out docs/benchmarks.md]'
      )
      return 0
    }
    services = readServices()
  } catch (error) {
    console.error(`bench: ${error.message}`)
    return 2
  }
  const ctx = createContext({ runs: options.runs, startupRuns: options.startupRuns, services })
  const interrupted = (signal) => {
    ctx.progress(`${signal}: cleaning up`)
    ctx.cleanUp(Object.keys(CASES))
    process.exit(128 + os.constants.signals[signal])
  }
  process.once('SIGINT', () => interrupted('SIGINT'))
  process.once('SIGTERM', () => interrupted('SIGTERM'))
  const env = describeEnvironment(ctx)
  ctx.progress(
    `bench ${ctx.id}: ${options.only.join(', ')}; ${options.runs} runs per side (${options.startupRuns} for start-up); temp ${ctx.tmp}`
  )
  const sections = []
  try {
    for (const name of options.only) {
      const load = os.loadavg()[0]
      const t0 = performance.now()
      try {
        const section = await CASES[name](ctx)
        sections.push({
          ...section,
          loadBefore: load,
          loadAfter: os.loadavg()[0],
          seconds: (performance.now() - t0) / 1000
        })
      } catch (err) {
        ctx.progress(`${name}: FAILED: ${err.message}`)
        sections.push({ name, title: name, error: err.message, rows: [], notes: [] })
      } finally {
        ctx.removeImages(name)
      }
    }
  } finally {
    ctx.cleanUp(Object.keys(CASES))
  }
  env.runtime = (performance.now() - ctx.started) / 1000
  const out = path.resolve(ROOT, options.out)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, renderReport(env, sections))
  ctx.progress(`wrote ${path.relative(process.cwd(), out) || out} (total ${env.runtime.toFixed(0)} s)`)
  for (const s of sections)
    for (const r of s.rows)
      if (r.target) ctx.progress(`  ${s.title} / ${r.label}: ${r.ratioText} (${r.target}) ${r.pass ? 'pass' : 'MISS'}`)
  return sections.some((s) => s.error) ? 1 : 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2))
}
