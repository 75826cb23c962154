// The tarball inputs: `save` (where to write the image, and how to compress it)
// and a tarball given as `source-image`. Pure: the file-system look-ups come in
// through the environment.
import * as path from 'node:path'
import { formatOf, TARBALL_NAMES } from '../domain/image.js'
import type { TarballFormat } from '../domain/image.js'
import type { Environment, FileSystem } from '../runner/environment.js'
import type { RawInputs } from './names.js'
import type { Report } from './parse.js'

export interface SaveTarget {
  /** Absolute path of the tarball. */
  path: string
  format: TarballFormat
  /**
   * The compression level, 1 (fastest) to 9 (smallest): gzip's own levels, and the
   * same numbers for zstd (whose levels run to 19; 3 is its default too).
   */
  level: number
}

/** The default level: see docs/benchmarks.md for the measurements behind it. */
export const DEFAULT_COMPRESSION_LEVEL = 3

function parseCompressionLevel(raw: RawInputs, report: Report): number {
  const value = raw['save-compression-level']
  if (value === '') return DEFAULT_COMPRESSION_LEVEL
  if (/^[1-9]$/.test(value)) return Number(value)
  report.problem(
    'save-compression-level',
    `'${value}' is not a compression level`,
    'write a whole number from 1 (fastest) to 9 (smallest)'
  )
  return DEFAULT_COMPRESSION_LEVEL
}

export function parseSave(raw: RawInputs, env: Environment, report: Report): SaveTarget | undefined {
  const value = raw.save
  const level = parseCompressionLevel(raw, report)
  if (value === '') return undefined
  const target = path.resolve(env.workspace, value)
  const format = formatOf(target)
  if (format === undefined) {
    report.problem(
      'save',
      `'${value}' does not end in ${TARBALL_NAMES}`,
      'name the tarball file.tar, or file.tar.gz / file.tgz (gzip) or file.tar.zst (zstd) to compress it'
    )
  } else if (env.fs.kind(target) === 'directory') {
    report.problem('save', `'${value}' is a folder`, 'give a file path such as image.tar.gz')
  } else {
    const ancestor = firstExistingAncestor(target, env.fs)
    const kind = env.fs.kind(ancestor)
    if (kind === 'file' || kind === 'other') {
      report.problem(
        'save',
        `'${ancestor}' is a file, so '${value}' cannot be created inside it`,
        'choose a path whose parent folders are folders'
      )
    } else if (kind === 'directory' && !env.fs.writable(ancestor)) {
      report.problem(
        'save',
        `this run may not write into '${ancestor}', so '${value}' cannot be created`,
        'choose a path in a folder the runner can write to, such as one in the workspace'
      )
    }
  }
  if (format === 'zstd') needZstd('save', value, 'save as .tar.gz', env, report)
  if (format === 'tar' && raw['save-compression-level'] !== '')
    report.warn(
      'save-compression-level',
      `save-compression-level is ignored: '${value}' is not compressed (name it .tar.gz or .tar.zst to compress it).`
    )
  return { path: target, format: format ?? 'tar', level }
}

/** A .tar.zst to write or read needs zstd on the runner. */
function needZstd(input: 'save' | 'source-image', value: string, or: string, env: Environment, report: Report): void {
  if (env.tools.zstd !== undefined) return
  report.problem(
    input,
    `'${value}' is a zstd tarball, but zstd is not installed on this runner`,
    `install zstd (it is on GitHub-hosted runners; apt-get install zstd), or ${or}`
  )
}

/** The nearest ancestor of `target` that exists (the folder it will be created in, or a file in its way). */
function firstExistingAncestor(target: string, fs: FileSystem): string {
  let dir = path.dirname(target)
  while (fs.kind(dir) === 'missing' && path.dirname(dir) !== dir) dir = path.dirname(dir)
  return dir
}

/** A tarball given as source-image: its absolute path and format; undefined when the value names no tarball. */
export function tarballSource(
  value: string,
  env: Environment,
  report: Report
): { path: string; format: TarballFormat } | undefined {
  const format = formatOf(value)
  if (format === undefined) return undefined
  const file = path.resolve(env.workspace, value)
  const kind = env.fs.kind(file)
  if (kind !== 'file') {
    report.problem(
      'source-image',
      `the tarball '${value}' ${kind === 'missing' ? 'does not exist' : 'is not a file'} (looked at ${file})`,
      'give the path of a tarball relative to the workspace (download the artifact first), or an image reference'
    )
  }
  if (format === 'zstd') needZstd('source-image', value, 'pass the image as .tar.gz', env, report)
  return { path: file, format }
}

/** A .dockerignore pattern as a regular expression over a slash-separated relative path. */
function ignoreRule(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) =>
      part.startsWith('**')
        ? '(?:.*/)?'
        : part === '*'
          ? '[^/]*'
          : part === '?'
            ? '[^/]'
            : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')
    )
    .join('')
  return new RegExp(`^${body}(?:/.*)?$`)
}

/** Whether the context's .dockerignore keeps `relative` out of the context (its last matching line decides). */
export function isIgnored(dockerignore: string, relative: string): boolean {
  let ignored = false
  for (const raw of dockerignore.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const negated = line.startsWith('!')
    if (ignoreRule(negated ? line.slice(1) : line).test(relative)) ignored = !negated
  }
  return ignored
}

/**
 * A tarball saved inside the build context goes into the next build's context
 * (and `COPY .` puts it into the image), unless .dockerignore keeps it out: warned.
 */
export function warnTarballInContext(save: SaveTarget, context: string, env: Environment, report: Report): void {
  if (!path.isAbsolute(context)) return
  const relative = path.relative(context, save.path)
  if (relative.startsWith('..') || path.isAbsolute(relative)) return
  const dockerignore = env.fs.readText(path.join(context, '.dockerignore')) ?? ''
  if (isIgnored(dockerignore, relative.split(path.sep).join('/'))) return
  report.warn(
    'save',
    `The tarball ${relative} is inside the build context, so the next build of this context would send it to docker, and COPY . would put it into the image. Save it outside the context (such as \${{ runner.temp }}/image.tar), or add ${relative} to ${path.join(context, '.dockerignore')}.`
  )
}
