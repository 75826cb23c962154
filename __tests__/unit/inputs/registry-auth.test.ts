// The pure parts of issue 14's inputs: registry-auth (registry-auth.ts), the
// tarball formats and the tarball source (tarball-inputs.ts), keep-login, cleanup,
// and their plans (plan.ts).
import { describe, expect, it, test } from '@jest/globals'
import { makePlan } from '../../../src/plan/plan.js'
import type { PlanFacts } from '../../../src/plan/plan.js'
import { Report } from '../../../src/inputs/parse.js'
import { parseRegistryAuth } from '../../../src/inputs/registry-auth.js'
import { formatOf } from '../../../src/domain/image.js'
import { isIgnored } from '../../../src/inputs/tarball.js'
import { loadArgs, loginArgs, removeArgs } from '../../../src/plan/render.js'
import type { LoadStep } from '../../../src/plan/steps.js'
import { env } from '../../__fixtures__/environment.js'
import { PLAN_FACTS } from '../../__fixtures__/plan.js'
import { inputsOf, onlyProblem, parse, raw } from '../../__fixtures__/inputs.js'
import { parseInputs } from '../../../src/inputs/inputs.js'

const FACTS: PlanFacts = { ...PLAN_FACTS, zstd: '/usr/bin/zstd' }

describe('parseRegistryAuth', () => {
  function read(text: string): { entries: ReturnType<typeof parseRegistryAuth>; report: Report } {
    const report = new Report()
    return { entries: parseRegistryAuth(text, report), report }
  }

  it('reads login-action’s list, quotes removed, comments and blank lines skipped', () => {
    const { entries, report } = read(
      [
        '# Docker Hub first',
        '- registry: docker.io',
        '  username: alice',
        '  password: "p: #a*ss"',
        '',
        '- registry: ghcr.io',
        "  username: 'octo'",
        "  password: it''s: # not a comment",
        '- username: bob',
        '  password: plain'
      ].join('\n')
    )
    expect(entries).toEqual([
      { line: 2, registry: 'docker.io', username: 'alice', password: 'p: #a*ss' },
      { line: 6, registry: 'ghcr.io', username: 'octo', password: "it''s: # not a comment" },
      { line: 9, username: 'bob', password: 'plain' }
    ])
    expect(report.problems).toEqual([])
    expect(report.masks).toEqual(['p: #a*ss', "it''s: # not a comment", 'plain'])
  })

  it('refuses a line it cannot read by its number, and masks what follows its colon', () => {
    const { report } = read('- registry: ghcr.io\n  username: u\n  pasword: hunter2\n  password: p')
    expect(report.problems.map((p) => p.message)).toEqual([
      `Input 'registry-auth': line 3 is not a registry, username or password line. Fix: write one entry per registry: a line "- registry: host", then "  username: …" and "  password: …" below it, as login-action takes it.`
    ])
    expect(report.masks).toContain('hunter2')
    expect(report.problems[0].message).not.toContain('hunter2')
  })

  test.each([
    ['a line before any entry', 'username: u\n- registry: x'],
    ['a flow list', '[{registry: ghcr.io}]'],
    ['a key given twice', '- registry: a\n  registry: b\n  username: u\n  password: p']
  ])('refuses %s', (_label, text) => {
    expect(read(text).report.problems).toHaveLength(1)
  })

  it('leaves out, with a warning, an entry without a password (a fork’s empty secret)', () => {
    const { entries, report } = read(
      '- registry: ghcr.io\n  username: u\n  password:\n- registry: quay.io\n  username: q\n  password: p'
    )
    expect(entries.map((e) => e.registry)).toEqual(['quay.io'])
    expect(report.warnings.map((w) => w.message)).toEqual([
      'The registry-auth entry of line 1 has no password, so the action does not log in to ghcr.io (a secret is empty on pull requests from forks).'
    ])
  })
})

describe('logins from registry-auth and the username/password inputs', () => {
  const entry = (registry: string, user = 'u'): string =>
    `- registry: ${registry}\n  username: ${user}\n  password: p-${user}`

  it('logs in with the single inputs first, then each entry, registries normalised', () => {
    const inputs = inputsOf(
      parse({
        registry: 'ghcr.io',
        username: 'octo',
        password: 'gh',
        'registry-auth': `${entry('https://index.docker.io/v1/', 'alice')}\n${entry('localhost:5000', 'l')}`
      })
    )
    expect(inputs.logins).toEqual([
      { registry: 'ghcr.io', username: 'octo', password: 'gh' },
      { registry: 'docker.io', username: 'alice', password: 'p-alice' },
      { registry: 'localhost:5000', username: 'l', password: 'p-l' }
    ])
    const { plan, secrets } = makePlan(inputs, FACTS)
    expect(plan.logins.map(loginArgs)).toEqual([
      ['login', '--username', 'octo', '--password-stdin', 'ghcr.io'],
      ['login', '--username', 'alice', '--password-stdin'],
      ['login', '--username', 'l', '--password-stdin', 'localhost:5000']
    ])
    expect(secrets.passwords).toEqual(['gh', 'p-alice', 'p-l'])
    expect(JSON.stringify(plan)).not.toMatch(/p-alice|p-l"|"gh"/)
  })

  it('refuses a registry logged in to twice', () => {
    expect(
      onlyProblem(
        parse({ registry: 'ghcr.io', username: 'o', password: 'x', 'registry-auth': entry('ghcr.io') }),
        'registry-auth'
      )
    ).toBe(
      "Input 'registry-auth': ghcr.io is logged in to twice (line 1, and by the username and password inputs). Fix: give each registry one login."
    )
  })

  it('refuses an entry whose registry is no host', () => {
    expect(onlyProblem(parse({ 'registry-auth': entry('ghcr.io/org') }), 'registry-auth')).toMatch(
      /^Input 'registry-auth': 'ghcr\.io\/org' is not a registry host\./
    )
  })

  it('warns that keep-login keeps nothing without a login', () => {
    expect(parse({ 'keep-login': 'true' }).warnings.map((w) => w.input)).toEqual(['keep-login'])
    expect(inputsOf(parse({ 'keep-login': 'true', username: 'u', password: 'p' })).keepLogin).toBe(true)
  })
})

describe('tarballs', () => {
  test.each([
    ['a.tar', 'tar'],
    ['a.TAR.GZ', 'gzip'],
    ['a.tgz', 'gzip'],
    ['dir/a.tar.zst', 'zstd'],
    ['a.zst', undefined],
    ['a.tar.bz2', undefined],
    ['alpine:3.20', undefined]
  ])('%s is %s', (file, format) => {
    expect(formatOf(file)).toBe(format)
  })

  it('needs zstd to save a .tar.zst, before any docker command', () => {
    const environment = { ...env(), tools: { docker: '/usr/bin/docker', pigz: undefined, zstd: undefined } }
    const result = parseInputs(raw({ save: 'image.tar.zst' }), environment)
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      "Input 'save': 'image.tar.zst' is a zstd tarball, but zstd is not installed on this runner. Fix: install zstd (it is on GitHub-hosted runners; apt-get install zstd), or save as .tar.gz."
    ])
  })

  it('saves a .tar.zst through zstd at the level given', () => {
    const { plan } = makePlan(inputsOf(parse({ save: 'i.tar.zst', 'save-compression-level': '7' })), FACTS)
    expect(plan.save).toMatchObject({
      target: { format: 'zstd', level: 7 },
      compressor: { kind: 'zstd', path: '/usr/bin/zstd' }
    })
  })

  test.each<[string, string, boolean]>([
    ['', 'out/image.tar', false],
    ['out/\n', 'out/image.tar', true],
    ['*.tar\n', 'image.tar', true],
    ['*.tar\n', 'out/image.tar', false],
    ['**/*.tar', 'out/image.tar', true],
    ['out\n!out/image.tar\n', 'out/image.tar', false],
    ['# out\n', 'out/image.tar', false],
    ['/out', 'out/image.tar', true],
    ['image.ta?', 'image.tar', true]
  ])('.dockerignore %j leaves %s out: %s', (dockerignore, relative, ignored) => {
    expect(isIgnored(dockerignore, relative)).toBe(ignored)
  })

  it('loads a tarball source, through zstd where it is one, and tags the loaded image as each target', () => {
    const tree = { '/': 'directory', '/ws': 'directory', '/ws/a.tar.zst': 'file', '/ws/b.tgz': 'file' } as const
    const zst = inputsOf(parse({ 'source-image': 'a.tar.zst', tags: 'v1,v2' }, tree))
    expect(zst.source).toEqual({ kind: 'tarball', path: '/ws/a.tar.zst', format: 'zstd' })
    const load = makePlan(zst, FACTS).plan.image
    expect(load).toEqual({
      kind: 'load',
      path: '/ws/a.tar.zst',
      decompress: { program: '/usr/bin/zstd', args: ['-dc', '--quiet', '/ws/a.tar.zst'] }
    })
    expect(loadArgs(load as LoadStep)).toEqual(['load'])
    // Without zstd the engine reads the file itself (23.0 and later can).
    const direct = makePlan(zst, { ...FACTS, zstd: undefined }).plan.image as LoadStep
    expect(direct.decompress).toBeUndefined()
    expect(loadArgs(direct)).toEqual(['load', '--input', '/ws/a.tar.zst'])
    const tgz = makePlan(inputsOf(parse({ 'source-image': 'b.tgz' }, tree)), FACTS).plan.image as LoadStep
    expect(tgz).toMatchObject({ kind: 'load', decompress: undefined })
    expect(loadArgs(tgz)).toEqual(['load', '--input', '/ws/b.tgz'])
  })
})

describe('cleanup', () => {
  it('plans one docker image rm of every target, by name, on a self-hosted runner once the image is delivered', () => {
    const selfHosted = { ...env(), selfHosted: true }
    const inputs = inputsOf(parseInputs(raw({ images: 'localhost:5000/app', tags: 'v1,v2' }), selfHosted))
    expect(makePlan(inputs, FACTS).plan.cleanup).toEqual(['localhost:5000/app:v1', 'localhost:5000/app:v2'])
    expect(removeArgs(makePlan(inputs, FACTS).plan.cleanup)).toEqual([
      'image',
      'rm',
      'localhost:5000/app:v1',
      'localhost:5000/app:v2'
    ])
    // Not when the image stays only in the engine, nor on a GitHub-hosted runner, unless asked.
    expect(inputsOf(parseInputs(raw({ push: 'false' }), selfHosted)).cleanup).toBe(false)
    expect(inputsOf(parse({})).cleanup).toBe(false)
    expect(inputsOf(parse({ cleanup: 'true' })).cleanup).toBe(true)
    expect(inputsOf(parseInputs(raw({ cleanup: 'false' }), selfHosted)).cleanup).toBe(false)
  })

  test.each([
    ['localhost:5000/app:v1', 'localhost:5000/app', 'v1', []],
    ['localhost:5000/app', 'localhost:5000/app', 'latest', []],
    ['localhost:5000/app:v1', 'localhost:5000/app', 'v2', ['localhost:5000/app:v2']]
  ])('keeps the source %s’s own tag (target %s:%s)', (source, image, tag, cleanup) => {
    const inputs = inputsOf(parse({ images: image, tags: tag, 'source-image': source, cleanup: 'true' }))
    expect(makePlan(inputs, FACTS).plan.cleanup).toEqual(cleanup)
  })

  it('refuses anything but auto, true or false', () => {
    expect(onlyProblem(parse({ cleanup: 'always' }), 'cleanup')).toBe(
      "Input 'cleanup': 'always' is not auto, true or false. Fix: write auto (on self-hosted runners), true or false."
    )
  })
})
