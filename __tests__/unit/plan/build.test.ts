// plan/build.ts: the classic builder's labels in one LABEL line of the Dockerfile
// it reads on standard input, instead of one step (and one container) per --label.
import { describe, expect, it, test } from '@jest/globals'
import type { BuildInputs } from '../../../src/inputs/build.js'
import { buildStep, gitAuthOf, secretVariables, withLabelLine } from '../../../src/plan/build.js'
import { buildArgs } from '../../../src/plan/render.js'
import { PLAIN_BUILD } from '../../__fixtures__/inputs.js'

const labels = [
  { key: 'org.opencontainers.image.title', value: 'My "App"' },
  { key: 'team', value: 'costs $5, a \\ b' }
]
const build = (dockerfileText: string, target = ''): BuildInputs => ({ ...PLAIN_BUILD, labels, dockerfileText, target })
const LINE = 'LABEL "org.opencontainers.image.title"="My \\"App\\"" "team"="costs \\$5, a \\\\ b"'

describe('withLabelLine', () => {
  it('appends one LABEL line, every value quoted so nothing expands', () => {
    expect(withLabelLine(build('FROM busybox\nRUN true\n'))).toBe(`FROM busybox\nRUN true\n${LINE}\n`)
  })

  it('puts it at the end of the target stage, before the next FROM, so the lines above keep their numbers', () => {
    const text = [
      'FROM busybox AS base',
      'RUN true',
      '',
      'FROM base AS test.unit',
      'RUN make test',
      'FROM base',
      'CMD x',
      ''
    ].join('\n')
    expect(withLabelLine(build(text, 'test.unit'))).toBe(
      [
        'FROM busybox AS base',
        'RUN true',
        '',
        'FROM base AS test.unit',
        'RUN make test',
        LINE,
        'FROM base',
        'CMD x',
        ''
      ].join('\n')
    )
    expect(withLabelLine(build(text, 'base'))?.split('\n')[3]).toBe(LINE)
  })

  test.each([
    ['an escape directive', '# escape=`\nFROM busybox\n', ''],
    ['a target that is not there', 'FROM busybox AS a\n', 'b'],
    ['a target that only starts like one', 'FROM busybox AS testing\n', 'test']
  ])('gives up on %s (the --label flags are used)', (_label, text, target) => {
    expect(withLabelLine(build(text, target))).toBeUndefined()
  })
})

describe('buildStep with the classic builder', () => {
  const options = {
    builder: 'docker' as const,
    buildkit: false,
    iidFile: '/t/iid',
    metadataFile: '/t/m',
    push: undefined,
    load: false,
    cache: { from: [], to: [], inline: false, pulls: [] }
  }

  it('reads the Dockerfile with the LABEL line from standard input, and passes no --label', () => {
    const step = buildStep(build('FROM busybox\n'), ['app:v1'], options, [])
    expect(buildArgs(step)).toEqual(['build', '--file', '-', '--tag', 'app:v1', '--iidfile', '/t/iid', '/ws'])
    expect(step.dockerfileText).toBe(`FROM busybox\n${LINE}\n`)
    // The Dockerfile on disk still names the lines of an annotation.
    expect(step.dockerfile).toBe('/ws/Dockerfile')
  })

  it('keeps --label where BuildKit makes labels metadata only, or when the Dockerfile was not read', () => {
    expect(buildArgs(buildStep(build('FROM busybox\n'), ['app:v1'], { ...options, buildkit: true }, []))).toContain(
      '--label'
    )
    expect(buildStep({ ...PLAIN_BUILD, labels }, ['app:v1'], options, []).dockerfileText).toBeUndefined()
  })
})

describe("a Git context's token (issue 23)", () => {
  const options = {
    builder: 'docker' as const,
    buildkit: false,
    iidFile: '/t/iid',
    metadataFile: '/t/m',
    push: undefined,
    load: false,
    cache: { from: [], to: [], inline: false, pulls: [] }
  }

  test.each([
    ['https://x-access-token:ghs_T0ken@github.com/o/r.git#main', 'https://github.com/o/r.git#main', 'ghs_T0ken'],
    ['https://ghp_T0ken@github.com/o/r.git', 'https://github.com/o/r.git', 'ghp_T0ken'],
    ['http://user:p%40ss@127.0.0.1:8080/r.git', 'http://127.0.0.1:8080/r.git', 'p@ss']
  ])('%s goes as %s, its token as a secret', (context, stripped, token) => {
    expect(gitAuthOf(context)).toEqual({ context: stripped, token })
  })

  test.each(['https://github.com/o/r.git', 'git@github.com:o/r.git', 'ssh://git@github.com/o/r.git', '/ws/app'])(
    '%s carries none',
    (context) => {
      expect(gitAuthOf(context)).toBeUndefined()
    }
  )

  const remote = {
    ...PLAIN_BUILD,
    context: 'https://x-access-token:ghs_T0ken@github.com/o/r.git#main',
    file: undefined
  }

  it('reaches buildx as BuildKit’s GIT_AUTH_TOKEN secret, in the build’s environment only', () => {
    const secrets = secretVariables(remote, 'buildx')
    expect(secrets).toEqual([{ name: 'SHIP_IMAGE_GIT_AUTH_TOKEN', id: 'GIT_AUTH_TOKEN', value: 'ghs_T0ken' }])
    const step = buildStep(remote, ['app:v1'], { ...options, builder: 'buildx', buildkit: true }, secrets)
    const args = buildArgs(step)
    expect(args.join(' ')).not.toContain('ghs_T0ken')
    expect(args.at(-1)).toBe('https://github.com/o/r.git#main')
    expect(args).toContain('id=GIT_AUTH_TOKEN,env=SHIP_IMAGE_GIT_AUTH_TOKEN')
  })

  it('is left in the URL for docker build, whose CLI clones the repository itself (no provenance)', () => {
    expect(secretVariables(remote, 'docker')).toEqual([])
    expect(buildArgs(buildStep(remote, ['app:v1'], options, [])).at(-1)).toBe(remote.context)
  })

  it('gives way to a GIT_AUTH_TOKEN the secrets input gives', () => {
    const own = { ...remote, secrets: [{ id: 'GIT_AUTH_TOKEN', value: 'mine' }] }
    expect(secretVariables(own, 'buildx').map((s) => s.value)).toEqual(['mine'])
  })
})
