// Runs the bundle the way the hosted runner does (node dist/index.js with INPUT_*,
// GITHUB_OUTPUT/GITHUB_STATE/GITHUB_STEP_SUMMARY files, then the post step with
// STATE_*), against the engine and registries scripts/services.sh started. The running
// is scripts/lib/step-runner.mjs's, shared with the bench and the demo; this adds the
// test workspaces and what the tests check with.
//
// The world: the e2e suite runs once per Docker world of scripts/services.sh, as the
// Jest projects e2e-classic, e2e-hosted, e2e-builder and e2e-containerd
// (jest.config.js passes SHIP_IMAGE_WORLD). When this module loads it points the test
// file's process at that world: its CLI first on PATH (a folder with a `docker`
// symlink to worlds.<world>.cli) and its DOCKER_HOST, so the steps, docker() and the
// shims all talk to the same engine. Where the world has buildx, each workspace's
// HOME has docker-buildx in ~/.docker/cli-plugins, the way docker/setup-buildx-action
// gives it to a user; in the builder world its ~/.docker/buildx also has the remote
// builder as the current one, as setup-buildx-action leaves it (`docker buildx create
// --driver … --use`; services.sh makes that folder once, a workspace gets a copy).
// A test that needs something of a world says what with `has` and itWhere().
//
// The preamble: every test file starts with `const { s, login } = setup()` (the
// services, the TLS registry's login, and its workspaces removed after its tests);
// what several files check with (the registry's digests, no credential left, the
// run's processes, a merge's parts) is here too, at the end.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as os from 'node:os'
import * as path from 'node:path'
import { readServices } from '../../scripts/lib/services.mjs'
import type { Services, World, WorldName } from '../../scripts/lib/services.mjs'
import * as runner from '../../scripts/lib/step-runner.mjs'
import { FaultProxy } from './fault-proxy.js'
import type { ExtraEnv, Layout, StepResult, Trigger } from '../../scripts/lib/step-runner.mjs'

export { BUNDLE, parseCommandFile } from '../../scripts/lib/step-runner.mjs'
export type { Services, StepResult, Trigger }
/** Root of everything a run touches: workspace, runner temp, home, command files. */
export type Workspace = Layout

export type { WorldName } from '../../scripts/lib/services.mjs'
const WORLD_NAMES: WorldName[] = ['classic', 'hosted', 'builder', 'containerd']

/** The world this test file runs in (jest.config.js's project; classic when run outside one). */
export const WORLD: WorldName = worldName(
  (globalThis as { SHIP_IMAGE_WORLD?: string }).SHIP_IMAGE_WORLD ?? process.env.SHIP_IMAGE_WORLD
)

function worldName(name: string | undefined): WorldName {
  if (name === undefined) return 'classic'
  if (!(WORLD_NAMES as string[]).includes(name))
    throw new Error(`SHIP_IMAGE_WORLD is '${name}': the worlds are ${WORLD_NAMES.join(', ')}`)
  return name as WorldName
}

let read: Services | undefined

/**
 * services.json, read once per test file (another run's services.sh may rewrite it
 * meanwhile), as this world's tests use it: `baseImage` is the world's (where its
 * builder reads it from), and `tls` is the TLS registry by the name this world's
 * builders reach it: localhost where the engine alone talks to it (the classic
 * world), the non-loopback name (`tlsNamed`, as a runner reaches ghcr.io) wherever
 * buildx and BuildKit do. services.json's own values stay in `registries`.
 */
export function services(): Services {
  if (read) return read
  const raw = readServices()
  const found = raw.worlds?.[WORLD]
  if (!found) {
    throw new Error(
      `services.json has no ${WORLD} world: run scripts/services.sh from this checkout (SHIP_IMAGE_WORLDS leaves worlds out, and jest.config.js then leaves out their projects)`
    )
  }
  read = { ...raw, baseImage: found.baseImage, tls: found.buildx === null ? raw.tls : raw.tlsNamed }
  return read
}

/** That world, as services.json describes it. */
export const world: World = services().worlds[WORLD]!

/** The engine's major version (20, 28). */
export const ENGINE_MAJOR = Number.parseInt(world.engine, 10)

/** What this world has, by what a test needs. */
export const has = {
  /** buildx as the user's CLI plugin: the action builds with `docker buildx build`. */
  buildx: world.buildx !== null,
  /** No buildx: `docker build` is the classic builder (BuildKit only with DOCKER_BUILDKIT=1 and a CLI that has it built in). */
  classicBuilder: world.buildx === null,
  /** The current builder is the engine's own BuildKit (buildx's docker driver): it builds FROM the engine's images. */
  dockerDriver: world.builder?.driver === 'docker',
  /**
   * The current builder is a BuildKit outside the engine (a remote builder, as
   * setup-buildx-action's): it sees no image of the engine, and --load sends the engine a tarball.
   */
  remoteBuilder: world.builder?.driver === 'remote',
  /** The engine keeps images in containerd: an image's ID is its manifest's digest. */
  containerdStore: world.containerdStore,
  /** One build makes an index of several platforms: any builder but the docker driver on the classic store. */
  multiPlatform: world.buildx !== null && (world.builder?.driver !== 'docker' || world.containerdStore)
}

/**
 * `it` where `needed` holds, else `it.skip` with `why` in the test's name, so the
 * report says why it did not run here.
 */
export function itWhere(needed: boolean, why: string): typeof it {
  if (needed) return it
  const skipped = ((name: string, fn: NonNullable<Parameters<typeof it.skip>[1]>, timeout?: number) =>
    it.skip(`${name} [skipped in the ${WORLD} world: ${why}]`, fn, timeout)) as typeof it
  return skipped
}

/** `describe` where `needed` holds, else `describe.skip` with `why` in the block's name. */
export function describeWhere(needed: boolean, why: string): typeof describe {
  if (needed) return describe
  const skipped = ((name: string, fn: () => void) =>
    describe.skip(`${name} [skipped in the ${WORLD} world: ${why}]`, fn)) as typeof describe
  return skipped
}

/** A folder holding only `docker`, a symlink to the world's CLI: put it first on PATH. */
function worldBin(cli: string): string {
  const dir = path.join(os.tmpdir(), `ship-image-world-${createHash('sha256').update(cli).digest('hex').slice(0, 12)}`)
  const link = path.join(dir, 'docker')
  if (fs.existsSync(link) && fs.readlinkSync(link) === cli) return dir
  fs.mkdirSync(dir, { recursive: true })
  const temp = `${link}.${process.pid}`
  fs.rmSync(temp, { force: true })
  fs.symlinkSync(cli, temp)
  fs.renameSync(temp, link)
  return dir
}

// This test file's process, and every step and docker command it starts, uses the world.
process.env.PATH = `${worldBin(world.cli)}${path.delimiter}${process.env.PATH ?? ''}`
process.env.DOCKER_HOST = world.dockerHost
for (const name of ['DOCKER_CONTEXT', 'BUILDX_BUILDER', 'BUILDX_CONFIG', 'DOCKER_BUILDKIT']) delete process.env[name]

/**
 * The FaultProxy options this world needs: engines from 26 on speak TLS to a registry
 * on a random loopback port and do not fall back, so the proxy serves the test
 * certificate there (scripts/services.sh's, beside caFile).
 */
export function proxyTls(): { tls?: { cert: string; key: string } } {
  if (ENGINE_MAJOR < 26) return {}
  const dir = path.dirname(services().caFile)
  return { tls: { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') } }
}

/**
 * The name a FaultProxy that speaks TLS goes by (undefined: localhost). BuildKit and
 * buildx's imagetools speak plain HTTP to a loopback name, so where they reach it (a
 * builder outside the engine pushes; `reachedByBuildx`: imagetools reads) it is the
 * certificate's other name of 127.0.0.1, as ghcr.io would be.
 */
export function proxyHostname(options: { reachedByBuildx?: boolean } = {}): string | undefined {
  const byName = (options.reachedByBuildx && has.buildx) || has.remoteBuilder
  return byName && proxyTls().tls ? services().tlsNamed.split(':')[0] : undefined
}

/**
 * A FaultProxy in front of the plain registry for the enclosing describe block:
 * started before its tests and closed after them; `proxy.host` is where to push.
 * `reachedByBuildx`: buildx itself (imagetools) talks to it too, so where the proxy
 * speaks TLS it goes by the certificate's other name of 127.0.0.1 (buildx speaks
 * plain HTTP to a localhost registry).
 */
export function plainFaultProxy(options: { reachedByBuildx?: boolean } = {}): FaultProxy {
  const proxy = new FaultProxy({
    upstream: `http://127.0.0.1:${services().plain.split(':')[1]}`,
    ...proxyTls(),
    hostname: proxyHostname(options)
  })
  beforeAll(() => proxy.start())
  afterAll(() => proxy.close())
  return proxy
}

/**
 * What makes the action build with BuildKit in this world: without buildx, the
 * Debian 20.10 CLI with DOCKER_BUILDKIT=1 (the CLI's built-in BuildKit); with buildx,
 * nothing (buildx is installed).
 */
export function buildkit(): Record<string, string> {
  return has.classicBuilder ? { PATH: `/usr/bin${path.delimiter}${process.env.PATH}`, DOCKER_BUILDKIT: '1' } : {}
}

/** The command the action runs a build with in this world when buildkit() is given. */
export const BUILDKIT_BUILD = has.classicBuilder ? 'build' : 'buildx build --load --provenance=false'

/** `text` as a RegExp source that matches it literally (a registry host, say). */
export function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
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
  if (world.pluginsDir) {
    fs.mkdirSync(path.join(ws.home, '.docker/cli-plugins'))
    fs.symlinkSync(
      path.join(world.pluginsDir, 'docker-buildx'),
      path.join(ws.home, '.docker/cli-plugins/docker-buildx')
    )
  }
  // The builder setup-buildx-action would have made current (services.sh made it so in this folder).
  const buildxConfig = world.builder?.buildxConfig
  if (buildxConfig) {
    fs.cpSync(buildxConfig, path.join(ws.home, '.docker/buildx'), {
      recursive: true,
      filter: (from) => path.basename(from) !== '.ship-image-stamp'
    })
  }
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
  return runner.runMain(ws, withWorldInputs(inputs), { env: extraEnv, trigger, onSpawn, bundle: BUNDLE_UNDER_TEST })
}

/**
 * The inputs a step gets in this world: the 28.5.2 engines here have no bridge
 * network (scripts/services.sh), so their own BuildKit (the docker driver) runs RUN
 * steps on the host's unless a test sets `network` itself. (The classic builder has
 * no bridge either, but runs RUN steps without one; the remote builder's BuildKit
 * uses the host's network already.)
 */
function withWorldInputs(inputs: Record<string, string>): Record<string, string> {
  const builds = inputs['source-image'] === undefined || inputs['source-image'] === ''
  return has.dockerDriver && builds && inputs.network === undefined ? { ...inputs, network: 'host' } : inputs
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

/**
 * docker, asynchronously: for a command that talks to a FaultProxy, which answers
 * from this very process (spawnSync would wait for it forever).
 */
export function dockerAsync(
  args: string[],
  env: NodeJS.ProcessEnv = process.env
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

export function dockerStatus(args: string[]): number {
  return spawnSync('docker', args, { encoding: 'utf8', env: process.env }).status ?? -1
}

/** docker() as the workspace's user: its HOME, so its ~/.docker (buildx, contexts). */
export function dockerIn(ws: Workspace, args: string[]): string {
  return docker(args, { ...process.env, HOME: ws.home })
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
  /** The Content-Type the registry served it as. */
  mediaType: string | undefined
  /** The bytes served (a manifest, an index, or a blob). */
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
 * The config of the image a registry serves under `reference` (one manifest): the
 * manifest, then the config blob it names. What a builder outside the engine made is
 * read here, as it never is in the engine.
 */
export async function configServed(
  registry: string,
  repository: string,
  reference: string,
  auth?: { username: string; password: string }
): Promise<{ created?: string; config: { Labels?: Record<string, string> } }> {
  const manifest = JSON.parse((await fetchManifest(registry, repository, reference, auth)).body.toString()) as {
    config: { digest: string }
  }
  const config = await fetchRegistry(registry, `/v2/${repository}/blobs/${manifest.config.digest}`, auth)
  return JSON.parse(config.body.toString()) as { created?: string; config: { Labels?: Record<string, string> } }
}

/** The labels of the image a registry serves under `reference` (tells one run's image from another's). */
export async function labelsServed(
  registry: string,
  repository: string,
  reference: string,
  auth?: { username: string; password: string }
): Promise<Record<string, string>> {
  return (await configServed(registry, repository, reference, auth)).config.Labels ?? {}
}

/** GET /v2/<repo>/blobs/<digest>: a config, a layer, an attestation's statement. */
export function fetchBlob(
  registry: string,
  repository: string,
  digest: string,
  auth?: { username: string; password: string }
): Promise<Manifest> {
  return fetchRegistry(registry, `/v2/${repository}/blobs/${digest}`, auth)
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
          mediaType: res.headers['content-type'],
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

/** `skopeo inspect --raw` of a reference on the plain registry: the registry read by another client than docker. */
export function skopeoRaw(ref: string): string {
  const result = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], {
    encoding: 'utf8'
  })
  if (result.status !== 0) throw new Error(`skopeo inspect ${ref} failed: ${result.stderr}`)
  return result.stdout
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

/** The world's docker CLI (the one first on PATH). */
export function realDocker(): string {
  return world.cli
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

/** What every e2e file starts with: the services, the logins of the TLS registry, and its workspaces removed. */
export interface Preamble {
  /** services(): the registries, the base image and the tools of this world. */
  s: Services
  /** The inputs that log in to the TLS registry (registry, username, password). */
  login: { registry: string; username: string; password: string }
  /** The TLS registry's credentials, for fetchManifest() and the like. */
  auth: { username: string; password: string }
  /** `username:password` in base64, as a docker config.json holds it: what a leak check also looks for. */
  basicAuth: string
}

const s = services()
const login = { registry: s.tls, username: s.username, password: s.password }
const auth = { username: s.username, password: s.password }
const basicAuth = Buffer.from(`${s.username}:${s.password}`).toString('base64')

/**
 * The base image, made sure to be in the engine (for a test that tags or saves it
 * there): where a builder outside the engine builds, only that builder pulled it.
 */
export function baseInEngine(): string {
  if (dockerStatus(['image', 'inspect', s.baseImage]) !== 0) docker(['pull', s.baseImage])
  return s.baseImage
}

/**
 * The e2e preamble: call it once at the top of a test file (`const { s, login } =
 * setup()`). It removes the file's workspaces after its tests (afterAll).
 */
export function setup(): Preamble {
  afterAll(removeWorkspaces)
  return { s, login, auth, basicAuth }
}

/**
 * The environment a runner gives for an event: GITHUB_* and the payload file (the
 * repository octo-org/Ship-App unless `repository` says another).
 */
export function eventEnv(
  ws: Workspace,
  name: string,
  ref: string,
  sha: string,
  payload: object = {},
  repository = 'octo-org/Ship-App'
): Record<string, string> {
  const file = path.join(ws.root, 'event.json')
  fs.writeFileSync(file, JSON.stringify(payload))
  return {
    GITHUB_EVENT_NAME: name,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: file,
    GITHUB_REPOSITORY: repository,
    GITHUB_SERVER_URL: 'https://github.com'
  }
}

// What several files check with.

/** Asserts the digest outputs against the registry itself for every repository × tag. */
export async function expectRegistryDigests(result: StepResult, repositories: string[], tags: string[]): Promise<void> {
  const refs = result.outputs.refs.split('\n')
  expect(refs).toHaveLength(repositories.length)
  for (const [i, repository] of repositories.entries()) {
    const [registry, ...rest] = repository.split('/')
    const auth = registry === s.tls ? login : undefined
    let repoDigest: string | undefined
    for (const tag of tags) {
      const manifest = await fetchManifest(registry, rest.join('/'), tag, auth)
      expect(manifest.status).toBe(200)
      expect(manifest.header).toBe(manifest.computed)
      repoDigest ??= manifest.header
      expect(manifest.header).toBe(repoDigest)
    }
    expect(refs[i]).toBe(`${repository}@${repoDigest}`)
  }
  expect(result.outputs.digest).toBe(refs[0].split('@')[1])
}

/** Nothing of the credentials is left: not in files, outputs, logs, and the user's config is untouched. */
export function expectNoCredentialsLeft(ws: Workspace, result: StepResult, userConfigBefore: string): void {
  expect(fs.readdirSync(ws.runnerTemp)).toEqual([])
  expect(fs.readFileSync(path.join(ws.home, '.docker/config.json'), 'utf8')).toBe(userConfigBefore)
  for (const file of filesBelow(ws.root)) {
    const text = fs.readFileSync(file, 'utf8')
    expect({ file, leaked: text.includes(s.password) || text.includes(basicAuth) }).toEqual({ file, leaked: false })
  }
  expect(visibleLog(result.log)).not.toContain(s.password)
  expect(result.log).not.toContain(basicAuth)
  expect(JSON.stringify(result.outputs)).not.toContain(s.password)
}

/** No file of the workspace's root (its HOME, RUNNER_TEMP, command files) holds the password. */
export function expectNoCredentials(ws: Workspace, result: StepResult): void {
  for (const file of filesBelow(ws.root)) {
    const text = fs.readFileSync(file, 'utf8')
    expect({ file, leaked: text.includes(s.password) || text.includes(basicAuth) }).toEqual({ file, leaked: false })
  }
  expect(visibleLog(result.log)).not.toContain(s.password)
  expect(fs.existsSync(result.state.temp)).toBe(false)
}

/** The registry's own digest for a tag: the Docker-Content-Digest of its manifest, checked against its bytes. */
export async function served(registry: string, repository: string, tag: string): Promise<string | undefined> {
  const manifest = await fetchManifest(registry, repository, tag, registry === s.tls ? auth : undefined)
  expect(manifest.header).toBe(manifest.computed)
  return manifest.status === 200 ? manifest.header : undefined
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` every 50 ms until it holds (or fails after `ms`). */
export async function until(check: () => boolean, ms = 20_000): Promise<void> {
  for (const start = Date.now(); !check(); await sleep(50)) {
    if (Date.now() - start > ms) throw new Error('timed out waiting')
  }
}

/** The variable that marks the processes of a run (its temp folder): what processesOf() looks for. */
export const RUN_MARKER = 'SHIP_IMAGE_RUN'

/** The processes still running whose environment marks them as children of the run with this temp folder. */
export function processesOf(temp: string): number[] {
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

// The merge's parts and merge jobs (merge.test.ts, promote.test.ts).

/** The platforms a merge joins. */
export const PLATFORMS = ['linux/amd64', 'linux/arm64']

/** A tag push of v1.2.3 of commit `sha`, as the runner describes it. */
export function tagPush(ws: Workspace, sha: string): Record<string, string> {
  const payload = path.join(ws.root, 'event.json')
  fs.writeFileSync(payload, JSON.stringify({ ref: 'refs/tags/v1.2.3' }))
  return {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: payload,
    GITHUB_REPOSITORY: 'octo-org/app',
    ...buildkit()
  }
}

/** A build job of the matrix: `merge: part` for one platform, a COPY-only image (no emulation needed). */
export async function part(repository: string, platform: string, sha: string): Promise<StepResult> {
  const ws = makeWorkspace(['FROM scratch', 'ARG TARGETARCH', 'COPY hello.txt /hello-$TARGETARCH.txt', ''].join('\n'))
  return runMain(ws, { images: repository, context: 'app', platforms: platform, merge: 'part' }, tagPush(ws, sha))
}

/** The merge job: an empty workspace, no checkout. */
export async function mergeRun(repository: string, sha: string): Promise<StepResult> {
  const ws = makeWorkspace()
  fs.rmSync(path.join(ws.workspace, 'app'), { recursive: true })
  return runMain(ws, { images: repository, merge: PLATFORMS.join(', ') }, tagPush(ws, sha))
}

/** The platforms of an index as the registry serves it, os/arch → digest (attestations left out). */
export function platformsOf(body: Buffer): Record<string, string> {
  const index = JSON.parse(body.toString()) as {
    manifests?: { digest: string; platform: { os: string; architecture: string } }[]
  }
  return Object.fromEntries(
    (index.manifests ?? [])
      .filter((m) => m.platform.os !== 'unknown')
      .map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest])
  )
}

/** A commit's id: 40 random hex digits. */
export const sha = (): string => randomBytes(20).toString('hex')
