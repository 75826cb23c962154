import { describe, expect, it, test } from '@jest/globals'
import type { Metadata } from '../../src/outputs.js'
import { closingLine, code, fenced, formatBytes, formatDuration, summaryMarkdown } from '../../src/summary.js'

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
        imageSize: 45_600_000
      })
    ).toBe(
      [
        '### ship-image: pushed 1 repository, saved a tarball',
        '',
        'Version `1.2.3`.',
        '',
        '| repository | tags | digest | size |',
        '|---|---|---|---|',
        `| \`localhost:5000/app\` | \`1.2.3\` \`latest\` | <details><summary><code>sha256:0123456789ab…</code></summary><code>${DIGEST}</code></details> | 45.6 MB |`,
        '',
        '| login | build | save | push |',
        '|---|---|---|---|',
        '| 420 ms | 3.1 s | 800 ms | 1.2 s |',
        '',
        `**Tarball** \`/ws/app.tar.gz\`: 12.3 MB, \`${DIGEST}\`. Load it with:`,
        '',
        '```sh',
        'docker load --input /ws/app.tar.gz',
        '```',
        ''
      ].join('\n')
    )
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
        `| \`linux/amd64\` | <details><summary><code>sha256:ffffffffffff…</code></summary><code>${other}</code></details> |`,
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
    expect(md).toContain(`**Tarball** \`\`\`\`${HOSTILE}\`\`\`\`: 12.3 MB,`)
    expect(md).toContain(`\n\`\`\`\`sh\ndocker load --input '${HOSTILE}'\n\`\`\`\`\n`)
  })

  it("quotes a path with a ' for the shell", () => {
    const metadata: Metadata = { ...pushed, tarball: { ...pushed.tarball!, path: "/ws/it's here.tar" } }
    const md = summaryMarkdown({ metadata, timings: {}, imageSize: undefined })
    expect(md).toContain("\n```sh\ndocker load --input '/ws/it'\\''s here.tar'\n```\n")
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
      `### ship-image: failed in the build phase, nothing pushed\n\n\`\`\`\`\`text\n${message}\n\`\`\`\`\`\n`
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
