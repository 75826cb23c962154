// Signing with cosign and declaring artifacts (issue 25), end to end: Debian's cosign
// 3.1.1 (services.json tools.cosign) first on PATH behind a shim that records its
// argv, or not on PATH at all and fetched from a loopback release page; a key pair
// from `cosign generate-key-pair`; images pushed to the TLS registry with a login.
// Each pushed digest is signed and `cosign verify` (run as the cosign-verify output
// prints it) accepts it, and refuses an image pushed without sign; the key and its
// password are nowhere but the cosign process's environment, also when the step is
// cancelled while signing. $GITHUB_ARTIFACTS gets one line per pushed repository,
// merged index or saved tarball. Keyless signing cannot reach Fulcio here: its
// command is shown by the dry run, and a job without an OIDC token is an input error.
import { afterAll, beforeAll, describe, expect } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  setup,
  commands,
  dockerShim,
  fetchManifest,
  filesBelow,
  has,
  itWhere,
  makeWorkspace,
  runMain,
  runPost,
  uniqueName,
  visibleLog
} from './harness.js'
import type { StepResult, Workspace } from './harness.js'
import { ReleaseServer } from './release-server.js'

const { s, login, auth } = setup()
const COSIGN = s.tools.cosign ?? '/nonexistent/cosign'
const hasCosign = fs.existsSync(COSIGN)

/** A key pair as `cosign generate-key-pair` writes it, and a docker config with the registry's login (for verify). */
interface Keys {
  dir: string
  /** The private key's PEM text (cosign.key). */
  pem: string
  password: string
  /** The lines of the key that are secret (its base64 body), to look for wherever they must not be. */
  secrets: string[]
  /** DOCKER_CONFIG for cosign verify. */
  dockerConfig: string
}

let keys: Keys
beforeAll(() => {
  if (!hasCosign) return
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-cosign-keys-'))
  const password = `pw-${randomBytes(12).toString('hex')}`
  const made = spawnSync(COSIGN, ['generate-key-pair'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, COSIGN_PASSWORD: password, HOME: dir }
  })
  if (made.status !== 0) throw new Error(`cosign generate-key-pair failed: ${made.stderr}`)
  const pem = fs.readFileSync(path.join(dir, 'cosign.key'), 'utf8')
  const dockerConfig = path.join(dir, 'docker-config')
  fs.mkdirSync(dockerConfig)
  fs.writeFileSync(
    path.join(dockerConfig, 'config.json'),
    JSON.stringify({ auths: { [s.tls]: { auth: Buffer.from(`${s.username}:${s.password}`).toString('base64') } } })
  )
  const secrets = pem
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('-----'))
  keys = { dir, pem, password, secrets: [...secrets, password], dockerConfig }
})
afterAll(() => {
  if (keys) fs.rmSync(keys.dir, { recursive: true, force: true })
})

/** The words of a command line as the action prints it (single quotes, as shellQuote writes them). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2])
}

/** `cosign verify …` as printed (cosign-verify output), run in the key pair's folder with the registry's login. */
function runVerify(line: string): { status: number; output: string } {
  const [program, ...args] = words(line)
  expect(program).toBe('cosign')
  const result = spawnSync(COSIGN, args, {
    cwd: keys.dir,
    encoding: 'utf8',
    env: { ...process.env, DOCKER_CONFIG: keys.dockerConfig, HOME: keys.dir },
    timeout: 60_000
  })
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` }
}

interface CosignShim {
  dir: string
  /** Every argv cosign was called with, one per line. */
  calls(): string[]
}

/**
 * A `cosign` that records its argv (and, with `sleep`, its PID in `started`, then
 * sleeps) before it runs the real one.
 */
function cosignShim(ws: Workspace, options: { sleep?: number } = {}): CosignShim {
  const dir = path.join(ws.root, 'cosign-shim')
  const record = path.join(ws.root, 'cosign-argv')
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(record, '')
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> ${JSON.stringify(record)}`,
    ...(options.sleep === undefined
      ? []
      : [`echo $$ > ${JSON.stringify(path.join(ws.root, 'started'))}`, `sleep ${options.sleep}`]),
    `exec ${JSON.stringify(COSIGN)} "$@"`,
    ''
  ]
  fs.writeFileSync(path.join(dir, 'cosign'), script.join('\n'), { mode: 0o755 })
  return {
    dir,
    calls: () =>
      fs
        .readFileSync(record, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
  }
}

const keyInputs = (): Record<string, string> => ({
  sign: 'key',
  'cosign-key': keys.pem,
  'cosign-password': keys.password,
  'tlog-upload': 'false'
})

/** Where a secret of the key pair is found in `text` (none: []). */
function leaks(text: string): string[] {
  return keys.secrets.filter((secret) => text.includes(secret))
}

/** The processes whose environment holds a secret of the key pair (Linux /proc). */
function processesWithKey(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => {
      try {
        return leaks(fs.readFileSync(`/proc/${pid}/environ`, 'utf8')).length > 0
      } catch {
        return false
      }
    })
    .map(Number)
}

/** The files below `dir` that hold a secret of the key pair. */
function filesWithKey(dir: string): string[] {
  return filesBelow(dir).filter((file) => leaks(fs.readFileSync(file, 'latin1')).length > 0)
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

/** The registry's digest of `name:tag` on the TLS registry, checked against the bytes it serves. */
async function servedDigest(name: string, tag: string): Promise<string> {
  const manifest = await fetchManifest(s.tls, name, tag, auth)
  expect(manifest.status).toBe(200)
  expect(manifest.header).toBe(manifest.computed)
  return manifest.header ?? ''
}

/** Pushed and signed where buildx or the engine pushes (the classic store: the digest docker push reports). */
const signs = hasCosign && has.buildx && !has.containerdStore
const SIGN_WORLDS = 'shown where buildx (builder world) or the engine (hosted world) pushes; cosign signs registry-side'

describe('sign: key', () => {
  const it = itWhere(signs, SIGN_WORLDS)

  it('signs each pushed digest; cosign verify, as the output prints it, accepts them and refuses an unsigned image; the key is nowhere', async () => {
    const ws = makeWorkspace()
    const cosign = cosignShim(ws)
    const docker = dockerShim(ws)
    const names = [uniqueName('signed-a'), uniqueName('signed-b')]
    const repositories = names.map((n) => `${s.tls}/${n}`)
    const result = await runMain(
      ws,
      { images: repositories.join('\n'), tags: 'v1', context: 'app', ...login, ...keyInputs() },
      { PATH: `${cosign.dir}:${docker.dir}:${process.env.PATH}` }
    )
    expect(commands(result.log, 'error')).toEqual([])
    expect(result.code).toBe(0)
    const digests = await Promise.all(names.map((n) => servedDigest(n, 'v1')))
    const refs = repositories.map((r, i) => `${r}@${digests[i]}`)
    expect(result.outputs.refs.split('\n')).toEqual(refs)
    // One signature per repository, by digest, the key read from the environment.
    expect(cosign.calls()).toEqual(
      refs.map(
        (ref) => `sign --yes --key env://COSIGN_PRIVATE_KEY --tlog-upload=false --use-signing-config=false ${ref}`
      )
    )
    const verify = result.outputs['cosign-verify'].split('\n')
    expect(verify.map(words)).toEqual(
      refs.map((ref) => ['cosign', 'verify', '--key', 'cosign.pub', '--insecure-ignore-tlog=true', ref])
    )
    for (const line of verify) {
      const checked = runVerify(line)
      expect({ line, status: checked.status, output: checked.status === 0 ? '' : checked.output }).toEqual({
        line,
        status: 0,
        output: ''
      })
    }
    expect(fs.readFileSync(ws.summaryFile, 'utf8')).toContain('cosign verify')

    // An image pushed without sign: the same verify refuses it.
    const unsignedName = uniqueName('unsigned')
    const unsigned = await runMain(makeWorkspace(), {
      images: `${s.tls}/${unsignedName}`,
      tags: 'v1',
      context: 'app',
      ...login
    })
    expect(unsigned.code).toBe(0)
    expect(unsigned.outputs['cosign-verify']).toBe('')
    const refused = runVerify(verify[0].replace(refs[0], unsigned.outputs.refs))
    expect(refused.status).not.toBe(0)
    expect(refused.output).toMatch(/no signatures found|no matching signatures/i)

    // The key and its password: in no child's argv, the log, the outputs, the summary, or a file left.
    const post = await runPost(ws, result)
    expect(post.code).toBe(0)
    expect(leaks(cosign.calls().join('\n'))).toEqual([])
    expect(leaks(docker.calls().join('\n'))).toEqual([])
    expect(leaks(visibleLog(result.log))).toEqual([])
    expect(leaks(post.log)).toEqual([])
    expect(leaks(JSON.stringify(result.outputs))).toEqual([])
    expect(leaks(fs.readFileSync(ws.summaryFile, 'utf8'))).toEqual([])
    expect(filesWithKey(ws.runnerTemp)).toEqual([])
    expect(filesWithKey(ws.workspace)).toEqual([])
    expect(filesWithKey(ws.home)).toEqual([])
    expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
  }, 180_000)
})

describe('cosign from a release', () => {
  itWhere(signs && has.remoteBuilder, 'the download is the same in every world: shown in the builder world')(
    'fetches the pinned cosign when the runner has none, checks it, keeps it in the tool cache and signs with it',
    async () => {
      const asset = 'cosign-linux-amd64'
      const releases = new ReleaseServer({
        tag: 'v3.1.1',
        assets: { [asset]: COSIGN },
        checksums: 'cosign_checksums.txt'
      })
      await releases.start()
      try {
        const ws = makeWorkspace()
        const toolCache = path.join(ws.workspace, 'tool-cache')
        const name = uniqueName('signed-fetched')
        const repository = `${s.tls}/${name}`
        // PATH as this process has it: no cosign on it.
        const onPath = (process.env.PATH ?? '').split(':').some((d) => fs.existsSync(path.join(d, 'cosign')))
        expect(onPath).toBe(false)
        const result = await runMain(
          ws,
          {
            images: repository,
            tags: 'v1',
            context: 'app',
            ...login,
            ...keyInputs(),
            'cosign-download-url': releases.base
          },
          { RUNNER_TOOL_CACHE: toolCache }
        )
        expect(commands(result.log, 'error')).toEqual([])
        expect(result.code).toBe(0)
        expect(result.log).toContain('sign: the runner has no cosign; this run uses cosign v3.1.1.')
        const sha = createHash('sha256').update(fs.readFileSync(COSIGN)).digest('hex')
        expect(result.log).toContain(`${asset}: sha256 ${sha}, as the release's cosign_checksums.txt says.`)
        expect(releases.downloadsOf(asset)).toBe(1)
        expect(filesBelow(toolCache).filter((f) => path.basename(f) === 'cosign')).toHaveLength(1)
        const ref = `${repository}@${await servedDigest(name, 'v1')}`
        expect(result.outputs.refs).toBe(ref)
        expect(runVerify(result.outputs['cosign-verify']).status).toBe(0)
      } finally {
        await releases.close()
      }
    },
    180_000
  )
})

describe('a cancel while signing', () => {
  itWhere(signs && has.remoteBuilder, 'the stop is the same in every world: shown in the builder world')(
    'leaves no process running and no file holding the key',
    async () => {
      const ws = makeWorkspace()
      const cosign = cosignShim(ws, { sleep: 120 })
      const started = path.join(ws.root, 'started')
      const name = uniqueName('cancelled')
      let step: import('node:child_process').ChildProcess | undefined
      const running = runMain(
        ws,
        { images: `${s.tls}/${name}`, tags: 'v1', context: 'app', ...login, ...keyInputs() },
        { PATH: `${cosign.dir}:${process.env.PATH}` },
        undefined,
        (child) => {
          step = child
        }
      )
      // The step is signing once the cosign shim has started (and sleeps, with the key in its environment).
      const deadline = Date.now() + 120_000
      while (!fs.existsSync(started) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(fs.existsSync(started)).toBe(true)
      await new Promise((r) => setTimeout(r, 200))
      const shimPid = Number(fs.readFileSync(started, 'utf8').trim())
      expect(isAlive(shimPid)).toBe(true)
      expect(processesWithKey()).toContain(shimPid)
      step?.kill('SIGTERM')
      const result: StepResult = await running
      expect(result.code).not.toBe(0)
      expect(cosign.calls()).toHaveLength(1)

      // When the main step has ended: cosign is stopped, no process holds the key, no file has it.
      expect(isAlive(shimPid)).toBe(false)
      expect(processesWithKey()).toEqual([])
      expect(filesWithKey(ws.root)).toEqual([])
      expect(leaks(visibleLog(result.log))).toEqual([])
      // And after the post step.
      const post = await runPost(ws, result)
      expect(post.code).toBe(0)
      expect(processesWithKey()).toEqual([])
      expect(filesWithKey(ws.root)).toEqual([])
      expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
    },
    180_000
  )
})

/** The runner's artifacts file, made before the step as the runner makes it. */
function artifactsFile(ws: Workspace): string {
  const file = path.join(ws.root, 'artifacts')
  fs.writeFileSync(file, '')
  return file
}

const linesOf = (file: string): string[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')

describe('$GITHUB_ARTIFACTS', () => {
  itWhere(has.buildx && !has.containerdStore, 'shown where buildx (builder world) or the engine (hosted world) pushes')(
    'gets one oci:// line per pushed repository, with the digest the registry serves',
    async () => {
      const ws = makeWorkspace()
      const file = artifactsFile(ws)
      const names = [uniqueName('declared-a'), uniqueName('declared-b')]
      const repositories = names.map((n) => `${s.tls}/${n}`)
      const result = await runMain(
        ws,
        { images: repositories.join(','), tags: 'v1,v2', context: 'app', ...login },
        { GITHUB_ARTIFACTS: file }
      )
      expect(result.code).toBe(0)
      const digests = await Promise.all(names.map((n) => servedDigest(n, 'v2')))
      expect(linesOf(file)).toEqual(repositories.map((r, i) => `oci://${r}@${digests[i]}`))
      for (const line of linesOf(file)) expect(line).toMatch(/^oci:\/\/\S+@sha256:[0-9a-f]{64}$/)
    }
  )

  const it = itWhere(has.remoteBuilder, 'the declaration does not depend on the builder: shown in the builder world')

  it('gets the merged index of a merge', async () => {
    const commit = randomBytes(20).toString('hex')
    const name = uniqueName('declared-merge')
    const repository = `${s.plain}/${name}`
    const platforms = ['linux/amd64', 'linux/arm64']
    const tagPush = (ws: Workspace): Record<string, string> => {
      const payload = path.join(ws.root, 'event.json')
      fs.writeFileSync(payload, JSON.stringify({ ref: 'refs/tags/v1.2.3' }))
      return {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/tags/v1.2.3',
        GITHUB_SHA: commit,
        GITHUB_EVENT_PATH: payload,
        GITHUB_REPOSITORY: 'octo-org/app'
      }
    }
    const parts = await Promise.all(
      platforms.map((platform) => {
        const ws = makeWorkspace(
          ['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n')
        )
        return runMain(ws, { images: repository, context: 'app', platforms: platform, merge: 'part' }, tagPush(ws))
      })
    )
    for (const part of parts) expect(part.code).toBe(0)
    const ws = makeWorkspace()
    fs.rmSync(path.join(ws.workspace, 'app'), { recursive: true })
    const file = artifactsFile(ws)
    const merged = await runMain(
      ws,
      { images: repository, merge: platforms.join(', ') },
      { ...tagPush(ws), GITHUB_ARTIFACTS: file }
    )
    expect(merged.code).toBe(0)
    const index = await fetchManifest(s.plain, name, '1.2.3')
    expect(index.header).toBe(index.computed)
    expect(index.mediaType).toMatch(/manifest\.list\.v2\+json|image\.index\.v1\+json/)
    expect(linesOf(file)).toEqual([`oci://${repository}@${index.header}`])
  }, 180_000)

  it('gets file:// of a saved tarball', async () => {
    const ws = makeWorkspace()
    const file = artifactsFile(ws)
    const result = await runMain(
      ws,
      {
        images: `${s.plain}/${uniqueName('declared-tar')}`,
        tags: 'v1',
        context: 'app',
        push: 'false',
        save: 'out/image.tar'
      },
      { GITHUB_ARTIFACTS: file }
    )
    expect(result.code).toBe(0)
    const tarball = path.join(ws.workspace, 'out/image.tar')
    expect(result.outputs.tarball).toBe(tarball)
    expect(fs.statSync(tarball).size).toBeGreaterThan(0)
    expect(linesOf(file)).toEqual([`file://${tarball}`])
  })

  it('is not written when the runner gives no such file', async () => {
    const ws = makeWorkspace()
    const name = uniqueName('undeclared')
    const result = await runMain(ws, { images: `${s.plain}/${name}`, tags: 'v1', context: 'app' })
    expect(result.code).toBe(0)
    expect(result.outputs.refs).toMatch(/@sha256:/)
    expect(result.log).not.toContain('Declared to the runner as artifacts')
    // No file of the run's folders got a declaration.
    expect(filesBelow(ws.root).filter((f) => fs.readFileSync(f, 'latin1').includes('oci://'))).toEqual([])
  })
})

describe('sign: keyless', () => {
  const it = itWhere(has.remoteBuilder, 'the plan is the same in every world: shown in the builder world')
  const oidc = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: `oidc-${randomBytes(8).toString('hex')}`,
    GITHUB_REPOSITORY: 'octo-org/app',
    GITHUB_WORKFLOW_REF: 'octo-org/app/.github/workflows/release.yml@refs/heads/main'
  }

  it('signs each repository’s digest with cosign sign --yes, as the dry run prints it', async () => {
    const ws = makeWorkspace()
    const repositories = [`${s.tls}/${uniqueName('keyless-a')}`, `${s.tls}/${uniqueName('keyless-b')}`]
    const result = await runMain(
      ws,
      { images: repositories.join(','), tags: 'v1', context: 'app', sign: 'keyless', 'dry-run': 'true' },
      oidc
    )
    expect(result.code).toBe(0)
    const signing = result.log.split('\n').filter((l) => l.startsWith('cosign '))
    expect(signing.map(words)).toEqual(repositories.map((r) => ['cosign', 'sign', '--yes', `${r}@<digest>`]))
    expect(result.log).not.toContain(oidc.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
  })

  it('is an input error in a job without an OIDC token, before any docker command', async () => {
    const ws = makeWorkspace()
    const docker = dockerShim(ws)
    const { ACTIONS_ID_TOKEN_REQUEST_URL: _url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _token, ...noToken } = oidc
    const result = await runMain(
      ws,
      { images: `${s.tls}/${uniqueName('keyless-none')}`, tags: 'v1', context: 'app', sign: 'keyless' },
      { ...noToken, PATH: `${docker.dir}:${process.env.PATH}` }
    )
    expect(result.code).toBe(1)
    const errors = commands(result.log, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::Input 'sign': keyless signing needs the job’s OIDC token/)
    expect(errors[0]).toContain('id-token: write')
    expect(docker.calls()).toEqual([])
  })
})
