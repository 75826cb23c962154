// Case 4: the bundle's start-up to its first docker command, vs bare node.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { BUNDLE } from '../lib/step-runner.mjs'
import { which } from './context.mjs'
import { compare } from './measure.mjs'

/** The start-up case's report section: spawn to the first `[command]` line and to the first docker process. */
export async function benchStartup(ctx) {
  ctx.makeContext('startup', 'startup', {})
  ctx.docker(['build', '--quiet', '--tag', `${ctx.ns}/startup:prebuilt`, ctx.contextDir('startup')])
  const shimDir = path.join(ctx.tmp, 'shim')
  const shimLog = path.join(shimDir, 'calls')
  fs.mkdirSync(shimDir)
  fs.writeFileSync(
    path.join(shimDir, 'docker'),
    `#!/bin/sh\ndate +%s%N >>"$BENCH_SHIM_LOG"\nexec ${which('docker')} "$@"\n`,
    { mode: 0o755 }
  )

  const samples = await ctx.alternate(
    'startup',
    {
      'node -e ""': () => bareNode(ctx),
      action: () => startAction(ctx),
      'action (shim)': () => startActionShimmed(ctx, shimDir, shimLog)
    },
    ctx.startupRuns
  )
  const rows = [
    compare('to the first `[command]` line on stdout', samples.action, samples['node -e ""'], {
      baselineName: 'node -e ""',
      unit: 'ms',
      absoluteTarget: 150
    }),
    compare('to the first docker process (a shim on PATH logs it)', samples['action (shim)'], samples['node -e ""'], {
      baselineName: 'node -e ""',
      unit: 'ms'
    })
  ]
  return {
    name: 'startup',
    title: 'Start-up: node dist/index.js to its first docker command, vs bare node',
    method: [
      'Action: a build with no login (images, tags, `latest: false`, `push: false`, a tiny context built up front), timed from spawn to the moment its first `[command]…docker` line arrives on stdout. A build first runs a silent `docker buildx version` probe (no `[command]` line), so that line comes after one short docker call; the second row times the first docker process itself, through a shim on PATH (`date +%s%N` then exec docker, ≈ 2 ms of its own).',
      'Baseline: `node -e ""` from spawn to exit. The three sides rotate each run.'
    ],
    rows,
    notes: [`Node ${process.version}; bundle ${(fs.statSync(BUNDLE).size / 1024).toFixed(0)} KiB.`]
  }
}

async function bareNode(ctx) {
  const run = await ctx.timed(process.execPath, ['-e', ''], { env: ctx.env() })
  return { ms: run.ms }
}

async function startAction(ctx) {
  let first
  await ctx.runAction(startupInputs(ctx), {
    post: false,
    onStdout: (text, ms) => (first ??= text.includes('[command]') ? ms : undefined)
  })
  if (first === undefined) throw new Error('the action printed no [command] line')
  return { ms: first }
}

async function startActionShimmed(ctx, shimDir, shimLog) {
  fs.rmSync(shimLog, { force: true })
  const run = await ctx.runAction(startupInputs(ctx), {
    post: false,
    env: { PATH: `${shimDir}:${process.env.PATH}`, BENCH_SHIM_LOG: shimLog }
  })
  const firstCall = Number(fs.readFileSync(shimLog, 'utf8').split('\n')[0]) / 1e6
  return { ms: firstCall - run.spawnedAt }
}

function startupInputs(ctx) {
  return {
    images: `${ctx.services.plain}/${ctx.ns}/startup`,
    tags: 's',
    latest: 'false',
    push: 'false',
    context: path.relative(ctx.workspace, ctx.contextDir('startup'))
  }
}
