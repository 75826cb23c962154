// inputs/logins.ts: the registry, the username and password inputs, the logins of them and of
// registry-auth's entries, and a push that a pull request from a fork cannot make without a
// login (through parseInputs).
import { describe, expect, it, test } from '@jest/globals'
import { gitEventOf } from '../../../src/domain/event.js'
import type { RawInputs } from '../../../src/inputs/names.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import { makePlan } from '../../../src/plan/plan.js'
import type { Warning } from '../../../src/inputs/parse.js'
import { env } from '../../__fixtures__/environment.js'
import { inputsOf, onlyProblem, parse, problemsOf, raw } from '../../__fixtures__/inputs.js'
import { PLAN_FACTS, PLAN_FACTS_ZSTD } from '../../__fixtures__/plan.js'
import { loginArgs } from '../../../src/plan/render.js'

describe('parseInputs: registry', () => {
  test.each<[string, string]>([
    ['', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['https://index.docker.io/v1', 'docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['https://ghcr.io', 'ghcr.io'],
    ['https://ghcr.io/', 'ghcr.io'],
    ['http://localhost:5000', 'localhost:5000'],
    ['localhost:5000', 'localhost:5000'],
    ['GHCR.IO', 'ghcr.io'],
    ['https://ghcr.io/v1/', 'ghcr.io'],
    ['https://ghcr.io/v2/', 'ghcr.io'],
    ['localhost:5000/v2', 'localhost:5000'],
    ['localhost:1', 'localhost:1'],
    ['localhost:65535', 'localhost:65535'],
    ['https://registry-1.docker.io/v2/', 'docker.io']
  ])('%j -> %s', (registry, expected) => {
    expect(inputsOf(parse({ registry })).registry).toBe(expected)
  })

  test.each([
    'not a host!',
    'ghcr.io/org',
    'ghcr.io/v3',
    'https://ghcr.io/org/app',
    'ftp://ghcr.io',
    'host:port',
    'ghcr.io:',
    'https://',
    '/',
    '/v1',
    'https:///v2/',
    'localhost:0',
    'localhost:65536',
    'localhost:99999',
    'http://localhost:65536/v2/'
  ])('%j is a problem', (registry) => {
    expect(onlyProblem(parse({ registry }), 'registry')).toBe(
      `Input 'registry': '${registry}' is not a registry host. Fix: write a host with an optional port from 1 to 65535, such as ghcr.io or localhost:5000.`
    )
  })
})

describe('parseInputs: credentials', () => {
  it('are set when username and password both are', () => {
    const result = parse({ username: 'alice', password: 's3cret' })
    expect(inputsOf(result).logins).toEqual([{ registry: 'docker.io', username: 'alice', password: 's3cret' }])
    expect(result.warnings).toEqual([])
  })

  it('are undefined when neither is set, without a warning', () => {
    const result = parse()
    expect(inputsOf(result).logins).toEqual([])
    expect(result.warnings).toEqual([])
  })

  test.each<[Partial<RawInputs>, Warning]>([
    [
      { username: 'alice' },
      {
        input: 'password',
        message:
          "Input 'username' is set but 'password' is empty, so the action does not log in (a secret is empty on pull requests from forks)."
      }
    ],
    [
      { password: 's3cret' },
      {
        input: 'username',
        message:
          "Input 'password' is set but 'username' is empty, so the action does not log in (a secret is empty on pull requests from forks)."
      }
    ]
  ])('only one of them (%j) is a warning, not a problem', (overrides, warning) => {
    const result = parse(overrides)
    expect(result.ok).toBe(true)
    expect(inputsOf(result).logins).toEqual([])
    expect(result.warnings).toEqual([warning])
  })

  test.each<[string, string]>([
    ['alice:s3cret', "a ':'"],
    ['alice:', "a ':'"],
    ['a b:c', "a ':'"],
    ['alice smith', 'white space'],
    ['alice\tsmith', 'white space'],
    [' alice', 'white space']
  ])('a username such as %j, with %s, is a problem on username', (username, what) => {
    expect(onlyProblem(parse({ username, password: 's3cret' }), 'username')).toBe(
      `Input 'username': '${username}' has ${what}, which no registry user name can hold. Fix: give the user name alone (the password or token goes in password).`
    )
  })

  test.each(['alice', 'x-access-token', '_json_key', 'alice@example.com', 'AWS', 'robot$ci+deploy'])(
    'the username %j is fine',
    (username) => {
      expect(inputsOf(parse({ username, password: 's3cret' })).logins).toEqual([
        { registry: 'docker.io', username, password: 's3cret' }
      ])
    }
  )

  it('never puts the password in a warning or a problem', () => {
    const result = parse({ password: 'hunter2-secret', images: '', tags: '.bad', push: 'maybe' })
    const texts = [...problemsOf(result), ...result.warnings].map((m) => m.message)
    expect(texts.length).toBeGreaterThan(0)
    for (const text of texts) expect(text).not.toContain('hunter2-secret')
  })
})

describe('parseInputs: push on a pull request from a fork', () => {
  const forkPr = gitEventOf(
    { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge', GITHUB_SHA: 'a'.repeat(40) },
    {
      pull_request: {
        number: 7,
        head: { sha: 'b'.repeat(40), repo: { full_name: 'someone/app', fork: true } },
        base: { repo: { full_name: 'octo-org/app' } }
      }
    }
  )
  const onFork = (overrides: Partial<RawInputs>, logins = { registries: [] as string[], store: false }): ParseResult =>
    parseInputs(raw({ images: 'ghcr.io/octo-org/app', ...overrides }), {
      ...env(undefined, forkPr),
      dockerConfig: {
        ...env().dockerConfig,
        registries: logins.registries,
        credsStore: logins.store ? 'desktop' : undefined
      }
    })

  it('builds and does not push, with a warning that gives the fix', () => {
    const result = onFork({})
    const inputs = inputsOf(result)
    expect(inputs.push).toBe(false)
    expect(inputs.pushSkipped).toBe(
      'a pull request from the fork someone/app gets no secrets, and there is no login for ghcr.io'
    )
    expect(result.warnings).toEqual([
      {
        input: 'push',
        message:
          "Not pushing: a pull request from the fork someone/app gets no secrets, and there is no login for ghcr.io, so the push would fail. The image is built, and the outputs say nothing was pushed. Fix: push only outside pull requests (push: ${{ github.event_name != 'pull_request' }}), or give username and password for a registry that fork pull requests may push to."
      }
    ])
    expect(makePlan(inputs, PLAN_FACTS).plan.pushes).toEqual([])
  })

  test.each<[string, Partial<RawInputs>, { registries: string[]; store: boolean }]>([
    ['push: false', { push: 'false' }, { registries: [], store: false }],
    [
      'credentials given for the registry',
      { registry: 'ghcr.io', username: 'u', password: 'p' },
      { registries: [], store: false }
    ],
    ['a login for the registry in the docker config', {}, { registries: ['ghcr.io'], store: false }],
    ['a credsStore, which may hold one', {}, { registries: [], store: true }]
  ])('pushes as asked with %s', (_label, overrides, logins) => {
    const result = onFork(overrides, logins)
    expect(inputsOf(result).pushSkipped).toBeUndefined()
    expect(inputsOf(result).push).toBe(overrides.push !== 'false')
    expect(result.warnings.filter((w) => w.input === 'push')).toEqual([])
  })

  it('names each registry without a login', () => {
    const result = onFork(
      { images: 'ghcr.io/octo-org/app, docker.io/octo/app, quay.io/octo/app' },
      { registries: ['quay.io'], store: false }
    )
    expect(inputsOf(result).pushSkipped).toContain('there is no login for ghcr.io, docker.io')
  })

  it('pushes a branch of the repository itself as asked', () => {
    const sameRepo = gitEventOf(
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' },
      {
        pull_request: {
          number: 7,
          head: { repo: { full_name: 'octo-org/app' } },
          base: { repo: { full_name: 'octo-org/app' } }
        }
      }
    )
    expect(inputsOf(parseInputs(raw(), env(undefined, sameRepo))).push).toBe(true)
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
    const { plan, secrets } = makePlan(inputs, PLAN_FACTS_ZSTD)
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
