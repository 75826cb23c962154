// Reads the action's inputs in one place and turns them into a typed, validated
// `Inputs` object. Everything here is pure except the file-system look-ups, which
// come in through `FileSystem` so tests can give their own.
import * as path from 'node:path'
import { DOCKER_HUB, isValidDomain, isValidTag, normalizeRegistry, parseImageReference, parseRepository, tagFix } from './reference.js'
import type { Repository } from './reference.js'

/** The inputs as action.yml names them; values as the runner passes them (already trimmed). */
export const INPUT_NAMES = [
  'registry',
  'username',
  'password',
  'images',
  'tags',
  'context',
  'file',
  'build-args',
  'labels',
  'target',
  'platform',
  'network',
  'pull',
  'no-cache',
  'source-image',
  'push',
  'save'
] as const
export type InputName = (typeof INPUT_NAMES)[number]
export type RawInputs = Record<InputName, string>

export interface KeyValue {
  key: string
  value: string
}

export interface SaveTarget {
  /** Absolute path of the tarball. */
  path: string
  /** gzip-compress (`.tar.gz` / `.tgz`). */
  gzip: boolean
}

export interface BuildInputs {
  /** Absolute path of a local context, or a remote context (URL) as written. */
  context: string
  /** Absolute path of the Dockerfile; for a remote context, `file` as written (a path inside it) or undefined. */
  file: string | undefined
  buildArgs: KeyValue[]
  labels: KeyValue[]
  target: string
  platform: string
  network: string
  pull: boolean
  noCache: boolean
}

export interface Inputs {
  /** The registry to log in to, normalised (`docker.io` for Docker Hub). */
  registry: string
  /** Present when both username and password are set. */
  credentials: { username: string; password: string } | undefined
  images: Repository[]
  /** Tag names, `auto` already expanded, duplicates removed. */
  tags: string[]
  /** What makes the image: a build, or an existing image to retag. */
  source: { kind: 'build'; build: BuildInputs } | { kind: 'image'; ref: string }
  push: boolean
  save: SaveTarget | undefined
}

export interface InputProblem {
  input: InputName
  message: string
}

export interface Warning {
  input: InputName
  message: string
}

export type ParseResult =
  | { ok: true; inputs: Inputs; warnings: Warning[] }
  | { ok: false; problems: InputProblem[]; warnings: Warning[] }

export interface FileSystem {
  kind(absolutePath: string): 'file' | 'directory' | 'other' | 'missing'
}

export interface Environment {
  /** Where relative paths start: GITHUB_WORKSPACE, else the working directory. */
  workspace: string
  fs: FileSystem
}

/** Until the tag-rules issue lands, `auto` means docker's own default tag. */
export const AUTO_TAGS = ['latest']

/** Newline- or comma-separated list; blank entries dropped. */
export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** One entry per non-blank line (values may contain commas). */
export function parseLines(value: string): string[] {
  return value
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}

const REMOTE_CONTEXT = /^(?:https?:\/\/|git@|git:\/\/|ssh:\/\/)/

export function parseInputs(raw: RawInputs, env: Environment): ParseResult {
  const problems: InputProblem[] = []
  const warnings: Warning[] = []
  const problem = (input: InputName, what: string, fix: string): void => {
    problems.push({ input, message: `Input '${input}': ${what}. Fix: ${fix}.` })
  }
  const resolve = (p: string): string => path.resolve(env.workspace, p)

  const bool = (input: InputName, fallback: boolean): boolean => {
    const value = raw[input]
    if (value === '') return fallback
    if (['true', 'True', 'TRUE'].includes(value)) return true
    if (['false', 'False', 'FALSE'].includes(value)) return false
    problem(input, `'${value}' is not a boolean`, 'write true or false')
    return fallback
  }

  const keyValues = (input: InputName): KeyValue[] =>
    parseLines(raw[input]).flatMap((line) => {
      const eq = line.indexOf('=')
      const key = eq < 0 ? '' : line.slice(0, eq).trim()
      if (eq < 0 || key === '' || /\s/.test(key)) {
        problem(input, `'${line}' is not a KEY=VALUE line`, 'write one KEY=VALUE per line, with no spaces in KEY')
        return []
      }
      return [{ key, value: line.slice(eq + 1) }]
    })

  // registry: a host[:port]; a URL such as https://index.docker.io/v1/ is reduced to its host.
  const host = raw.registry.replace(/^https?:\/\//, '').replace(/\/(v1|v2)?\/?$/, '')
  if (raw.registry !== '' && !isValidDomain(host)) {
    problem('registry', `'${raw.registry}' is not a registry host`, 'write a host with an optional port, such as ghcr.io or localhost:5000')
  }
  const registry = host === '' ? DOCKER_HUB : normalizeRegistry(host)

  // credentials
  let credentials: Inputs['credentials']
  if (raw.username !== '' && raw.password !== '') {
    credentials = { username: raw.username, password: raw.password }
  } else if (raw.username !== '' || raw.password !== '') {
    const [set, unset] = raw.username !== '' ? ['username', 'password'] : ['password', 'username']
    warnings.push({
      input: unset as InputName,
      message: `Input '${set}' is set but '${unset}' is empty, so the action does not log in (a secret is empty on pull requests from forks).`
    })
  }

  // images
  const images: Repository[] = []
  const imageNames = parseList(raw.images)
  if (imageNames.length === 0) problem('images', 'no repository given', 'list one or more repositories, such as alice/app or ghcr.io/org/app')
  for (const name of unique(imageNames)) {
    const parsed = parseRepository(name)
    if (parsed.ok) images.push(parsed.value)
    else problem('images', parsed.problem, parsed.fix)
  }

  // tags
  const tagEntries = parseList(raw.tags)
  const tags = unique((tagEntries.length === 0 ? ['auto'] : tagEntries).flatMap((t) => (t === 'auto' ? AUTO_TAGS : [t])))
  for (const tag of tags) {
    if (!isValidTag(tag)) {
      const shown = tag.length > 40 ? `${tag.slice(0, 40)}… (${tag.length} characters)` : tag
      problem('tags', `'${shown}' is not a valid tag`, tagFix)
    }
  }

  const push = bool('push', true)
  const pull = bool('pull', false)
  const noCache = bool('no-cache', false)
  const buildArgs = keyValues('build-args')
  const labels = keyValues('labels')

  // source: build or retag
  let source: Inputs['source']
  if (raw['source-image'] !== '') {
    const ref = parseImageReference(raw['source-image'])
    if (!ref.ok) problem('source-image', ref.problem, ref.fix)
    source = { kind: 'image', ref: raw['source-image'] }
    const ignored = [
      ...(['file', 'build-args', 'labels', 'target', 'platform', 'network'] as const).filter((name) => raw[name] !== ''),
      ...(pull ? ['pull'] : []),
      ...(noCache ? ['no-cache'] : [])
    ]
    if (ignored.length > 0) {
      warnings.push({ input: 'source-image', message: `source-image is set, so nothing is built and ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored.` })
    }
  } else {
    const contextInput = raw.context === '' ? '.' : raw.context
    const remote = REMOTE_CONTEXT.test(contextInput)
    let context = contextInput
    let file: string | undefined = raw.file === '' ? undefined : raw.file
    if (!remote) {
      context = resolve(contextInput)
      const contextKind = env.fs.kind(context)
      const contextFound = contextKind === 'directory'
      if (!contextFound) {
        const what = contextKind === 'missing' ? `the folder '${contextInput}' does not exist` : `'${contextInput}' is not a folder`
        problem('context', `${what} (looked in ${context})`, 'give a folder relative to the workspace, and check the repository out first (actions/checkout)')
      }
      file = file === undefined ? path.join(context, 'Dockerfile') : resolve(file)
      const kind = env.fs.kind(file)
      if (kind !== 'file' && (raw.file !== '' || contextFound)) {
        const shown = raw.file || path.relative(env.workspace, file)
        problem('file', `the Dockerfile '${shown}' ${kind === 'missing' ? 'does not exist' : 'is not a file'} (looked at ${file})`, 'give the Dockerfile path relative to the workspace, or add a Dockerfile to the context')
      }
    }
    const platform = raw.platform
    if (platform !== '' && !/^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?$/.test(platform)) {
      problem('platform', `'${platform}' is not one platform`, 'write one os/arch[/variant] such as linux/amd64: the image is loaded into the local engine, which holds one platform per tag')
    }
    source = {
      kind: 'build',
      build: { context, file, buildArgs, labels, target: raw.target, platform, network: raw.network, pull, noCache }
    }
  }

  // save
  let save: SaveTarget | undefined
  if (raw.save !== '') {
    const target = resolve(raw.save)
    const lower = target.toLowerCase()
    const gzip = lower.endsWith('.tar.gz') || lower.endsWith('.tgz')
    if (!gzip && !lower.endsWith('.tar')) {
      problem('save', `'${raw.save}' does not end in .tar, .tar.gz or .tgz`, 'name the tarball file.tar, or file.tar.gz / file.tgz to compress it')
    } else if (env.fs.kind(target) === 'directory') {
      problem('save', `'${raw.save}' is a folder`, 'give a file path such as image.tar.gz')
    } else {
      const blocker = firstNonDirectoryAncestor(target, env.fs)
      if (blocker !== undefined) problem('save', `'${blocker}' is a file, so '${raw.save}' cannot be created inside it`, 'choose a path whose parent folders are folders')
    }
    save = { path: target, gzip }
  }

  if (problems.length > 0) return { ok: false, problems, warnings }
  return { ok: true, inputs: { registry, credentials, images, tags, source: source!, push, save }, warnings }
}

/** The first existing ancestor of `target` that is not a directory, if any. */
function firstNonDirectoryAncestor(target: string, fs: FileSystem): string | undefined {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const kind = fs.kind(dir)
    if (kind === 'directory') return undefined
    if (kind !== 'missing') return dir
    if (path.dirname(dir) === dir) return undefined
  }
}
