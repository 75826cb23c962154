// The bench's numbers and timing: runs of each side in rotating order, medians, the
// table row that compares two sides against a target, and the names of a process's
// descendants (which compressor a save ran).
// The pure parts (median, stats, rotation, compare, formatMs) are
// unit-tested (__tests__/unit/scripts/bench.test.ts; types in measure.d.mts).
import * as fs from 'node:fs'

/** The median of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** Median, min, max and count of the samples' `ms`. */
export function stats(samples) {
  const ms = samples.map((s) => s.ms)
  return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms), n: ms.length }
}

/** A duration for prose and tables: `840 ms`, `1.25 s`. */
export function formatMs(ms) {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/**
 * One table row: the action's samples against the baseline's and the ratio of the
 * medians. With `target` (a ratio) the row passes when ratio ≤ target; with
 * `absoluteTarget` (ms) when the action's median ≤ it. `verdict` is `met`, or
 * `missed` with the honest number.
 */
export function compare(label, action, baseline, { target, absoluteTarget, baselineName, unit = 's' }) {
  const a = stats(action)
  const b = baseline && baseline.length > 0 ? stats(baseline) : undefined
  const ratio = b ? a.median / b.median : undefined
  const row = {
    label,
    action: a,
    baseline: b,
    baselineName,
    unit,
    ratio,
    ratioText: ratio === undefined ? '—' : `${ratio.toFixed(2)}×`
  }
  if (target !== undefined && ratio !== undefined) {
    const pass = ratio <= target
    Object.assign(row, {
      target: `≤ ${target.toFixed(2)}×`,
      pass,
      verdict: pass ? 'met' : `missed (${ratio.toFixed(2)}×)`
    })
  }
  if (absoluteTarget !== undefined) {
    const pass = a.median <= absoluteTarget
    Object.assign(row, {
      target: `≤ ${formatMs(absoluteTarget)}`,
      pass,
      verdict: pass ? 'met' : `missed (${formatMs(a.median)})`
    })
  }
  return row
}

/**
 * The order of the sides in run `i`: A B, B A, … for two; for more, each run starts
 * one later (A B C, B C A, C A B), so drift and order effects cancel.
 */
export function rotation(names, i) {
  if (names.length === 2) return i % 2 === 0 ? [...names] : [...names].reverse()
  return names.map((_, k) => names[(k + i) % names.length])
}

/**
 * Runs every side `runs` times in rotation order; `progress` gets a line per sample.
 * Each side is `(i) => Promise<{ ms, … }>`; resolves with the samples per side.
 */
export async function alternate(label, sides, runs, progress = () => {}) {
  const names = Object.keys(sides)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let i = 0; i < runs; i++) {
    for (const name of rotation(names, i)) {
      const sample = await sides[name](i)
      samples[name].push(sample)
      progress(`${label}: run ${i + 1}/${runs} ${name.padEnd(22)} ${formatMs(sample.ms)}`)
    }
  }
  return samples
}

/** An onSpawn hook for runProcess: adds the names of the child's descendants to `seen` every 50 ms. */
export function watchDescendants(seen) {
  return (child) => {
    const poll = setInterval(() => descendants(child.pid).forEach((c) => seen.add(c)), 50)
    return () => clearInterval(poll)
  }
}

/** The command names of every descendant of `pid`, from /proc. */
function descendants(pid) {
  const children = new Map()
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const comm = stat.slice(stat.indexOf('(') + 1, close)
      const ppid = Number(stat.slice(close + 2).split(' ')[1])
      if (!children.has(ppid)) children.set(ppid, [])
      children.get(ppid).push({ pid: Number(entry), comm })
    } catch {
      // the process ended while we looked
    }
  }
  const names = []
  const queue = [pid]
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      names.push(child.comm)
      queue.push(child.pid)
    }
  }
  return names
}

/** The last lines of a text, for error messages. */
export function tail(text, lines = 15) {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}
