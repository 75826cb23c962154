// The bench's report (docs/benchmarks.md): the machine and commit it ran on, the
// method, and per case its table, extra tables and notes.
import { spawnSync } from 'node:child_process'
import * as os from 'node:os'
import { ROOT } from '../lib/step-runner.mjs'
import { MB, which } from './context.mjs'

/** The commit, the machine and the tools of this run (for the report's head). */
export function describeEnvironment(ctx) {
  const git = (...args) => spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).stdout.trim()
  const format = '{{.Client.Version}} / {{.Server.Version}}'
  const versions = ctx.docker(['version', '--format', format], { allowFail: true }).stdout.trim()
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    subject: git('log', '-1', '--format=%s'),
    bundleChanged: git('status', '--porcelain', '--', 'dist', 'action.yml') !== '',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    docker: `${which('docker')} (client / engine ${versions})`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    pigz: which('pigz') ?? 'not installed',
    runs: ctx.runs,
    startupRuns: ctx.startupRuns
  }
}

/** The markdown of the report: `env` from describeEnvironment (with `runtime`), one section per case. */
export function renderReport(env, sections) {
  const out = []
  out.push('# Benchmarks', '')
  out.push('Written by `scripts/bench.mjs` (`npm run bench`); do not edit by hand — rerun it.', '')
  out.push(
    `**Results for commit \`${env.commit}\`** (${env.subject})${env.bundleChanged ? ', with uncommitted changes to dist/ or action.yml' : ''}, ${env.date}.`,
    ''
  )
  out.push(`- Machine: ${env.cpus} CPUs (${env.cpuModel}); Node ${env.node}; docker ${env.docker}.`)
  out.push(
    `- pigz: ${env.pigz}. Runs per side: ${env.runs} (start-up: ${env.startupRuns}). Total runtime: ${env.runtime.toFixed(0)} s.`
  )
  out.push('')
  out.push('## Method', '')
  out.push(
    'Everything runs against the real local Docker engine and the loopback registries of `scripts/services.sh` (plain `localhost:5000`, TLS + htpasswd `localhost:5443`); nothing leaves the machine.'
  )
  out.push(
    'The action is run exactly as a runner runs it: `node dist/index.js` with `INPUT_<NAME>` variables and the `GITHUB_OUTPUT`/`GITHUB_STATE`/`GITHUB_STEP_SUMMARY` files, then the post step (the same bundle with `STATE_<name>`); its time is the two steps together, wall clock, as the benchmark process sees them.'
  )
  out.push(
    'Each case runs every side the same number of times, rotating the order each run (A B, B A, …) so that drift and order effects cancel; the tables give the median and min–max, and the ratio of the medians (action / baseline). Inputs the bundle does not know are ignored by it, so a case for a feature the bundle lacks shows the behaviour without it.'
  )
  out.push(
    'The engine and registries are shared with anything else running on the machine; the load average before and after each case is given so a disturbed run can be spotted.',
    ''
  )
  for (const s of sections) {
    out.push(`## ${s.title}`, '')
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
          `| ${cell(r.label)} | ${span(r.action, r.unit)} | ${cell(r.baselineName)} | ${span(r.baseline, r.unit)} | ${r.ratioText} | ${r.target ?? '—'} | ${r.target ? (r.pass ? 'pass' : '**miss**') : ''} |`
        )
      }
      out.push('')
    }
    for (const t of s.tables ?? []) out.push(t, '')
    for (const n of s.notes) out.push(`- ${n}`)
    out.push(
      `- Load average (1 min) ${s.loadBefore.toFixed(2)} before, ${s.loadAfter.toFixed(2)} after; the case took ${s.seconds.toFixed(0)} s.`,
      ''
    )
  }
  return `${out.join('\n').trimEnd()}\n`
}

/** Table cell text: a `|` would end the cell, even inside backticks. */
export function cell(text) {
  return text.replace(/\|/g, '\\|')
}

/** A median (min–max) cell, in s or ms. */
export function span(st, unit) {
  const f = unit === 'ms' ? (v) => v.toFixed(1) : (v) => (v / 1000).toFixed(2)
  return `${f(st.median)} ${unit} (${f(st.min)}–${f(st.max)})`
}

/** The save case's table of tarball sizes per side and level. */
export function renderSizes(sizes, levels) {
  const sides = [...new Set(sizes.map((s) => s.side))]
  const lines = [
    `| file size (median) | ${levels.map((l) => `level ${l}`).join(' | ')} |`,
    `|---|${levels.map(() => '---|').join('')}`
  ]
  for (const side of sides) {
    lines.push(
      `| ${cell(side)} | ${levels.map((l) => `${((sizes.find((s) => s.side === side && s.level === l)?.bytes ?? 0) / MB).toFixed(2)} MiB`).join(' | ')} |`
    )
  }
  return lines.join('\n')
}
