// Runs the bundle the way the hosted runner does (node dist/index.js with INPUT_*,
// GITHUB_OUTPUT/GITHUB_STATE/GITHUB_STEP_SUMMARY files, then the post step with
// STATE_*), against the engine and registries scripts/services.sh started. The running
// is scripts/lib/step-runner.mjs's, shared with the bench and the demo; this adds the
// test workspaces and what the tests check with.
import { spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as os from 'node:os'
import * as path from 'node:path'
import { readServices } from '../../scripts/lib/services.mjs'
import type { Services } from '../../scripts/lib/services.mjs'
import * as runner from '../../scripts/lib/step-runner.mjs'
import type { ExtraEnv, Layout, StepResult, Trigger } from '../../scripts/lib/step-runner.mjs'

export { BUNDLE, parseCommandFile } from '../../scripts/lib/step-runner.mjs'
export type { Services, StepResult, Trigger }
/** Root of everything a run touches: workspace, runner temp, home, command files. */
export type Workspace = Layout

export function services(): Services {
  return readServices()
}

/** A fresh repository path per test run, so layers really upload and tests never share tags. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

/**
 * The bundle the tests run: dist/index.js, or SHIP_IMAGE_BUNDLE (to show that a
 * test fails on an earlier build).
 */
const BUNDLE_UNDER_TEST = process.env.SHIP_IMAGE_BUNDLE || undefined

const workspaces: string[] = []

/** Removes every workspace made by makeWorkspace (call in afterAll). */
export function removeWorkspaces(): void {
  for (const root of workspaces.splice(0)) fs.rmSync(root, { recursive: true, force: true })
}

/** A workspace with a Dockerfile in `app/` and a HOME whose ~/.docker/config.json is the user's own. */
export function makeWorkspace(dockerfile?: string): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-image-e2e-'))
  workspaces.push(root)
  const ws = runner.makeLayout(root)
  for (const dir of [path.join(ws.home, '.docker'), path.join(ws.workspace, 'app')])
    fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(
    path.join(ws.home, '.docker/config.json'),
    JSON.stringify({ auths: { 'other.example:5000': { auth: 'dXNlcjpvdGhlcg==' } } }, null, 2)
  )
  fs.writeFileSync(
    path.join(ws.workspace, 'app/Dockerfile'),
    dockerfile ??
      [
        `FROM ${services().baseImage}`,
        'ARG MESSAGE=none',
        'LABEL message=$MESSAGE',
        'COPY hello.txt /hello.txt',
        `RUN echo ${randomBytes(8).toString('hex')} > /unique`,
        ''
      ].join('\n')
  )
  fs.writeFileSync(path.join(ws.workspace, 'app/hello.txt'), 'hello\n')
  return ws
}

/**
 * The main step: `node dist/index.js` with each input as INPUT_<NAME> (upper case,
 * hyphens kept). `onSpawn` gets the node process (to signal it when something
 * outside its output happens).
 */
export function runMain(
  ws: Workspace,
  inputs: Record<string, string>,
  extraEnv: ExtraEnv = {},
  trigger?: Trigger,
  onSpawn?: (child: ChildProcess) => void
): Promise<StepResult> {
  return runner.runMain(ws, inputs, { env: extraEnv, trigger, onSpawn, bundle: BUNDLE_UNDER_TEST })
}

/** The post step: the same bundle with the main step's state as STATE_<name>. */
export function runPost(ws: Workspace, main: StepResult): Promise<{ code: number; log: string }> {
  return runner.runPost(ws, main.state, { bundle: BUNDLE_UNDER_TEST })
}

export function docker(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync('docker', args, { encoding: 'utf8', env })
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`)
  return result.stdout.trim()
}

export function dockerStatus(args: string[]): number {
  return spawnSync('docker', args, { encoding: 'utf8' }).status ?? -1
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json'
].join(', ')

export interface Manifest {
  status: number
  /** The registry's Docker-Content-Digest header. */
  header: string | undefined
  /** sha256 of the manifest bytes the registry served. */
  computed: string
  /** The bytes served (a manifest, or a blob). */
  body: Buffer
}

/** GET /v2/<repo>/manifests/<tag> straight from the registry's HTTP API. */
export function fetchManifest(
  registry: string,
  repository: string,
  reference: string,
  auth?: { username: string; password: string }
): Promise<Manifest> {
  return fetchRegistry(registry, `/v2/${repository}/manifests/${reference}`, auth)
}

/**
 * The labels of the image a registry serves under `reference`: its manifest, then
 * the config blob the manifest names (tells one run's image from another's).
 */
export async function labelsServed(
  registry: string,
  repository: string,
  reference: string,
  auth?: { username: string; password: string }
): Promise<Record<string, string>> {
  const manifest = JSON.parse((await fetchManifest(registry, repository, reference, auth)).body.toString()) as {
    config: { digest: string }
  }
  const config = await fetchRegistry(registry, `/v2/${repository}/blobs/${manifest.config.digest}`, auth)
  return (JSON.parse(config.body.toString()) as { config: { Labels?: Record<string, string> } }).config.Labels ?? {}
}

/** GET a path of a registry's HTTP API. */
function fetchRegistry(
  registry: string,
  urlPath: string,
  auth?: { username: string; password: string }
): Promise<Manifest> {
  const s = services()
  const secure = registry === s.tls
  const [host, port] = registry.split(':')
  const headers: Record<string, string> = { Accept: MANIFEST_TYPES }
  if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
  const options = {
    host: host === 'localhost' ? '127.0.0.1' : host,
    servername: host,
    port: Number(port),
    path: urlPath,
    headers,
    method: 'GET'
  }
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const header = res.headers['docker-content-digest']
        resolve({
          status: res.statusCode ?? 0,
          header: Array.isArray(header) ? header[0] : header,
          computed: `sha256:${createHash('sha256').update(body).digest('hex')}`,
          body
        })
      })
    }
    const req = secure
      ? https.request({ ...options, ca: fs.readFileSync(s.caFile) }, onResponse)
      : http.request(options, onResponse)
    req.on('error', reject)
    req.end()
  })
}

export function sha256File(file: string): string {
  return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`
}

/** Every regular file below `dir`, for searching leftovers. */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name))
}

/** The log without `::add-mask::` lines (the runner consumes them; they carry the secret by design). */
export function visibleLog(log: string): string {
  return log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')
}

/** Lines of a log that are workflow commands of the given kind (`error`, `warning`, …). */
export function commands(log: string, kind: string): string[] {
  return log.split('\n').filter((l) => l.startsWith(`::${kind}`))
}

/** The docker CLI the tests would run (first on PATH). */
export function realDocker(): string {
  const found = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim()
  if (found === '') throw new Error('docker is not on PATH')
  return found
}

export interface DockerShim {
  /** Put this first on PATH. */
  dir: string
  /** Every argument vector docker was called with, one per line, so far. */
  calls(): string[]
}

/**
 * A `docker` first on PATH that records each argument vector and then runs
 * `target` (the real CLI by default). `before` is shell run before that, with the
 * arguments in "$@" (to make a command fail on purpose).
 */
export function dockerShim(ws: Workspace, options: { target?: string; before?: string } = {}): DockerShim {
  const dir = path.join(ws.root, 'shim')
  const record = path.join(ws.root, 'argv')
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(record, '')
  const script = [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> ${JSON.stringify(record)}`,
    options.before ?? '',
    `exec ${JSON.stringify(options.target ?? realDocker())} "$@"`,
    ''
  ]
  fs.writeFileSync(path.join(dir, 'docker'), script.join('\n'), { mode: 0o755 })
  return {
    dir,
    calls: () =>
      fs
        .readFileSync(record, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
  }
}
