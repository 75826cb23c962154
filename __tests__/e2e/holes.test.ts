// The holes found by running the action against faults and bad input, each proved
// closed against the real engine and registries: a full disk with pigz, a cancel
// during a login or a push, SIGKILL during a save, secrets of several lines, runs
// racing for one tag or one tarball, a token in a context URL, values that try to
// start workflow commands, a context holding RUNNER_TEMP, and the smaller ones.
import { afterAll, describe, expect, it } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  commands,
  docker,
  dockerShim,
  fetchManifest,
  filesBelow,
  labelsServed,
  makeWorkspace,
  realDocker,
  removeWorkspaces,
  runMain,
  runPost,
  services,
  sha256File,
  uniqueName,
  has,
  itWhere,
  plainFaultProxy,
  visibleLog
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'

const s = services()
const login = { registry: s.tls, username: s.username, password: s.password }
const basicAuth = Buffer.from(`${s.username}:${s.password}`).toString('base64')
const RUN_MARKER = 'SHIP_IMAGE_RUN'

afterAll(removeWorkspaces)

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` every 50 ms until it holds (or fails after `ms`). */
async function until(check: () => boolean, ms = 20_000): Promise<void> {
  for (const start = Date.now(); !check(); await sleep(50)) {
    if (Date.now() - start > ms) throw new Error('timed out waiting')
  }
}

/** The processes still running whose environment marks them as children of the run with this temp folder. */
function processesOf(temp: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${RUN_MARKER}=${temp}`)
      } catch {
        return false
      }
    })
    .map(Number)
}

/** No file below the workspace root or the run's temp folder holds the password or its basic-auth form. */
function expectNoCredentialsOnDisk(ws: Workspace, temp: string): void {
  const files = [...filesBelow(ws.root), ...filesBelow(temp)]
  for (const file of files) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch {
      continue // gone meanwhile
    }
    expect({ file, leaked: text.includes(s.password) || text.includes(basicAuth) }).toEqual({ file, leaked: false })
  }
}

describe('a full disk while saving a .tar.gz with pigz', () => {
  it('ends the step with a plain error, no partial tarball and the earlier one intact', async () => {
    const ws = makeWorkspace()
    // pigz as GitHub's runners have it (services.sh installs it), behind a shim that says it ran.
    const pigz = spawnSync('sh', ['-c', 'command -v pigz'], { encoding: 'utf8' }).stdout.trim()
    expect(pigz).not.toBe('')
    const bin = path.join(ws.root, 'bin')
    fs.mkdirSync(bin)
    fs.writeFileSync(path.join(bin, 'pigz'), `#!/bin/sh\ntouch ${JSON.stringify(bin)}/ran\nexec ${pigz} "$@"\n`, {
      mode: 0o755
    })
    const small = path.join(ws.workspace, 'small')
    fs.mkdirSync(small)
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=600k', 'tmpfs', small]).status).toBe(0)
    try {
      fs.writeFileSync(path.join(small, 'image.tar.gz'), 'earlier')
      const started = Date.now()
      const result = await runMain(
        ws,
        { images: `${s.plain}/${uniqueName('fullpigz')}`, context: 'app', push: 'false', save: 'small/image.tar.gz' },
        { PATH: `${bin}:${process.env.PATH}` }
      )
      expect(Date.now() - started).toBeLessThan(60_000)
      expect(result.code).toBe(1)
      expect(fs.existsSync(path.join(bin, 'ran'))).toBe(true)
      expect(commands(result.log, 'error')).toEqual([
        `::error::Writing the tarball ${small}/image.tar.gz failed: the disk is full (no space left on device); free some space or save somewhere else. No tarball was written; an earlier file at that path is unchanged.`
      ])
      expect(fs.readdirSync(small).sort()).toEqual(['image.tar.gz'])
      expect(fs.readFileSync(path.join(small, 'image.tar.gz'), 'utf8')).toBe('earlier')
      expect(processesOf(result.state.temp)).toEqual([])
    } finally {
      spawnSync('umount', [small])
    }
  }, 90_000)
})

describe('a cancelled job during docker login', () => {
  // The login is slowed down (a shim sleeps, then runs the real docker login), so the
  // signal reaches the step while docker login is running, as it did in the report.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no credentials anywhere after ${signal} and the post step`, async () => {
      const ws = makeWorkspace()
      const shim = dockerShim(ws, { before: 'if [ "$1" = login ]; then sleep 3; fi' })
      let node: ChildProcess | undefined
      const main = runMain(
        ws,
        { images: `${s.tls}/${uniqueName('cancel-login')}`, context: 'app', ...login },
        { PATH: `${shim.dir}:${process.env.PATH}` },
        undefined,
        (child) => void (node = child)
      )
      await until(() => shim.calls().some((c) => c.startsWith('login ')))
      node?.kill(signal)
      const result = await main
      expect(result.code).toBe(128 + os.constants.signals[signal])
      const temp = result.state.temp
      if (signal !== 'SIGKILL') {
        // The step stopped docker login before it removed its folder, and said so.
        expect(processesOf(temp)).toEqual([])
        expect(fs.existsSync(temp)).toBe(false)
        expect(result.log).toContain(`Stopped by ${signal}`)
      }
      const post = await runPost(ws, result)
      expect(post.code).toBe(0)
      expect(processesOf(temp)).toEqual([])
      // Longer than the login would have taken: nothing comes back later.
      await sleep(4000)
      expect(fs.existsSync(temp)).toBe(false)
      expectNoCredentialsOnDisk(ws, temp)
      expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).not.toContain(s.tls)
    }, 60_000)
  }
})

describe('a cancelled job during a push', () => {
  const proxy = plainFaultProxy()

  it('stops the push: the tag is never published after the step has stopped', async () => {
    // Every layer upload is held 3 s, as over a slow link.
    proxy.setFaults([{ method: /^(PATCH|PUT|POST)$/, path: /\/blobs\/uploads\//, kind: 'delay', delayMs: 3000 }])
    proxy.clearLog()
    const ws = makeWorkspace()
    const repository = uniqueName('cancel-push')
    let node: ChildProcess | undefined
    const main = runMain(
      ws,
      { images: `${proxy.host}/${repository}`, tags: 'v1', context: 'app' },
      {},
      undefined,
      (child) => void (node = child)
    )
    await until(() => proxy.requests.some((r) => /\/blobs\/uploads\//.test(r.path)))
    node?.kill('SIGTERM')
    const result = await main
    expect(result.code).toBe(143)
    expect(result.log).toContain('Stopped by SIGTERM')
    expect(processesOf(result.state.temp)).toEqual([])
    await sleep(5000)
    expect((await fetchManifest(s.plain, repository, 'v1')).status).toBe(404)
    expect(proxy.requests.filter((r) => /\/manifests\//.test(r.path) && r.method === 'PUT')).toEqual([])
  }, 60_000)
})

describe('SIGKILL during a save', () => {
  it('leaves no .partial file once the post step has run', async () => {
    const ws = makeWorkspace()
    // docker image save sends 64 KiB, then stalls: the main step is killed mid-write.
    const shim = dockerShim(ws, {
      before: `if [ "$1 $2" = "image save" ]; then ${JSON.stringify(realDocker())} "$@" | { head -c 65536; sleep 30; cat; }; exit; fi`
    })
    const out = path.join(ws.workspace, 'out')
    let node: ChildProcess | undefined
    const main = runMain(
      ws,
      { images: `${s.plain}/${uniqueName('killsave')}`, context: 'app', push: 'false', save: 'out/image.tar' },
      { PATH: `${shim.dir}:${process.env.PATH}` },
      undefined,
      (child) => void (node = child)
    )
    await until(() => fs.existsSync(out) && fs.readdirSync(out).some((f) => f.endsWith('.partial')))
    node?.kill('SIGKILL')
    const result = await main
    expect(result.code).toBe(137)
    expect(fs.readdirSync(out).some((f) => f.endsWith('.partial'))).toBe(true)
    expect(processesOf(result.state.temp).length).toBeGreaterThan(0) // the stalled save is still there
    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
    expect(fs.readdirSync(out)).toEqual([])
    expect(processesOf(result.state.temp)).toEqual([])
  }, 60_000)
})

describe('secrets of several lines', () => {
  // 52 bytes over three lines, the later ones holding `=`: a wrapped key or an .npmrc.
  const value = `//registry.example/:_authToken=${randomBytes(4).toString('hex')}\nalways-auth=true\nx==`
  const dockerfile = [
    `FROM ${s.baseImage}`,
    `RUN echo ${uniqueName('run')} > /run-id`,
    'RUN --mount=type=secret,id=npmrc sha256sum /run/secrets/npmrc > /npmrc.sha256 && wc -c < /run/secrets/npmrc > /npmrc.size',
    ''
  ].join('\n')

  it('reach RUN whole when written as id<<EOF', async () => {
    const ws = makeWorkspace(dockerfile)
    const repository = `${s.plain}/${uniqueName('heredoc')}`
    const result = await runMain(
      ws,
      { images: repository, tags: 'v1', context: 'app', network: 'host', secrets: `npmrc<<EOF\n${value}\nEOF` },
      { PATH: `/usr/bin:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }
    )
    expect(result.code).toBe(0)
    const seen = docker(['run', '--rm', '--network', 'none', `${repository}:v1`, 'cat', '/npmrc.sha256', '/npmrc.size'])
    expect(seen.split('\n')).toEqual([
      `${createHash('sha256').update(value).digest('hex')}  /run/secrets/npmrc`,
      String(Buffer.byteLength(value))
    ])
    expect(visibleLog(result.log)).not.toContain('always-auth=true')
  })

  it('are refused, naming the line and not its text, when the lines are given as they come', async () => {
    const ws = makeWorkspace(dockerfile)
    const shim = dockerShim(ws)
    const result = await runMain(
      ws,
      { images: `${s.plain}/${uniqueName('split')}`, context: 'app', secrets: `npmrc=${value}` },
      { PATH: `${shim.dir}:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }
    )
    expect(result.code).toBe(1)
    expect(shim.calls()).toEqual([])
    const errors = commands(result.log, 'error')
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::Input 'secrets': line 2 gives a secret that no RUN --mount=type=secret in Dockerfile uses/
      ),
      expect.stringMatching(/^::error::Input 'secrets': line 3 gives a secret/)
    ])
    const visible = visibleLog(result.log)
    for (const piece of ['always-auth', 'x==']) expect(visible).not.toContain(piece)
    // No mask that would hide every `true` or `=` in the rest of the job's log.
    const masks = result.log.split('\n').filter((l) => l.startsWith('::add-mask::'))
    expect(masks).not.toContain('::add-mask::true')
    expect(masks).not.toContain('::add-mask::=')
  })
})

describe('runs on one engine pushing the same repository:tag at once', () => {
  it('each report their own image, or fail saying so', async () => {
    const repository = uniqueName('race')
    const outcomes: { message: string; result: StepResult }[] = []
    for (let round = 0; round < 3; round++) {
      const runs = ['a', 'b', 'c'].map(async (who) => {
        const message = `${who}-${round}-${randomBytes(4).toString('hex')}`
        const result = await runMain(makeWorkspace(), {
          images: `${s.plain}/${repository}`,
          tags: 'shared',
          context: 'app',
          'build-args': `MESSAGE=${message}`,
          summary: 'false'
        })
        return { message, result }
      })
      outcomes.push(...(await Promise.all(runs)))
    }
    for (const { message, result } of outcomes) {
      if (result.code === 0) {
        // The digest the run reports is its own image: the manifest's config holds its label.
        expect((await labelsServed(s.plain, repository, result.outputs.digest)).message).toBe(message)
      } else {
        // Told, either after retries:attempts rounds, or at once where the engine lost the image with its name.
        expect(commands(result.log, 'error')).toEqual([
          expect.stringMatching(/^::error::Another run on this engine (kept re-tagging|re-tagged)/)
        ])
      }
    }
    expect(outcomes.filter((o) => o.result.code === 0).length).toBeGreaterThan(0)
  }, 240_000)
})

describe('runs saving to one path at once', () => {
  it('refuse the second run before any docker command, and the first one’s digest describes the file', async () => {
    const a = makeWorkspace()
    const b = makeWorkspace()
    const target = path.join(a.root, 'shared.tar')
    // The first run's save is slowed, so the second starts while it holds the path.
    const slow = dockerShim(a, { before: 'if [ "$1 $2" = "image save" ]; then sleep 3; fi' })
    const shimB = dockerShim(b)
    const first = runMain(
      a,
      { images: `${s.plain}/${uniqueName('lock-a')}`, context: 'app', push: 'false', save: target },
      { PATH: `${slow.dir}:${process.env.PATH}` }
    )
    await until(() => slow.calls().some((c) => c.startsWith('image save')))
    const second = await runMain(
      b,
      { images: `${s.plain}/${uniqueName('lock-b')}`, context: 'app', push: 'false', save: target },
      { PATH: `${shimB.dir}:${process.env.PATH}` }
    )
    expect(second.code).toBe(1)
    expect(commands(second.log, 'error')).toEqual([
      expect.stringMatching(
        /^::error::Input 'save': another run \(process \d+\) is writing .*shared\.tar right now\. Fix: /
      )
    ])
    expect(shimB.calls()).toEqual([])
    const done = await first
    expect(done.code).toBe(0)
    expect(sha256File(target)).toBe(done.outputs['tarball-digest'])
    expect(fs.readdirSync(a.root).filter((f) => f.includes('shared.tar'))).toEqual(['shared.tar'])
  }, 90_000)
})

describe('a token in a Git context URL', () => {
  const token = `ghp_${randomBytes(12).toString('hex')}`
  const context = `https://x-access-token:${token}@127.0.0.1:1/org/repo.git#main`

  it('is masked first, and printed by the action nowhere: not in the [command] line nor the ::error::', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('tokenctx')}`, context })
    expect(result.code).toBe(1)
    const lines = result.log.split('\n')
    const firstMention = lines.findIndex((l) => l.includes(token) && !l.startsWith('::add-mask::'))
    const mask = lines.indexOf(`::add-mask::${token}`)
    expect(mask).toBeGreaterThanOrEqual(0)
    if (firstMention >= 0) expect(mask).toBeLessThan(firstMention) // docker's own output is then hidden by the runner
    for (const line of lines.filter((l) => l.includes('[command]') || l.startsWith('::error'))) {
      expect(line).not.toContain(token)
    }
    expect(lines.some((l) => l.includes('[command]') && l.includes('https://***@127.0.0.1:1/org/repo.git'))).toBe(true)
  })

  it('is not in the dry run’s commands or summary', async () => {
    const ws = makeWorkspace()
    const result = await runMain(ws, { images: `${s.plain}/${uniqueName('tokendry')}`, context, 'dry-run': 'true' })
    expect(result.code).toBe(0)
    expect(visibleLog(result.log)).not.toContain(token)
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).not.toContain(token)
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).toContain('https://***@127.0.0.1:1/org/repo.git')
  })
})

describe('values that try to start a workflow command', () => {
  const injected = '::warning title=INJECTED::boo'
  const cases: [string, Record<string, string>][] = [
    ['target', { target: `prod\n${injected}` }],
    ['network', { network: `host\n${injected}` }],
    ['context', { context: `app\n${injected}` }],
    ['save', { save: `i.tar\n${injected}` }],
    ['username', { username: `ship\n${injected}`, password: 'x' }],
    ['build-args', { 'build-args': `A=1\r${injected}` }],
    ['labels', { labels: `a=b\r${injected}` }]
  ]
  for (const [input, values] of cases) {
    it(`are refused in ${input}, and nothing the runner would read as a command is printed`, async () => {
      const ws = makeWorkspace()
      const shim = dockerShim(ws)
      const result = await runMain(
        ws,
        { images: `${s.plain}/${uniqueName('inject')}`, context: 'app', ...values },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([expect.stringMatching(new RegExp(`^::error::Input '${input}': `))])
      // The runner reads a command at the start of a line, after a \n or a \r.
      expect(result.log.split(/\r\n|\r|\n/).filter((l) => l.includes('INJECTED') && /^\s*::/.test(l))).toEqual([])
      expect(shim.calls()).toEqual([])
    })
  }
})

describe('a build context that holds RUNNER_TEMP', () => {
  it('keeps the run’s login out of the image: COPY . finds no docker config', async () => {
    const ws = makeWorkspace()
    // The hosted layout: the workspace and RUNNER_TEMP side by side, and `context: ..` holds both.
    fs.writeFileSync(path.join(ws.root, 'Dockerfile'), `FROM ${s.baseImage}\nCOPY . /ctx\n`)
    const repository = `${s.tls}/${uniqueName('ctxtemp')}`
    const result = await runMain(ws, { images: repository, tags: 'v1', context: '..', file: '../Dockerfile', ...login })
    expect(result.code).toBe(0)
    expect(result.state.temp.startsWith(ws.root)).toBe(false)
    const found = docker(['run', '--rm', '--network', 'none', `${repository}:v1`, 'sh', '-c', 'ls -R /ctx'])
    expect(found).not.toMatch(/docker-config|config\.json/)
    expect(found).toContain('runner-temp')
    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
    expect(fs.existsSync(result.state.temp)).toBe(false)
  })
})

describe('the retry classifier', () => {
  const proxy = plainFaultProxy()

  it('reads the fault, not the names: a repository called unauthorized-… still rides out a 503', async () => {
    proxy.setFaults([{ method: 'PUT', path: /\/manifests\//, status: 503, times: 2 }])
    const repository = uniqueName('unauthorized-denied')
    const result = await runMain(makeWorkspace(), { images: `${proxy.host}/${repository}`, tags: 'v1', context: 'app' })
    expect(result.code).toBe(0)
    expect(commands(result.log, 'warning').filter((w) => /failed on attempt \d of 3/.test(w))).toHaveLength(2)
    expect((await fetchManifest(s.plain, repository, 'v1')).header).toBe(result.outputs.digest)
  })

  it('says a login that got a 503 is the registry not answering, not a wrong password', async () => {
    proxy.setFaults([{ path: /^\/v2\/$/, status: 503 }])
    const result = await runMain(makeWorkspace(), {
      images: `${proxy.host}/${uniqueName('login503')}`,
      context: 'app',
      registry: proxy.host,
      username: 'ship',
      password: 'whatever',
      retries: '1'
    })
    expect(result.code).toBe(1)
    const [error] = commands(result.log, 'error')
    expect(error).toMatch(
      new RegExp(`^::error::Login to ${proxy.host} as ship failed: .*The registry did not answer the login`)
    )
    expect(error).not.toContain('Check the username and password')
  })
})

describe('smaller holes', () => {
  it('a refused connection at login is not called a wrong password', async () => {
    const result = await runMain(makeWorkspace(), {
      images: `localhost:1/${uniqueName('refused')}`,
      context: 'app',
      registry: 'localhost:1',
      username: 'ship',
      password: 'whatever',
      retries: '1'
    })
    expect(result.code).toBe(1)
    const [error] = commands(result.log, 'error')
    expect(error).toMatch(
      /The registry did not answer the login \(connection refused\); check that localhost:1 is the right host and port/
    )
  })

  it('a failed build with 200 tags gives docker’s reason first, in a short ::error::', async () => {
    const ws = makeWorkspace()
    const tags = Array.from({ length: 200 }, (_, i) => `t${i}`).join(',')
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('manytags')}`,
      tags,
      context: 'http://127.0.0.1:9/context.tar',
      push: 'false'
    })
    expect(result.code).toBe(1)
    const [error] = commands(result.log, 'error')
    // docker's own reason (the remote context it could not fetch) comes before the command.
    expect(error).toMatch(/^::error::[^(]*127\.0\.0\.1:9/)
    expect(error.length).toBeLessThan(400)
  })

  // With BuildKit (buildx) a named network is refused as an input before any docker command.
  itWhere(has.classicBuilder, 'BuildKit refuses a named network as an input')(
    'a network the engine does not have is the network input’s error, not the RUN line’s',
    async () => {
      const result = await runMain(makeWorkspace(), {
        images: `${s.plain}/${uniqueName('nonet')}`,
        context: 'app',
        network: 'no-such-network',
        push: 'false'
      })
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        expect.stringMatching(/^::error::Input 'network': the engine has no network 'no-such-network'/)
      ])
    }
  )

  it('an unwritable save folder is found before any docker command, and nothing is pushed', async () => {
    const ws = makeWorkspace()
    const ro = path.join(ws.workspace, 'ro')
    fs.mkdirSync(ro)
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status).toBe(0)
    try {
      const shim = dockerShim(ws)
      const repository = uniqueName('rosave')
      const result = await runMain(
        ws,
        { images: `${s.plain}/${repository}`, tags: 'v1', context: 'app', save: 'ro/image.tar' },
        { PATH: `${shim.dir}:${process.env.PATH}` }
      )
      expect(result.code).toBe(1)
      expect(commands(result.log, 'error')).toEqual([
        expect.stringMatching(/^::error::Input 'save': this run may not write into /)
      ])
      expect(shim.calls()).toEqual([])
      expect((await fetchManifest(s.plain, repository, 'v1')).status).toBe(404)
    } finally {
      spawnSync('umount', [ro])
    }
  })

  it('the summary quotes the docker load line, and a path with backticks cannot break out of its code', async () => {
    const ws = makeWorkspace()
    const name = "we``` ird <b>it's<b>.tar"
    const result = await runMain(ws, {
      images: `${s.plain}/${uniqueName('quote')}`,
      context: 'app',
      push: 'false',
      save: name
    })
    expect(result.code).toBe(0)
    const summary = fs.readFileSync(ws.summaryFile, 'utf8')
    const file = path.join(ws.workspace, name)
    // The line a job that downloads the artifact runs: the tarball's name, quoted; where this job wrote it, in a code span.
    expect(summary).toContain(['````sh', `docker load --input '${name.replace(/'/g, "'\\''")}'`, '````'].join('\n'))
    expect(summary).toContain(`This job wrote it to \`\`\`\`${file}\`\`\`\`;`)
    expect(summary).not.toMatch(/^```\s*$/m)
    expect(spawnSync('sh', ['-c', `test -f '${file.replace(/'/g, "'\\''")}'`]).status).toBe(0)
  })

  it('children of the run get no INPUT_* variable: docker and pigz see neither the password nor the secrets', async () => {
    const ws = makeWorkspace(`FROM ${s.baseImage}\nRUN --mount=type=secret,id=tok true\n`)
    const dumps = path.join(ws.root, 'env-dumps')
    fs.mkdirSync(dumps)
    const shim = dockerShim(ws, { target: '/usr/bin/docker', before: `env > ${JSON.stringify(dumps)}/docker-$$` })
    // A pigz first on PATH that dumps its environment, then compresses.
    const pigz = spawnSync('sh', ['-c', 'command -v pigz'], { encoding: 'utf8' }).stdout.trim()
    fs.writeFileSync(
      path.join(shim.dir, 'pigz'),
      `#!/bin/sh\nenv > ${JSON.stringify(dumps)}/pigz-$$\nexec ${pigz} "$@"\n`,
      {
        mode: 0o755
      }
    )
    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`
    const result = await runMain(
      ws,
      {
        images: `${s.tls}/${uniqueName('envdump')}`,
        context: 'app',
        network: 'host',
        secrets: `tok=${secret}`,
        save: 'i.tar.gz',
        ...login
      },
      { PATH: `${shim.dir}:/usr/bin:${process.env.PATH}`, DOCKER_BUILDKIT: '1' }
    )
    expect(result.code).toBe(0)
    const files = fs.readdirSync(dumps)
    expect(files.some((f) => f.startsWith('pigz-'))).toBe(true)
    expect(files.filter((f) => f.startsWith('docker-')).length).toBeGreaterThan(2)
    for (const file of files) {
      const text = fs.readFileSync(path.join(dumps, file), 'utf8')
      expect({ file, inputs: text.split('\n').filter((l) => l.startsWith('INPUT_')) }).toEqual({ file, inputs: [] })
      expect({ file, password: text.includes(s.password) }).toEqual({ file, password: false })
      // The build's own environment carries the secret by design (--secret id=tok,env=SHIP_IMAGE_SECRET_1); no other.
      const isBuild = text.includes('SHIP_IMAGE_SECRET_1=')
      expect({ file, secret: text.includes(secret) }).toEqual({ file, secret: isBuild })
    }
  })

  it('the engine-unreachable message shows DOCKER_HOST without its user and password', async () => {
    const result = await runMain(
      makeWorkspace(),
      { images: `${s.plain}/${uniqueName('hostinfo')}`, context: 'app' },
      { DOCKER_HOST: 'tcp://admin:hunter2@127.0.0.1:1' }
    )
    expect(result.code).toBe(1)
    expect(commands(result.log, 'error')).toEqual([
      expect.stringContaining('The Docker engine is not reachable at DOCKER_HOST=tcp://127.0.0.1:1.')
    ])
    expect(visibleLog(result.log)).not.toContain('hunter2')
  })

  it('a plain .tar save does not warn about save-compression-level', async () => {
    const result = await runMain(makeWorkspace(), {
      images: `${s.plain}/${uniqueName('plaintar')}`,
      context: 'app',
      push: 'false',
      save: 'i.tar'
    })
    expect(result.code).toBe(0)
    expect(commands(result.log, 'warning').filter((w) => w.includes('save-compression-level'))).toEqual([])
  })

  it('build args named like credentials are warned about by whole word, and the Dockerfile can silence it', async () => {
    const args =
      'GH_PAT=x\nDB_PASS=y\nNPM_CONFIG__AUTH=z\nKEYCLOAK_URL=u\nTOKENIZER_MODEL=m\nCACHE_KEY_PREFIX=p\nMONKEY_PATCH=1'
    const warned = await runMain(makeWorkspace(), {
      images: `${s.plain}/${uniqueName('argwords')}`,
      context: 'app',
      push: 'false',
      'build-args': args,
      'dry-run': 'true'
    })
    const names = commands(warned.log, 'warning').map((w) => /The build arg (\S+) looks like a credential/.exec(w)?.[1])
    expect(names).toEqual(['GH_PAT', 'DB_PASS', 'NPM_CONFIG__AUTH'])
    const silenced = await runMain(makeWorkspace(`# check=skip=SecretsUsedInArgOrEnv\nFROM ${s.baseImage}\n`), {
      images: `${s.plain}/${uniqueName('argskip')}`,
      context: 'app',
      'build-args': args,
      'dry-run': 'true'
    })
    expect(commands(silenced.log, 'warning')).toEqual([])
  })
})
