// The job summary (GITHUB_STEP_SUMMARY) and the step's closing line, from what
// the run did: markdown and text, made purely, then written through
// @actions/core's summary. Nothing secret reaches these functions.
import * as core from '@actions/core'
import * as path from 'node:path'
import { formatOf } from '../domain/image.js'
import type { BuildCache } from '../domain/image.js'
import { PHASES } from '../domain/run.js'
import type { Phase, Timings } from '../domain/run.js'
import { shellQuote } from '../plan/command-lines.js'
import type { Metadata } from './outputs.js'

export interface SummaryInput {
  metadata: Metadata
  timings: Timings
  /** The image's size in the engine, in bytes, when known. */
  imageSize: number | undefined
  /** Set for a dry run: the commands that would have run. */
  dryRun?: string[]
  /** Set when the run failed: in which phase, and why. The rest of the summary is what it did before. */
  failed?: { phase: Phase; message: string }
  /** The step's id (GITHUB_ACTION), so that two ship-image steps of one job can be told apart. */
  step?: string
  /** What made the image: the builder and what it built, or the image retagged. */
  made?: Made
  /** The build's steps and how many of them the builder took from its cache, where it says so. */
  cache?: BuildCache
  /** The step's whole time, in milliseconds. */
  totalMs?: number
  /** Why push: true was not done (a fork's pull request without credentials). */
  pushSkipped?: string
  /** The cosign verify command of each signed digest (sign). */
  verify?: string[]
}

/** What made the image, for the summary's first lines. */
export type Made =
  | {
      kind: 'build'
      /** `buildx`, `BuildKit`, `the classic builder`. */
      builder: string
      /** The Dockerfile, relative to the workspace; undefined for a remote context without one. */
      dockerfile: string | undefined
      target: string
      /** The platforms asked for; none: the engine's own. */
      platforms: string[]
    }
  | { kind: 'retag'; source: string }
  | { kind: 'load'; source: string }
  | { kind: 'merge'; platforms: string[]; imagetools: boolean }

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** The longest run of backticks in `text`. */
function longestTicks(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
}

/** `text` as a code span that no backtick in it can end early (CommonMark), and with `|` escaped for tables. */
export function code(text: string): string {
  const fence = '`'.repeat(longestTicks(text) + 1)
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text
  return `${fence}${padded.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')}${fence}`
}

/** A fenced code block whose fence is longer than any run of backticks in its lines, so none can close it. */
export function fenced(language: string, lines: string[]): string[] {
  const fence = '`'.repeat(Math.max(3, longestTicks(lines.join('\n')) + 1))
  return [`${fence}${language}`, ...lines, fence]
}

/** `sha256:0123456789ab…`: the whole `repo@digest` is in the block below the table, to copy. */
function digestCell(digest: string | null): string {
  return digest === null ? '—' : code(`${digest.slice(0, 19)}…`)
}

/** The line under the heading: the version, what made the image and how, the cache, the time. */
function madeLine(input: SummaryInput): string {
  const parts: string[] = []
  if (input.metadata.version !== '') parts.push(`version ${code(input.metadata.version)}`)
  const made = input.made
  if (made?.kind === 'build') {
    const what = made.dockerfile === undefined ? 'built' : `built ${code(made.dockerfile)}`
    const target = made.target === '' ? '' : ` (stage ${code(made.target)})`
    const platforms =
      made.platforms.length === 0 ? "for the engine's platform" : `for ${made.platforms.map(code).join(', ')}`
    parts.push(`${what}${target} with ${made.builder} ${platforms}`)
  } else if (made?.kind === 'retag') parts.push(`retagged ${code(made.source)}, nothing built`)
  else if (made?.kind === 'load') parts.push(`loaded ${code(made.source)}, nothing built`)
  else if (made?.kind === 'merge')
    parts.push(
      `merged the parts for ${made.platforms.map(code).join(', ')} with ${code(made.imagetools ? 'buildx imagetools create' : 'docker manifest')}, nothing built`
    )
  const cache = input.cache
  if (cache !== undefined && cache.steps > 0)
    parts.push(
      cache.cached === 0 ? `no step of ${cache.steps} cached` : `${cache.cached} of ${cache.steps} steps cached`
    )
  if (input.totalMs !== undefined) parts.push(`${formatDuration(input.totalMs)} in all`)
  const line = parts.join(' · ')
  return line === '' ? '' : `${line[0].toUpperCase()}${line.slice(1)}.`
}

export function summaryMarkdown(input: SummaryInput): string {
  const { metadata, timings, imageSize, dryRun, failed } = input
  const out: string[] = []
  const pushed = metadata.images.filter((i) => i.digest !== null)
  const title = dryRun
    ? 'dry run: nothing was run'
    : [
        failed ? `failed in the ${failed.phase} phase` : '',
        pushed.length > 0
          ? `pushed ${pushed.length} ${pushed.length === 1 ? 'repository' : 'repositories'}`
          : 'nothing pushed',
        metadata.tarball ? 'saved a tarball' : ''
      ]
        .filter((t) => t !== '')
        .join(', ')
  out.push(`### ship-image${input.step ? ` ${code(input.step)}` : ''}: ${title}`, '')
  if (failed) {
    const live = pushed.length > 0 || metadata.tarball ? ' What it did before is live, in the outputs and below.' : ''
    out.push(`**Failed in the ${failed.phase} phase.**${live}`, '', ...fenced('text', failed.message.split('\n')), '')
  }
  const made = madeLine(input)
  if (made !== '') out.push(made, '')
  if (input.pushSkipped) out.push(`**Not pushed:** ${input.pushSkipped}.`, '')

  out.push('| repository | tags | digest | image size in the engine |', '|---|---|---|---|')
  const size = imageSize === undefined ? '—' : formatBytes(imageSize)
  for (const image of metadata.images) {
    out.push(
      `| ${code(image.repository)} | ${image.tags.map((t) => code(t.tag)).join(' ')} | ${digestCell(image.digest)} | ${size} |`
    )
  }
  out.push('')
  if (metadata.refs.length > 0) {
    out.push(`Pushed, by digest (a tag can move, a digest cannot):`, '', ...fenced('text', metadata.refs), '')
  }

  if (input.verify && input.verify.length > 0) {
    out.push('Signed with cosign, each digest; verify with:', '', ...fenced('sh', input.verify), '')
  }

  if (metadata.platforms.length > 0) {
    // Whole, to copy: a platform's manifest digest is in no other block.
    out.push('| platform | manifest digest |', '|---|---|')
    for (const p of metadata.platforms)
      out.push(`| ${code(p.platform)} | ${p.digest === null ? '—' : code(p.digest)} |`)
    out.push('')
  }

  const phases = PHASES.flatMap((name) => {
    const ms = timings[name]
    return ms === undefined ? [] : [{ name, ms }]
  })
  if (phases.length > 0) {
    const total = input.totalMs === undefined ? [] : [formatDuration(input.totalMs)]
    const names = [...phases.map((p) => p.name), ...(total.length > 0 ? ['total'] : [])]
    out.push(
      `| ${names.join(' | ')} |`,
      `|${names.map(() => '---').join('|')}|`,
      `| ${[...phases.map((p) => formatDuration(p.ms)), ...total].join(' | ')} |`,
      ''
    )
  }

  const tarball = metadata.tarball
  if (tarball) {
    const name = path.basename(tarball.path)
    const format = formatOf(tarball.path)
    const how =
      format === 'zstd' ? 'zstd' : tarball.compressor === 'none' ? 'not compressed' : `gzip by ${tarball.compressor}`
    // Engines before 23.0 cannot read zstd: it is decompressed on the way in, as the action itself loads one.
    const load =
      format === 'zstd'
        ? `zstd -dc --quiet ${shellQuote(name)} | docker load`
        : `docker load --input ${shellQuote(name)}`
    out.push(
      `**Tarball** ${code(name)}: tarball size on disk ${formatBytes(tarball.size)}, ${how}, ${code(tarball.digest)}. This job wrote it to ${code(tarball.path)}; a job that downloads it as an artifact loads it with:`,
      '',
      ...fenced('sh', [load]),
      ''
    )
  }
  if (dryRun) out.push('The docker commands this run would make:', '', ...fenced('sh', dryRun), '')
  return out.join('\n')
}

/** The step's last log line: what was pushed and saved. */
export function closingLine(metadata: Metadata): string {
  const parts = metadata.refs.map((ref) => `pushed ${ref}`)
  if (metadata.tarball) parts.push(`saved ${metadata.tarball.path} (${formatBytes(metadata.tarball.size)})`)
  return parts.length > 0
    ? `ship-image: ${parts.join('; ')}.`
    : `ship-image: built ${metadata.tags.join(', ')}; nothing pushed or saved.`
}

/** Appends `markdown` to the job summary; nothing when the runner gives no summary file. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown, true).write()
}
