#!/usr/bin/env node
// `npm run demo` (after scripts/services.sh): runs the action on example/ against the
// local registries exactly as a runner would (scripts/lib/step-runner.mjs: the main
// step, then the post step with its state), then prints its outputs. It pushes to the
// plain registry and, logged in, to the TLS one, saves .demo/example.tar.gz, runs the
// pushed image and loads the tarball. The workspace is this repository; HOME is yours.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { readServices } from './lib/services.mjs'
import { makeLayout, ROOT, runMain, runPost } from './lib/step-runner.mjs'

async function main() {
  const services = readServices()
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-demo-'))
  try {
    const layout = makeLayout(run, { workspace: ROOT, home: os.homedir() })
    console.log('== main step ==')
    const step = await runMain(
      layout,
      {
        images: `${services.plain}/ship-image/example\n${services.tls}/ship-image/example`,
        tags: 'demo, latest',
        context: 'example',
        'build-args': 'GREETING=hello',
        save: '.demo/example.tar.gz',
        registry: services.tls,
        username: services.username,
        password: services.password
      },
      { echo: true }
    )
    console.log('== post step ==')
    const post = await runPost(layout, step.state, { echo: true })
    if (step.code !== 0 || post.code !== 0) return step.code || post.code

    console.log('== outputs ==')
    for (const [name, value] of Object.entries(step.outputs)) {
      const text = name === 'metadata' ? JSON.stringify(JSON.parse(value), null, 2) : value
      console.log(`${name}:\n  ${text.split('\n').join('\n  ')}`)
    }
    console.log('== the pushed image runs ==')
    const ran = docker(['run', '--rm', '--network', 'none', `${services.plain}/ship-image/example:demo`])
    if (ran !== 0) return ran
    console.log('== the saved tarball loads ==')
    return docker(['load', '--input', path.join(ROOT, '.demo/example.tar.gz')])
  } finally {
    fs.rmSync(run, { recursive: true, force: true })
  }
}

/** A docker command with this terminal; its exit code. */
function docker(args) {
  const result = spawnSync('docker', args, { stdio: 'inherit' })
  return result.status ?? 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = await main()
  } catch (error) {
    console.error(`demo: ${error instanceof Error ? error.message : error}`)
    process.exitCode = 1
  }
}
