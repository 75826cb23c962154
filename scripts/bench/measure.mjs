// The bench's numbers and timing: runs of each side in rotating order, medians, the
// table row that compares two sides, and commands timed through the step runner's
// runProcess (with the names of their descendant processes when asked).
import * as fs from 'node:fs'
import { runProcess } from '../lib/step-runner.mjs'

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

/**
 * One table row: the action's samples against the baseline's, the ratio of the
 * medians, and the target (a ratio, or an absolute time in ms) met or missed.
 */
export function compare(label, action, baseline, { target, absoluteTarget, baselineName, unit = 's' }) {
  const a = stats(action)
  const b = stats(baseline)
  const ratio = a.median / b.median
  const row = { label, action: a, baseline: b, baselineName, unit, ratio, ratioText: `${ratio.toFixed(2)}×` }
  if (target !== undefined) Object.assign(row, { target: `≤ ${target.toFixed(2)}×`, pass: ratio <= target })
  if (absoluteTarget !== undefined)
    Object.assign(row, {
      target: `< ${absoluteTarget} ms`,
      pass: a.median < absoluteTarget,
      ratioText: `${a.median.toFixed(0)} ms, ${ratio.toFixed(2)}×`
    })
  return row
}

/**
 * Runs every side `runs` times, rotating the order each run (A B, B A, … for two
 * sides; A B C, B C A, C A B for three) so drift and order effects cancel; `progress`
 * gets a line per sample.
 */
export async function alternate(label, sides, runs, progress = () => {}) {
  const names = Object.keys(sides)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let i = 0; i < runs; i++) {
    const order =
      names.length === 2
        ? i % 2 === 0
          ? names
          : [...names].reverse()
        : names.map((_, k) => names[(k + i) % names.length])
    for (const name of order) {
      const sample = await sides[name](i)
      samples[name].push(sample)
      progress(
        `${label}: run ${i + 1}/${runs} ${name.padEnd(14)} ${sample.ms >= 1000 ? `${(sample.ms / 1000).toFixed(2)} s` : `${sample.ms.toFixed(1)} ms`}`
      )
    }
  }
  return samples
}

/**
 * Runs a command to completion (scripts/lib/step-runner.mjs runProcess): its exit
 * code, output, wall time `ms` and `spawnedAt` (ms since the epoch), and in `seen`,
 * with `watch`, the names of its descendant processes (polling /proc).
 * `onStdout(all, ms)` sees stdout as it comes.
 */
export async function timed(command, args, { watch = false, ...options } = {}) {
  const seen = new Set()
  const run = await runProcess(command, args, { ...options, onSpawn: watch ? watchDescendants(seen) : undefined })
  return { ...run, seen }
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
