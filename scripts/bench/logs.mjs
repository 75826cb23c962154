// What the bench reads from docker's and the action's output: the layers a push
// really uploaded, the layers a pull really downloaded, whether a build took its slow
// step from a cache, and the trace the docker shim on PATH writes (context.mjs),
// turned into where a run's time went.
// Pure; unit-tested (__tests__/unit/scripts/bench.test.ts; types in logs.d.mts).
import { formatMs, median, stats } from './measure.mjs'

/**
 * Layers docker push really uploaded (not `Mounted from`, not `Layer already exists`).
 * The action prefixes each line of concurrent pushes with `[reference] `.
 */
export function countUploads(log) {
  return countLayerLines(log, 'Pushed')
}

/** Layers docker pull really downloaded (`Pull complete`, or containerd's `Download complete`), not `Already exists`. */
export function countDownloads(log) {
  return countLayerLines(log, '(?:Pull|Download) complete')
}

/** docker's `<12 hex>: STATUS` lines of a push or pull, with or without the action's `[reference] ` prefix. */
function countLayerLines(log, status) {
  const line = new RegExp(`^(?:\\[\\S+\\] )?[0-9a-f]{12}: ${status}\\s*$`)
  return log.split('\n').filter((l) => line.test(l.trim())).length
}

/**
 * Whether the build output shows the slow RUN step of the cache cases (context.mjs
 * SLOW_STEP, `dd if=/dev/urandom …`) taken from a cache: the classic
 * builder's `Using cache`, BuildKit's `CACHED`, or BuildKit fetching the step's layer
 * (`extracting sha256:…`) instead of running it: what it does with a layer from a
 * registry cache that the next step builds on.
 */
export function slowStepCached(log) {
  const step = log.split(/^(?=Step \d+\/\d+ : |#\d+ \[)/m).find((s) => s.includes('dd if=/dev/urandom')) ?? ''
  return /Using cache|CACHED|^#\d+ extracting sha256:/m.test(step)
}

/**
 * The trace shim's lines, `START_NS END_NS EXIT ARGS…` (ns since the epoch), as
 * `{ start, end, code, args }` in ms since the epoch, in start order.
 */
export function parseTrace(text) {
  return text
    .split('\n')
    .map((line) => /^(\d+) (\d+) (\d+) ?(.*)$/.exec(line))
    .filter(Boolean)
    .map(([, start, end, code, args]) => ({
      start: Number(BigInt(start) / 1000n) / 1000,
      end: Number(BigInt(end) / 1000n) / 1000,
      code: Number(code),
      args
    }))
    .sort((a, b) => a.start - b.start)
}

/** The docker CLI's options before the command that take a value (`--config DIR`). */
const GLOBAL_WITH_VALUE = new Set([
  '--config',
  '-c',
  '--context',
  '-H',
  '--host',
  '-l',
  '--log-level',
  '--tlscacert',
  '--tlscert',
  '--tlskey'
])

const TWO_WORDS = new Set(['buildx', 'image', 'container', 'manifest', 'builder', 'system', 'imagetools'])

/** A short name of a docker command line: `login`, `buildx build`, `push :t2`, `buildx imagetools create`. */
export function commandName(args) {
  const words = args.split(' ').filter((w) => w !== '')
  const names = []
  for (let k = 0; k < words.length; k++) {
    const word = words[k]
    if (names.length === 0 && GLOBAL_WITH_VALUE.has(word)) k++
    if (word.startsWith('-')) continue
    names.push(word)
    if (!TWO_WORDS.has(word)) break
  }
  const name = names.join(' ')
  if (name === 'push' || name === 'image push') {
    const ref = words[words.length - 1] ?? ''
    const tag = /:([\w][\w.-]*)$/.exec(ref)?.[1]
    if (tag) return `${name} :${tag}`
  }
  return name
}

/**
 * Where a run's time went, from its trace: the docker commands (those that overlap
 * grouped as side by side), the time before the first, between and after them.
 * `spawnedAt` and `ms` are the process's (ms since the epoch, and its wall time).
 * Returns `{ outside, docker, text }`: ms outside any docker command, ms in them
 * (wall clock), and one line of prose.
 */
export function describeTrace(entries, { spawnedAt, ms }) {
  const end = spawnedAt + ms
  const groups = []
  for (const e of entries) {
    const last = groups[groups.length - 1]
    if (last && e.start < last.end) {
      last.items.push(e)
      last.end = Math.max(last.end, e.end)
    } else groups.push({ start: e.start, end: e.end, items: [e] })
  }
  if (groups.length === 0) return { outside: ms, docker: 0, text: `no docker command; ${formatMs(ms)} in all` }
  const parts = []
  let outside = 0
  let cursor = spawnedAt
  let between = 0
  for (const [k, g] of groups.entries()) {
    const gap = Math.max(0, g.start - cursor)
    if (k === 0) parts.push(`first docker command at ${formatMs(gap)}`)
    else between += gap
    outside += gap
    const names = g.items.map((e) => commandName(e.args))
    const label =
      names.length === 1
        ? `\`${names[0]}\``
        : `${names.length} side by side (${names.map((n) => `\`${n}\``).join(', ')})`
    parts.push(`${label} ${formatMs(g.end - g.start)}`)
    cursor = g.end
  }
  const after = Math.max(0, end - cursor)
  outside += after
  const docker = ms - outside
  parts.push(`after the last ${formatMs(after)}`)
  return {
    outside,
    docker,
    text: `${parts.join(' · ')} — docker ${formatMs(docker)}, outside docker ${formatMs(outside)} (between commands ${formatMs(between)})`
  }
}

/** The kind of a docker command for timeByKind: login (and logout), build, push, or other. */
export function kindOf(args) {
  const name = commandName(args)
  if (name === 'login' || name === 'logout') return 'login'
  if (name === 'build' || name === 'buildx build' || name === 'image build') return 'build'
  if (name.startsWith('push') || name.startsWith('image push')) return 'push'
  return 'other'
}

/** The total length of the union of intervals `[start, end]`. */
export function unionMs(intervals) {
  const sorted = [...intervals].sort((a, b) => a.start - b.start)
  let total = 0
  let cursor = -Infinity
  for (const { start, end } of sorted) {
    const from = Math.max(start, cursor)
    if (end > from) total += end - from
    cursor = Math.max(cursor, end)
  }
  return total
}

/**
 * A traced run's wall time per kind of docker command (kindOf; side-by-side commands
 * of a kind count once), and `outside`: the run's `ms` outside every docker command.
 */
export function timeByKind(entries, ms) {
  const kinds = { login: 0, build: 0, push: 0, other: 0 }
  for (const kind of Object.keys(kinds)) kinds[kind] = unionMs(entries.filter((e) => kindOf(e.args) === kind))
  return { ...kinds, outside: Math.max(0, ms - unionMs(entries)) }
}

/**
 * A sample of a traced action run (context.mjs runAction with `trace`): its time,
 * its post step's, where the main step's time went, the post step's docker commands,
 * its time per kind (both steps) and when its first docker command started.
 */
export function tracedAction(run) {
  const main = timeByKind(run.trace, run.mainMs)
  const post = timeByKind(run.postTrace, run.postMs)
  return {
    ms: run.ms,
    postMs: run.postMs,
    log: run.log,
    description: describeTrace(run.trace, { spawnedAt: run.spawnedAt, ms: run.mainMs }),
    postDocker: run.postTrace.length
      ? describeTrace(run.postTrace, { spawnedAt: run.postSpawnedAt, ms: run.postMs }).text
      : '',
    kinds: Object.fromEntries(Object.keys(main).map((k) => [k, main[k] + post[k]])),
    firstDocker: run.trace.length ? run.trace[0].start - run.spawnedAt : undefined
  }
}

/**
 * Notes on where the time of a row's two sides goes: the run nearest each side's
 * median, its docker commands and their times, and the action's medians minus the
 * script's per kind of docker command and outside docker. `action` are tracedAction
 * samples, `script` samples with `description` and `kinds` of a traced script.
 */
export function whereTimeGoes(key, action, script) {
  const a = typical(action)
  const sc = typical(script)
  const signed = (ms) => `${ms >= 0 ? '+' : '−'}${formatMs(Math.abs(ms))}`
  const med = (list, pick) => median(list.map(pick))
  const parts = ['build', 'push', 'login', 'other', 'outside'].map((k) => {
    const what = { login: 'login/logout', other: 'other docker commands', outside: 'outside docker' }[k] ?? k
    return `${what} ${signed(med(action, (s) => s.kinds[k]) - med(script, (s) => s.kinds[k]))}`
  })
  return [
    `Where the time goes, ${key}, action (its median run, ${formatMs(a.ms)}): main step: ${a.description.text}; post step ${formatMs(a.postMs)}${a.postDocker ? ` (${a.postDocker})` : ', no docker command'}.`,
    `Where the time goes, ${key}, script (its median run, ${formatMs(sc.ms)}): ${sc.description.text}.`,
    `Action − script, ${key}, medians per part: ${signed(med(action, (s) => s.ms) - med(script, (s) => s.ms))} in all; ${parts.join(', ')}. Outside docker the action spends ${formatMs(med(action, (s) => s.kinds.outside))}: ${formatMs(med(action, (s) => s.firstDocker ?? 0))} before its first docker command, ${formatMs(med(action, (s) => s.postMs))} in the post step; the script ${formatMs(med(script, (s) => s.kinds.outside))}.`
  ]
}

/** The sample nearest its side's median: the run the notes describe. */
function typical(list) {
  const mid = stats(list).median
  return list.reduce((best, s) => (Math.abs(s.ms - mid) < Math.abs(best.ms - mid) ? s : best))
}
