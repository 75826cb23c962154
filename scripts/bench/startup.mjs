// Case startup: the main step from its spawn to its first docker process, vs bare node.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { BUNDLE } from '../lib/step-runner.mjs'
import { commandName } from './logs.mjs'
import { compare, formatMs, median } from './measure.mjs'

/** Issue 16's target: the main step reaches its first docker command within this (ms). */
export const STARTUP_TARGET_MS = 80

/** The start-up case's report section for world `w`. */
export async function benchStartup(ctx, w) {
  const dir = w.makeContext(`startup-${w.name}`, 'startup')
  await w.prebuild([{ dir, tag: `${ctx.ns}/startup-${w.name}:prebuilt` }])
  const inputs = {
    images: `${ctx.services.plain}/${ctx.ns}/startup-${w.name}`,
    tags: 's',
    latest: 'false',
    push: 'false',
    context: path.relative(ctx.workspace, dir)
  }
  const firstCommands = new Set()
  const samples = await ctx.alternate(
    `startup ${w.name}`,
    {
      'node -e ""': async () => ({ ms: (await w.timed(process.execPath, ['-e', ''])).ms }),
      action: async () => {
        let line
        const run = await w.runAction(inputs, {
          post: false,
          trace: true,
          onStdout: (text, ms) => (line ??= text.includes('[command]') ? ms : undefined)
        })
        const first = run.trace[0]
        if (!first) throw new Error('the action ran no docker command')
        firstCommands.add(commandName(first.args))
        return { ms: first.start - run.spawnedAt, line }
      }
    },
    ctx.startupRuns
  )
  ctx.removeContext(`startup-${w.name}`)
  const lines = samples.action.map((s) => s.line).filter((v) => v !== undefined)
  return {
    name: 'startup',
    title: 'Start-up: the main step to its first docker command, vs bare node',
    method: [
      `Action: the main step of a build without login or push (images, tags, \`latest: false\`, \`push: false\`, a tiny context built up front), in the same workflow environment as the push case, timed from the spawn of \`node dist/index.js\` to the start of its first docker process: a shim first on PATH logs \`date +%s%N\` and then runs docker (the shim's own start, ≈ 2 ms, is inside the number).`,
      'Baseline: `node -e ""` from spawn to exit, the floor of any Node step. The two sides alternate.'
    ],
    rows: [
      compare('main step to its first docker command', samples.action, samples['node -e ""'], {
        baselineName: 'node -e ""',
        unit: 'ms',
        absoluteTarget: STARTUP_TARGET_MS
      })
    ],
    notes: [
      `The first docker command: ${[...firstCommands].map((c) => `\`docker ${c}\``).join(', ')}. The first \`[command]\` line reached stdout after ${lines.length ? formatMs(median(lines)) : '—'} (median).`,
      `Node ${process.version}; bundle dist/index.js ${(fs.statSync(BUNDLE).size / 1024).toFixed(0)} KiB, with its chunks ${(bundleBytes() / 1024).toFixed(0)} KiB.`
    ]
  }
}

function bundleBytes() {
  const dir = path.dirname(BUNDLE)
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0)
}
