#!/usr/bin/env node
// Benchmarks the action (dist/index.js, run exactly as a runner runs it: main step,
// then post step) against what a user types without it, in three Docker worlds of
// scripts/services.sh (classic: engine 20.10 and the classic builder; hosted: engine
// 28.5.2 on the classic image store, buildx 0.29.1, as on GitHub's runner; builder:
// the same with a standalone BuildKit as the current builder, as
// docker/setup-buildx-action leaves it), on the loopback registries, and writes the
// results to docs/benchmarks.md.
//
//   npm run bench                      (starts the services, then this script)
//   node scripts/bench.mjs [--runs N] [--only push,save,…] [--world classic,hosted,builder] [--out FILE]
//
// --runs N   runs per side of each row (default 5); start-up uses max(N, 20),
//            compression levels and the classic world's cache-from min(N, 3).
// --only     cases, in this order: push, save, startup, levels, cache, promote, merge.
// --world    worlds: classic, hosted, builder (default: all; each case runs in the
//            worlds it means something in, see CASES).
// --out      the report; by default docs/benchmarks.md for a run of everything, and a
//            file in the system's temp folder for a partial run (printed at the end).
//
// Every side of a row alternates (A B, B A, …) so drift and order effects cancel. All
// images the bench makes carry the label ship-image-bench=<run id>-<case> and are
// removed at the end, with its temporary folders; registry blobs stay.
//
// This file is the entry: main() parses the options (scripts/bench/options.mjs), makes
// the run's context (scripts/bench/context.mjs) and hands it, with a world, to each
// case (scripts/bench/<case>.mjs); scripts/bench/report.mjs writes the report.
// Nothing runs at import.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { benchCache } from './bench/cache.mjs'
import { createContext } from './bench/context.mjs'
import { benchLevels } from './bench/levels.mjs'
import { FULL_REPORT, USAGE, parseOptions } from './bench/options.mjs'
import { benchMerge, benchPromote } from './bench/promote.mjs'
import { benchPush } from './bench/push.mjs'
import { describeEnvironment, renderReport } from './bench/report.mjs'
import { benchSave } from './bench/save.mjs'
import { benchStartup } from './bench/startup.mjs'
import { readServices } from './lib/services.mjs'
import { ROOT } from './lib/step-runner.mjs'

export const WORLDS = ['classic', 'hosted', 'builder']

/**
 * Each case, by its --only name, in the order they run: `(ctx, world) => section`
 * and the worlds it runs in. Levels are the classic builder's numbers (they do not
 * depend on the builder); the cache case is the classic builder's cache-from in the
 * classic world and the build cache across runs (`cache: registry`) in the others;
 * promote and merge need buildx. The builder world (nothing in the engine: images go
 * from BuildKit to the registry) has the cases where its builder changes what the
 * action does: push and cache.
 */
export const CASES = {
  push: { run: benchPush, worlds: ['classic', 'hosted', 'builder'] },
  save: { run: benchSave, worlds: ['classic', 'hosted'] },
  startup: { run: benchStartup, worlds: ['classic', 'hosted'] },
  levels: { run: benchLevels, worlds: ['classic'] },
  cache: { run: benchCache, worlds: ['classic', 'hosted', 'builder'] },
  promote: { run: benchPromote, worlds: ['hosted'] },
  merge: { run: benchMerge, worlds: ['hosted'] }
}

async function main(argv) {
  let options
  let services
  try {
    options = parseOptions(argv, {
      cases: Object.keys(CASES),
      worlds: WORLDS,
      partialOut: path.join(os.tmpdir(), 'ship-image-bench-partial.md')
    })
    if (options.help) {
      console.log(USAGE)
      return 0
    }
    services = readServices()
    for (const world of options.worlds)
      if (!services.worlds?.[world]) throw new Error(`services.json has no ${world} world (see scripts/services.sh)`)
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
  const env = describeEnvironment(ctx, options.worlds)
  ctx.progress(
    `bench ${ctx.id}: ${options.only.join(', ')} in ${options.worlds.join(', ')}; ${options.runs} runs per side; temp ${ctx.tmp}`
  )
  const sections = []
  try {
    for (const world of options.worlds) {
      const w = ctx.world(world)
      for (const name of options.only) {
        if (!CASES[name].worlds.includes(world)) continue
        const load = os.loadavg()[0]
        const t0 = performance.now()
        ctx.progress(`== ${name} in the ${world} world`)
        try {
          const section = await CASES[name].run(ctx, w)
          sections.push({
            ...section,
            world,
            loadBefore: load,
            loadAfter: os.loadavg()[0],
            seconds: (performance.now() - t0) / 1000
          })
        } catch (err) {
          ctx.progress(`${name} (${world}): FAILED: ${err.stack ?? err.message}`)
          sections.push({ name, world, title: name, error: err.message, rows: [], notes: [] })
        } finally {
          w.removeImages(name)
        }
      }
    }
  } finally {
    // Each case's images went in its own `finally`; this removes the temporary folder.
    ctx.cleanUp([])
  }
  env.runtime = (performance.now() - ctx.started) / 1000
  const out = path.resolve(ROOT, options.out)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, renderReport(env, sections, { full: options.full }))
  ctx.progress(`wrote ${path.relative(process.cwd(), out) || out} (total ${(env.runtime / 60).toFixed(1)} min)`)
  if (!options.full && options.out !== FULL_REPORT) ctx.progress(`(a partial run: ${FULL_REPORT} is unchanged)`)
  for (const s of sections) {
    if (s.error) ctx.progress(`  ${s.world} / ${s.title}: FAILED`)
    for (const r of s.rows)
      if (r.target)
        ctx.progress(
          `  ${s.world} / ${r.label}: ${r.ratioText} (${r.target}) ${r.pass ? 'met' : r.verdict.toUpperCase()}`
        )
  }
  return sections.some((s) => s.error) ? 1 : 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2))
}
