// The job summary (GITHUB_STEP_SUMMARY) and the step's closing line, from what
// the run did. Pure: markdown and text out; writing them is main's job. Nothing
// secret reaches these functions.
import type { Metadata } from './outputs.js'
import { shellQuote } from './command-lines.js'

/** The phases of a run, in the order they run. */
export const PHASES = ['login', 'build', 'save', 'push'] as const
export type Phase = (typeof PHASES)[number]

/** How long each phase took, in milliseconds (a phase that did not run is absent). */
export type Timings = Partial<Record<Phase, number>>

export interface SummaryInput {
  metadata: Metadata
  timings: Timings
  /** The image's size in the engine, in bytes, when known. */
  imageSize: number | undefined
  /** Set for a dry run: the commands that would have run. */
  dryRun?: string[]
  /** Set when the run failed: in which phase, and why. The rest of the summary is what it did before. */
  failed?: { phase: Phase; message: string }
}

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

/** `sha256:0123456789ab…`, the full digest one click away. */
function digestCell(digest: string | null): string {
  if (digest === null) return '—'
  return `<details><summary><code>${digest.slice(0, 19)}…</code></summary><code>${digest}</code></details>`
}

export function summaryMarkdown({ metadata, timings, imageSize, dryRun, failed }: SummaryInput): string {
  const out: string[] = []
  const pushed = metadata.images.filter((i) => i.digest !== null).length
  const title = dryRun
    ? 'dry run: nothing was run'
    : [
        failed ? `failed in the ${failed.phase} phase` : '',
        pushed > 0 ? `pushed ${pushed} ${pushed === 1 ? 'repository' : 'repositories'}` : 'nothing pushed',
        metadata.tarball ? 'saved a tarball' : ''
      ]
        .filter((t) => t !== '')
        .join(', ')
  out.push(`### ship-image: ${title}`, '')
  if (failed) out.push(...fenced('text', [failed.message]), '')
  if (metadata.version !== '') out.push(`Version ${code(metadata.version)}.`, '')

  out.push('| repository | tags | digest | size |', '|---|---|---|---|')
  const size = imageSize === undefined ? '—' : formatBytes(imageSize)
  for (const image of metadata.images) {
    out.push(
      `| ${code(image.repository)} | ${image.tags.map((t) => code(t.tag)).join(' ')} | ${digestCell(image.digest)} | ${size} |`
    )
  }
  out.push('')

  if (metadata.platforms.length > 0) {
    out.push('| platform | manifest digest |', '|---|---|')
    for (const p of metadata.platforms) out.push(`| ${code(p.platform)} | ${digestCell(p.digest)} |`)
    out.push('')
  }

  const phases = PHASES.filter((p) => timings[p] !== undefined)
  if (phases.length > 0) {
    out.push(
      `| ${phases.join(' | ')} |`,
      `|${phases.map(() => '---').join('|')}|`,
      `| ${phases.map((p) => formatDuration(timings[p]!)).join(' | ')} |`,
      ''
    )
  }

  const tarball = metadata.tarball
  if (tarball) {
    out.push(
      `**Tarball** ${code(tarball.path)}: ${formatBytes(tarball.size)}, ${code(tarball.digest)}. Load it with:`,
      '',
      ...fenced('sh', [`docker load --input ${shellQuote(tarball.path)}`]),
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
