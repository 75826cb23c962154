// The bench's pure helpers (scripts/bench/): its numbers and verdicts, the order of
// the sides, what it reads from docker's output and from the docker trace shim, and
// its command line.
import { describe, expect, it } from '@jest/globals'
import {
  commandName,
  countDownloads,
  countUploads,
  describeTrace,
  kindOf,
  parseTrace,
  slowStepCached,
  timeByKind,
  unionMs
} from '../../../scripts/bench/logs.mjs'
import type { TraceEntry } from '../../../scripts/bench/logs.mjs'
import { alternate, compare, formatMs, median, rotation, stats } from '../../../scripts/bench/measure.mjs'
import { FULL_REPORT, parseOptions } from '../../../scripts/bench/options.mjs'

const ms = (...values: number[]) => values.map((v) => ({ ms: v }))

describe('median and stats', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
  it('gives median, min, max and count of the samples', () => {
    expect(stats(ms(5, 1, 9))).toEqual({ median: 5, min: 1, max: 9, n: 3 })
  })
})

describe('formatMs', () => {
  it.each([
    [84.4, '84 ms'],
    [999, '999 ms'],
    [1000, '1.00 s'],
    [3214, '3.21 s']
  ])('%s -> %s', (value, text) => {
    expect(formatMs(value)).toBe(text)
  })
})

describe('compare', () => {
  it('passes a ratio target when the ratio of the medians is at most the target', () => {
    const row = compare('1 × 4', ms(105, 100, 110), ms(100, 100, 100), { target: 1.05 })
    expect(row.ratio).toBeCloseTo(1.05)
    expect(row).toMatchObject({ target: '≤ 1.05×', pass: true, verdict: 'met', ratioText: '1.05×' })
  })
  it('keeps the honest number in a missed verdict', () => {
    const row = compare('1 × 1', ms(130), ms(100), { target: 1.15 })
    expect(row).toMatchObject({ pass: false, verdict: 'missed (1.30×)' })
  })
  it('judges an absolute target on the action’s median alone, in ms', () => {
    const met = compare('start-up', ms(80, 70, 90), ms(50), { absoluteTarget: 80, unit: 'ms' })
    expect(met).toMatchObject({ target: '≤ 80 ms', pass: true, verdict: 'met', ratioText: '1.60×' })
    const missed = compare('start-up', ms(98), ms(50), { absoluteTarget: 80, unit: 'ms' })
    expect(missed).toMatchObject({ pass: false, verdict: 'missed (98 ms)' })
  })
  it('has no ratio without a baseline, and an absolute target still applies', () => {
    const row = compare('merge', ms(700), [], { absoluteTarget: 1000 })
    expect(row).toMatchObject({ baseline: undefined, ratio: undefined, ratioText: '—', pass: true, target: '≤ 1.00 s' })
  })
  it('has no verdict without a target', () => {
    expect(compare('information', ms(2), ms(1), {}).verdict).toBeUndefined()
  })
})

describe('rotation and alternate', () => {
  it('alternates two sides A B, B A', () => {
    expect([0, 1, 2, 3].map((i) => rotation(['a', 'b'], i).join(''))).toEqual(['ab', 'ba', 'ab', 'ba'])
  })
  it('starts each run one later with more sides', () => {
    expect([0, 1, 2, 3].map((i) => rotation(['a', 'b', 'c'], i).join(''))).toEqual(['abc', 'bca', 'cab', 'abc'])
  })
  it('runs every side `runs` times in that order and keeps the samples per side', async () => {
    const order: string[] = []
    const side = (name: string) => async (i: number) => {
      order.push(`${name}${i}`)
      return { ms: i }
    }
    const samples = await alternate('x', { a: side('a'), b: side('b') }, 3)
    expect(order).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2'])
    expect(samples.a.map((s) => s.ms)).toEqual([0, 1, 2])
  })
})

describe('countUploads and countDownloads', () => {
  const push = [
    'The push refers to repository [localhost:5443/app]',
    '9d75754247ef: Preparing',
    'b9b72c6bfe57: Mounted from other',
    'c8a722e42197: Pushed',
    '[localhost:5443/app:t1] 3c58ad48865e: Pushed',
    '[localhost:5443/app:t2] 3c58ad48865e: Layer already exists',
    't1: digest: sha256:f015 size: 1164'
  ].join('\n')
  it('counts the layers really pushed, with or without the action’s [reference] prefix', () => {
    expect(countUploads(push)).toBe(2)
  })
  it('counts the layers a pull downloaded, not those already there', () => {
    const pull = [
      'a1b2c3d4e5f6: Already exists',
      '0123456789ab: Pull complete',
      'fedcba987654: Download complete'
    ].join('\n')
    expect(countDownloads(pull)).toBe(2)
  })
})

describe('slowStepCached', () => {
  const run = 'RUN echo x >/seed && dd if=/dev/urandom of=/big bs=1M count=32'
  it('sees the classic builder’s cache hit', () => {
    expect(slowStepCached(`Step 3/4 : ${run}\n ---> Using cache\n ---> 1a2b\nStep 4/4 : COPY app.txt /app.txt`)).toBe(
      true
    )
    expect(
      slowStepCached(`Step 3/4 : ${run}\n ---> Running in 9f8e\nStep 4/4 : COPY app.txt /app.txt\n ---> Using cache`)
    ).toBe(false)
  })
  it('sees BuildKit’s CACHED, and a layer fetched from a registry cache instead of run', () => {
    expect(slowStepCached(`#7 [2/3] ${run}\n#7 CACHED\n\n#8 [3/3] COPY app.txt /app.txt\n#8 DONE 0.1s`)).toBe(true)
    const fetched = `#8 [2/3] ${run}\n#8 sha256:b540 33.56MB / 33.56MB 0.2s done\n#8 extracting sha256:b540 0.2s done\n#8 DONE 0.4s`
    expect(slowStepCached(fetched)).toBe(true)
  })
  it('does not take another step’s CACHED for the slow step’s', () => {
    expect(
      slowStepCached(
        `#5 [1/3] FROM base\n#5 CACHED\n\n#7 [2/3] ${run}\n#7 DONE 5.2s\n\n#8 [3/3] COPY app.txt /app.txt\n#8 CACHED`
      )
    ).toBe(false)
  })
})

describe('the docker trace', () => {
  // ns since the epoch, as the shim writes them: 1.000 s, then 1.100 s, …
  const ns = (s: number) => String(BigInt(Math.round(s * 1e6)) * 1000n)
  const text = [
    `${ns(1.1)} ${ns(1.15)} 0 login --username ship --password-stdin localhost:5443`,
    `${ns(1.2)} ${ns(2.2)} 0 build --tag r:t1 --label a=b ctx`,
    `${ns(2.25)} ${ns(3.25)} 0 push localhost:5443/app:t1`,
    `${ns(3.3)} ${ns(3.5)} 0 push localhost:5443/app:t2`,
    `${ns(3.3)} ${ns(3.6)} 1 push localhost:5443/app:t3`,
    'not a trace line'
  ].join('\n')

  it('parses start, end (ms since the epoch), exit code and arguments, in start order', () => {
    const entries = parseTrace(text)
    expect(entries).toHaveLength(5)
    expect(entries[0]).toEqual({
      start: 1100,
      end: 1150,
      code: 0,
      args: 'login --username ship --password-stdin localhost:5443'
    })
    expect(entries[4].code).toBe(1)
  })

  it.each([
    ['login --username ship --password-stdin localhost:5443', 'login'],
    ['buildx build --load --tag a:b .', 'buildx build'],
    ['push localhost:5443/team/app:t2', 'push :t2'],
    ['push localhost:5443/team/app', 'push'],
    ['image inspect --format {{.Size}} x', 'image inspect'],
    ['--config /tmp/c buildx imagetools create -t a b', 'buildx imagetools create']
  ])('names %s as %s', (args, name) => {
    expect(commandName(args)).toBe(name)
  })

  it.each([
    ['logout localhost:5443', 'login'],
    ['buildx build .', 'build'],
    ['push a:b', 'push'],
    ['image inspect a', 'other']
  ])('puts %s with %s', (args, kind) => {
    expect(kindOf(args)).toBe(kind)
  })

  it('counts overlapping intervals once', () => {
    expect(
      unionMs([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
        { start: 20, end: 25 }
      ])
    ).toBe(20)
  })

  it('splits a run’s time into its kinds of docker command and the time outside docker', () => {
    const kinds = timeByKind(parseTrace(text), 3000)
    expect(kinds.login).toBeCloseTo(50)
    expect(kinds.build).toBeCloseTo(1000)
    expect(kinds.push).toBeCloseTo(1300) // 1.000 s, then 0.300 s for the two side by side
    expect(kinds.other).toBe(0)
    // The run: spawned at 1.000 s for 3 s; docker busy 2.350 s of it.
    expect(kinds.outside).toBeCloseTo(3000 - 2350)
  })

  it('describes the run: the first command, side-by-side groups, the time after the last', () => {
    const d = describeTrace(parseTrace(text), { spawnedAt: 1000, ms: 2700 })
    expect(d.outside).toBeCloseTo(350)
    expect(d.text).toContain('first docker command at 100 ms')
    expect(d.text).toContain('`push :t1` 1.00 s')
    expect(d.text).toContain('2 side by side (`push :t2`, `push :t3`) 300 ms')
    expect(d.text).toContain('after the last 100 ms')
  })

  it('describes a run without docker commands', () => {
    expect(describeTrace([] as TraceEntry[], { spawnedAt: 0, ms: 60 })).toEqual({
      outside: 60,
      docker: 0,
      text: 'no docker command; 60 ms in all'
    })
  })
})

describe('parseOptions', () => {
  const choices = { cases: ['push', 'save', 'startup'], worlds: ['classic', 'buildx'], partialOut: '/tmp/partial.md' }

  it('runs everything 5 times by default and writes the full report', () => {
    expect(parseOptions([], choices)).toEqual({
      runs: 5,
      startupRuns: 20,
      only: ['push', 'save', 'startup'],
      worlds: ['classic', 'buildx'],
      full: true,
      out: FULL_REPORT
    })
  })

  it('writes a partial run elsewhere unless --out says so, in the cases’ own order', () => {
    expect(parseOptions(['--only', 'startup,push', '--world=classic'], choices)).toMatchObject({
      only: ['push', 'startup'],
      worlds: ['classic'],
      full: false,
      out: '/tmp/partial.md'
    })
    expect(parseOptions(['--only', 'push', '--out', 'x.md'], choices)).toMatchObject({ out: 'x.md' })
  })

  it('takes at least 20 start-up runs', () => {
    expect(parseOptions(['--runs', '3'], choices)).toMatchObject({ runs: 3, startupRuns: 20 })
    expect(parseOptions(['--runs=30'], choices)).toMatchObject({ runs: 30, startupRuns: 30 })
  })

  it('answers --help', () => {
    expect(parseOptions(['-h'], choices)).toEqual({ help: true })
  })

  it.each([
    [['--runs', '0'], /--runs must be a whole number/],
    [['--runs', '2.5'], /--runs must be a whole number/],
    [['--only', 'pussh'], /--only: unknown case pussh \(push, save, startup\)/],
    [['--world', 'windows'], /--world: unknown world windows/],
    [['--only', ','], /--only: name at least one case/],
    [['--out'], /--out needs a value/],
    [['--fast'], /unknown argument --fast/]
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv, choices)).toThrow(message)
  })
})
