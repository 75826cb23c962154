// The bench's report (docs/benchmarks.md): the machine, the worlds and the commit it
// ran on, every target row with its verdict, the method, and per world and case its
// table, extra tables and notes.
import { spawnSync } from 'node:child_process'
import * as os from 'node:os'
import { ROOT } from '../lib/step-runner.mjs'
import { which } from './context.mjs'

/** The commit, the machine, the tools and the worlds of this run (for the report's head). */
export function describeEnvironment(ctx, worldNames) {
  const git = (...args) => spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).stdout.trim()
  const version = (command, args) => {
    const r = spawnSync(command, args, { encoding: 'utf8' })
    return r.status === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : 'not installed'
  }
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    subject: git('log', '-1', '--format=%s'),
    bundleChanged: git('status', '--porcelain', '--', 'dist', 'action.yml') !== '',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    pigz: which('pigz') ? version('pigz', ['--version']) : 'not installed',
    zstd: which('zstd') ? version('zstd', ['--version']) : 'not installed',
    runs: ctx.runs,
    startupRuns: ctx.startupRuns,
    load: os.loadavg(),
    worlds: worldNames.map((name) => {
      const w = ctx.world(name)
      return { name, title: w.title, ...w.versions() }
    })
  }
}

/** The markdown of the report: `env` from describeEnvironment (with `runtime`), sections per world and case. */
export function renderReport(env, sections, { full = true } = {}) {
  const out = []
  out.push('# Benchmarks', '')
  out.push(
    `Written by \`scripts/bench.mjs\` (\`npm run bench\`); do not edit by hand — rerun it.${full ? '' : ' **A partial run** (some cases or worlds only).'}`,
    ''
  )
  out.push(
    `**Results for commit \`${env.commit}\`** (${env.subject}), ${env.bundleChanged ? '**with uncommitted changes to dist/ or action.yml**' : 'dist/ and action.yml as committed'}, ${env.date}.`,
    ''
  )
  out.push(`- Machine: ${env.cpus} CPUs (${env.cpuModel}); Node ${env.node}; ${env.pigz}; ${env.zstd}.`)
  for (const w of env.worlds)
    out.push(
      `- ${w.title}: CLI ${w.cli}, engine ${w.engine}, buildx ${w.buildx}, builder ${w.builder}, ${w.containerdStore ? 'containerd image store' : 'classic image store'}.`
    )
  out.push(
    `- Runs per side: ${env.runs} (start-up: ${env.startupRuns}; compression levels and the classic world's cache-from: ${Math.min(env.runs, 3)}), median of them. Total runtime: ${(env.runtime / 60).toFixed(1)} min. Load average (1/5/15 min) at the start: ${env.load.map((l) => l.toFixed(2)).join(' / ')}.`
  )
  out.push('')
  out.push('## Targets', '')
  out.push(
    'Each row is measured side by side (the sides alternate, A B, B A, …) and compares medians; a ratio is the action’s median over the baseline’s. Where a target is missed the verdict keeps the honest number; the notes of each case say where the time goes.',
    ''
  )
  out.push('| world | row | action | baseline | ratio | target | verdict |')
  out.push('|---|---|---|---|---|---|---|')
  for (const s of sections) {
    if (s.error) {
      out.push(`| ${s.world} | ${cell(s.title)} | — | — | — | — | **failed**: ${cell(s.error.split('\n')[0])} |`)
      continue
    }
    for (const r of s.rows.filter((row) => row.target))
      out.push(
        `| ${s.world} | ${cell(r.label)} | ${short(r.action.median, r.unit)} | ${r.baseline ? `${short(r.baseline.median, r.unit)} (${cell(r.baselineName)})` : '—'} | ${r.ratioText} | ${r.target} | ${r.pass ? 'met' : `**${r.verdict}**`} |`
      )
  }
  out.push('')
  out.push('## Method', '')
  out.push(
    '- Everything runs against real Docker engines and the loopback registries of `scripts/services.sh` (plain `localhost:5000`, TLS + htpasswd `localhost:5443`, the same TLS registry as `registry.ship-image.test:5443` for a BuildKit outside the engine, which reaches a TLS registry only under a name that is not loopback); nothing leaves the machine. Each world has its CLI first on PATH, its DOCKER_HOST and a HOME of its own (with buildx, docker-buildx in ~/.docker/cli-plugins, as docker/setup-buildx-action installs it; in the builder world ~/.docker/buildx with the remote BuildKit as the current builder, as setup-buildx-action leaves it); both sides of every row run in that same environment, so both get the same builder.',
    '- The action is the bundle of this checkout, `dist/index.js`, run exactly as a runner runs it (`scripts/lib/step-runner.mjs`): the main step with `INPUT_<NAME>` variables and the `GITHUB_OUTPUT`/`GITHUB_STATE`/`GITHUB_STEP_SUMMARY` files, then the post step with `STATE_<name>`; its time is both steps together, wall clock, as the benchmark process sees them.',
    '- Every side of a row runs the same number of times, rotating the order each run so that drift and order effects cancel; the tables give the median and min–max.',
    '- The engines, the registries and the 2 CPUs are shared with anything else running on the machine; the load average before and after each case is given so that a disturbed run can be spotted.',
    '- Re-run one case in one world: `node scripts/bench.mjs --only push --world classic` (after `bash scripts/services.sh`); a partial run writes its own report file (printed at the end), not this one, unless `--out` says so.',
    ''
  )
  for (const world of [...new Set(sections.map((s) => s.world))]) {
    out.push(`## ${world[0].toUpperCase()}${world.slice(1)} world`, '')
    const w = env.worlds.find((x) => x.name === world)
    if (w) out.push(`${w.title}.`, '')
    for (const s of sections.filter((x) => x.world === world)) {
      out.push(`### ${s.title}`, '')
      if (s.error) {
        out.push(`**Failed:** ${s.error.split('\n')[0]}`, '')
        continue
      }
      for (const m of s.method) out.push(`- ${m}`)
      out.push('')
      if (s.rows.length > 0) {
        out.push('| comparison | action median (min–max) | baseline | baseline median (min–max) | ratio | target | |')
        out.push('|---|---|---|---|---|---|---|')
        for (const r of s.rows) {
          out.push(
            `| ${cell(r.label)} | ${span(r.action, r.unit)} | ${cell(r.baselineName ?? '—')} | ${r.baseline ? span(r.baseline, r.unit) : '—'} | ${r.ratioText} | ${r.target ?? '—'} | ${r.target ? (r.pass ? 'met' : `**${r.verdict}**`) : ''} |`
          )
        }
        out.push('')
      }
      for (const t of s.tables ?? []) out.push(t, '')
      for (const n of s.notes) out.push(`- ${n}`)
      if (s.seconds !== undefined)
        out.push(
          `- Load average (1 min) ${s.loadBefore.toFixed(2)} before, ${s.loadAfter.toFixed(2)} after; the case took ${s.seconds.toFixed(0)} s.`
        )
      out.push('')
    }
  }
  return `${out.join('\n').trimEnd()}\n`
}

/** Table cell text: a `|` would end the cell, even inside backticks. */
export function cell(text) {
  return text.replace(/\|/g, '\\|')
}

/** A median in a compact form: `84 ms`, `3.21 s`. */
function short(ms, unit) {
  return unit === 'ms' ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/** A median (min–max) cell, in s or ms. */
export function span(st, unit) {
  const f = unit === 'ms' ? (v) => v.toFixed(1) : (v) => (v / 1000).toFixed(2)
  return `${f(st.median)} ${unit} (${f(st.min)}–${f(st.max)})`
}
