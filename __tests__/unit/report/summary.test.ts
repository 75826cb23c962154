import { describe, expect, it, test } from '@jest/globals'
import type { Metadata } from '../../../src/report/outputs.js'
import { closingLine, code, fenced, formatBytes, formatDuration, summaryMarkdown } from '../../../src/report/summary.js'
import type { SummaryInput } from '../../../src/report/summary.js'

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4)

const pushed: Metadata = {
  imageid: 'sha256:' + 'a'.repeat(64),
  version: '1.2.3',
  labels: {},
  digest: DIGEST,
  tags: ['localhost:5000/app:1.2.3', 'localhost:5000/app:latest'],
  refs: [`localhost:5000/app@${DIGEST}`],
  platforms: [],
  images: [
    {
      repository: 'localhost:5000/app',
      registry: 'localhost:5000',
      digest: DIGEST,
      ref: `localhost:5000/app@${DIGEST}`,
      tags: [
        { tag: '1.2.3', ref: 'localhost:5000/app:1.2.3', digest: DIGEST },
        { tag: 'latest', ref: 'localhost:5000/app:latest', digest: DIGEST }
      ]
    }
  ],
  tarball: { path: '/ws/app.tar.gz', digest: DIGEST, size: 12_345_678, compressor: 'pigz' }
}

describe('summaryMarkdown', () => {
  it('is the documented markdown for a push and a save', () => {
    expect(
      summaryMarkdown({
        metadata: pushed,
        timings: { login: 420, build: 3100, push: 1234.5, save: 800 },
        imageSize: 45_600_000,
        step: 'image',
        made: {
          kind: 'build',
          builder: 'buildx',
          dockerfile: 'app/Dockerfile',
          target: 'prod',
          platforms: ['linux/amd64']
        },
        cache: { steps: 5, cached: 4 },
        totalMs: 5678
      })
    ).toBe(
      [
        '### ship-image `image`: pushed 1 repository, saved a tarball',
        '',
        'Version `1.2.3` · built `app/Dockerfile` (stage `prod`) with buildx for `linux/amd64` · 4 of 5 steps cached · 5.7 s in all.',
        '',
        '| repository | tags | digest | image size in the engine |',
        '|---|---|---|---|',
        '| `localhost:5000/app` | `1.2.3` `latest` | `sha256:0123456789ab…` | 45.6 MB |',
        '',
        'Pushed, by digest (a tag can move, a digest cannot):',
        '',
        '```text',
        `localhost:5000/app@${DIGEST}`,
        '```',
        '',
        '| login | build | save | push | total |',
        '|---|---|---|---|---|',
        '| 420 ms | 3.1 s | 800 ms | 1.2 s | 5.7 s |',
        '',
        `**Tarball** \`app.tar.gz\`: tarball size on disk 12.3 MB, gzip by pigz, \`${DIGEST}\`. This job wrote it to \`/ws/app.tar.gz\`; a job that downloads it as an artifact loads it with:`,
        '',
        '```sh',
        'docker load --input app.tar.gz',
        '```',
        ''
      ].join('\n')
    )
  })

  test.each<[string, Partial<SummaryInput>, string]>([
    [
      "the classic builder on the engine's platform, no step cached",
      {
        made: { kind: 'build', builder: 'the classic builder', dockerfile: 'Dockerfile', target: '', platforms: [] },
        cache: { steps: 3, cached: 0 }
      },
      "Version `1.2.3` · built `Dockerfile` with the classic builder for the engine's platform · no step of 3 cached."
    ],
    [
      'a remote context, several platforms',
      {
        made: {
          kind: 'build',
          builder: 'buildx',
          dockerfile: undefined,
          target: '',
          platforms: ['linux/amd64', 'linux/arm64']
        }
      },
      'Version `1.2.3` · built with buildx for `linux/amd64`, `linux/arm64`.'
    ],
    [
      'a retag',
      { made: { kind: 'retag', source: 'ghcr.io/o/a:1' } },
      'Version `1.2.3` · retagged `ghcr.io/o/a:1`, nothing built.'
    ],
    [
      'a merge with buildx',
      { made: { kind: 'merge', platforms: ['linux/amd64', 'linux/arm64'], imagetools: true } },
      'Version `1.2.3` · merged the parts for `linux/amd64`, `linux/arm64` with `buildx imagetools create`, nothing built.'
    ],
    [
      'a merge without buildx',
      { made: { kind: 'merge', platforms: ['linux/amd64'], imagetools: false } },
      'Version `1.2.3` · merged the parts for `linux/amd64` with `docker manifest`, nothing built.'
    ],
    [
      'a builder that printed no steps',
      { cache: { steps: 0, cached: 0 }, totalMs: 80 },
      'Version `1.2.3` · 80 ms in all.'
    ]
  ])('says what made the image: %s', (_label, extra, line) => {
    const md = summaryMarkdown({ metadata: pushed, timings: {}, imageSize: undefined, ...extra })
    expect(md.split('\n')[2]).toBe(line)
  })

  it('leaves the step out when GITHUB_ACTION is not set, and names it when it is', () => {
    expect(summaryMarkdown({ metadata: pushed, timings: {}, imageSize: undefined })).toMatch(/^### ship-image: pushed/)
    expect(
      summaryMarkdown({ metadata: pushed, timings: {}, imageSize: undefined, step: '__ship-image_ship-image_2' })
    ).toMatch(/^### ship-image `__ship-image_ship-image_2`: pushed/)
  })

  it('says what was live and why it failed, the error on its own lines', () => {
    const md = summaryMarkdown({
      metadata: { ...pushed, tarball: null },
      timings: { push: 10 },
      imageSize: undefined,
      failed: { phase: 'push', message: 'denied (docker push x failed)\n  more' }
    })
    expect(md).toContain(
      [
        '### ship-image: failed in the push phase, pushed 1 repository',
        '',
        '**Failed in the push phase.** What it did before is live, in the outputs and below.',
        '',
        '```text',
        'denied (docker push x failed)',
        '  more',
        '```'
      ].join('\n')
    )
    expect(md).toContain(`\`\`\`text\nlocalhost:5000/app@${DIGEST}\n\`\`\``)
  })

  it('says why a push was skipped', () => {
    const md = summaryMarkdown({
      metadata: { ...pushed, refs: [], tarball: null, images: [{ ...pushed.images[0], digest: null, ref: null }] },
      timings: {},
      imageSize: undefined,
      pushSkipped: 'a pull request from the fork x/y gets no secrets'
    })
    expect(md).toContain('### ship-image: nothing pushed\n')
    expect(md).toContain('**Not pushed:** a pull request from the fork x/y gets no secrets.')
    expect(md).not.toContain('Pushed, by digest')
  })

  it('quotes a tarball name that a shell would split', () => {
    const md = summaryMarkdown({
      metadata: { ...pushed, tarball: { ...pushed.tarball!, path: '/ws/my image.tar', compressor: 'none' } },
      timings: {},
      imageSize: undefined
    })
    expect(md).toContain("docker load --input 'my image.tar'")
    expect(md).toContain('tarball size on disk 12.3 MB, not compressed,')
  })

  it('says nothing was pushed, shows — for unknown digests and sizes, and leaves out phases that did not run', () => {
    const metadata: Metadata = {
      ...pushed,
      version: '',
      digest: '',
      refs: [],
      tarball: null,
      images: [{ ...pushed.images[0], digest: null, ref: null }]
    }
    const md = summaryMarkdown({ metadata, timings: { build: 50 }, imageSize: undefined })
    expect(md).toContain('### ship-image: nothing pushed\n')
    expect(md).toContain('| `1.2.3` `latest` | — | — |')
    expect(md).not.toContain('Pushed, by digest')
    expect(md).toContain('| build |\n|---|\n| 50 ms |')
    expect(md).not.toContain('Version')
    expect(md).not.toContain('Tarball')
  })

  it('has a table of the platforms and their manifest digests', () => {
    const other = 'sha256:' + 'f'.repeat(64)
    const metadata: Metadata = {
      ...pushed,
      platforms: [
        { platform: 'linux/amd64', digest: other },
        { platform: 'linux/arm64', digest: null }
      ]
    }
    const md = summaryMarkdown({ metadata, timings: {}, imageSize: undefined })
    expect(md).toContain(
      [
        '| platform | manifest digest |',
        '|---|---|',
        `| \`linux/amd64\` | \`${other}\` |`,
        '| `linux/arm64` | — |',
        ''
      ].join('\n')
    )
    expect(summaryMarkdown({ metadata: pushed, timings: {}, imageSize: undefined })).not.toContain('| platform |')
  })

  it('lists the commands of a dry run', () => {
    const md = summaryMarkdown({
      metadata: { ...pushed, tarball: null },
      timings: {},
      imageSize: undefined,
      dryRun: ['docker push x:1']
    })
    expect(md.startsWith('### ship-image: dry run: nothing was run\n')).toBe(true)
    expect(md).toContain('```sh\ndocker push x:1\n```')
  })
})

describe('summaryMarkdown: hostile names and failures', () => {
  const HOSTILE = '/ws/a b ```x<b>.tar'

  it('fences the shell-quoted load command and the path, so a path cannot break out of its block', () => {
    const metadata: Metadata = { ...pushed, tarball: { ...pushed.tarball!, path: HOSTILE } }
    const md = summaryMarkdown({ metadata, timings: {}, imageSize: undefined })
    const name = 'a b ```x<b>.tar'
    expect(md).toContain(`**Tarball** \`\`\`\`${name}\`\`\`\`: tarball size on disk 12.3 MB,`)
    expect(md).toContain(`This job wrote it to \`\`\`\`${HOSTILE}\`\`\`\`;`)
    expect(md).toContain(`\n\`\`\`\`sh\ndocker load --input '${name}'\n\`\`\`\`\n`)
  })

  it("quotes a path with a ' for the shell", () => {
    const metadata: Metadata = { ...pushed, tarball: { ...pushed.tarball!, path: "/ws/it's here.tar" } }
    const md = summaryMarkdown({ metadata, timings: {}, imageSize: undefined })
    expect(md).toContain("\n```sh\ndocker load --input 'it'\\''s here.tar'\n```\n")
  })

  it('says in the title which phase failed, and shows the message in a text block', () => {
    const md = summaryMarkdown({
      metadata: pushed,
      timings: { build: 10 },
      imageSize: undefined,
      failed: { phase: 'push', message: 'received unexpected HTTP status: 503 (docker push x:1 failed, exit code 1)' }
    })
    expect(md.startsWith('### ship-image: failed in the push phase, pushed 1 repository, saved a tarball\n\n')).toBe(
      true
    )
    expect(md).toContain(
      '\n```text\nreceived unexpected HTTP status: 503 (docker push x:1 failed, exit code 1)\n```\n\nVersion `1.2.3`.'
    )
  })

  it('fences a failure message that holds backticks and markdown with a longer fence', () => {
    const message = 'Dockerfile step ```` RUN echo `x` ```` failed: <b>|</b>'
    const md = summaryMarkdown({
      metadata: { ...pushed, images: [], tarball: null },
      timings: {},
      imageSize: undefined,
      failed: { phase: 'build', message }
    })
    expect(md).toContain(
      `### ship-image: failed in the build phase, nothing pushed\n\n**Failed in the build phase.**\n\n\`\`\`\`\`text\n${message}\n\`\`\`\`\`\n`
    )
  })
})

describe('code and fenced', () => {
  /** Backtick runs of every length from 1 to 5. */
  const EVERY_RUN = [1, 2, 3, 4, 5].map((n) => `x${'`'.repeat(n)}`).join(' ')

  /** Each text and its code span. */
  const SPANS: Record<string, string> = {
    'a`b|c': '``a`b\\|c``',
    'a``b`c': '```a``b`c```',
    '`start': '`` `start ``',
    'end`': '`` end` ``',
    'two\nlines\r\nhere': '`two lines here`'
  }

  test.each(Object.entries(SPANS))('code(%j) = %j', (text, span) => {
    expect(code(text)).toBe(span)
  })

  test.each(['```', 'a ```` b', '`x` ``y`` ```z```', EVERY_RUN])(
    'no backtick run in %j closes its code span',
    (text) => {
      const span = code(text)
      const fence = /^`+/.exec(span)![0]
      const inner = span.slice(fence.length, span.length - fence.length)
      expect(span.endsWith(fence)).toBe(true)
      for (const run of inner.match(/`+/g) ?? []) expect(run.length).not.toBe(fence.length)
    }
  )

  test.each<[string[], string]>([
    [['docker push x:1'], '```'],
    [['a ```` b'], '`````'],
    [['`one`', 'two ``````', 'three'], '```````']
  ])('fenced(%j) has the fence %j, longer than any backtick run inside', (lines, fence) => {
    expect(fenced('sh', lines)).toEqual([`${fence}sh`, ...lines, fence])
  })
})

describe('closingLine', () => {
  it('lists what was pushed and saved', () => {
    expect(closingLine(pushed)).toBe(`ship-image: pushed localhost:5000/app@${DIGEST}; saved /ws/app.tar.gz (12.3 MB).`)
  })
  it('says when nothing was pushed or saved', () => {
    expect(closingLine({ ...pushed, refs: [], tarball: null })).toBe(
      'ship-image: built localhost:5000/app:1.2.3, localhost:5000/app:latest; nothing pushed or saved.'
    )
  })
})

test.each<[number, string]>([
  [0, '0 B'],
  [999, '999 B'],
  [1000, '1.00 KB'],
  [12_345_678, '12.3 MB'],
  [2_500_000_000, '2.50 GB']
])('formatBytes(%d) = %s', (bytes, text) => {
  expect(formatBytes(bytes)).toBe(text)
})

test.each<[number, string]>([
  [0, '0 ms'],
  [999.4, '999 ms'],
  [1000, '1.0 s'],
  [61_000, '61.0 s']
])('formatDuration(%d) = %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text)
})

describe('summaryMarkdown: a .tar.zst (issue 23)', () => {
  it('says zstd, and loads it through zstd, which every engine can read (20.10 cannot read zstd itself)', () => {
    const md = summaryMarkdown({
      metadata: { ...pushed, tarball: { ...pushed.tarball!, path: '/ws/app image.tar.zst', compressor: 'zstd' } },
      timings: {},
      imageSize: undefined
    })
    expect(md).toContain('tarball size on disk 12.3 MB, zstd, ')
    expect(md).not.toContain('gzip')
    expect(md).toContain("```sh\nzstd -dc --quiet 'app image.tar.zst' | docker load\n```")
  })
})
