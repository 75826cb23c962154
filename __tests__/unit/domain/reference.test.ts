import { describe, expect, it, test } from '@jest/globals'
import {
  canonicalReference,
  DOCKER_HUB,
  isDigest,
  isValidDomain,
  isValidTag,
  lowercaseReference,
  normalizeRegistry,
  parseImageReference,
  parseRepository,
  registryOf,
  tagFix
} from '../../../src/domain/reference.js'
import type { Parsed, Repository } from '../../../src/domain/reference.js'

const HEX64 = '1e226b227e53c467365f7805864fa6e432d96d9071f6949fc152f62a858bc812'
const DIGEST = `sha256:${HEX64}`

/** The failure branch of a Parsed, or a test failure naming what parsed instead. */
function failure<T>(parsed: Parsed<T>): { problem: string; fix: string } {
  if (parsed.ok) throw new Error(`expected a problem, got ${JSON.stringify(parsed.value)}`)
  return { problem: parsed.problem, fix: parsed.fix }
}

function success<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`expected success, got: ${parsed.problem} (fix: ${parsed.fix})`)
  return parsed.value
}

describe('DOCKER_HUB', () => {
  it('is docker.io', () => {
    expect(DOCKER_HUB).toBe('docker.io')
  })
})

describe('parseRepository: valid repositories', () => {
  test.each<[string, Repository]>([
    ['app', { name: 'app', domain: 'docker.io', path: 'library/app' }],
    ['alice/app', { name: 'alice/app', domain: 'docker.io', path: 'alice/app' }],
    ['alice/team/app', { name: 'alice/team/app', domain: 'docker.io', path: 'alice/team/app' }],
    ['ghcr.io/org/app', { name: 'ghcr.io/org/app', domain: 'ghcr.io', path: 'org/app' }],
    ['localhost:5000/app', { name: 'localhost:5000/app', domain: 'localhost:5000', path: 'app' }],
    ['localhost/app', { name: 'localhost/app', domain: 'localhost', path: 'app' }],
    ['a.b.c:443/x/y/z', { name: 'a.b.c:443/x/y/z', domain: 'a.b.c:443', path: 'x/y/z' }],
    ['[::1]:5000/app', { name: '[::1]:5000/app', domain: '[::1]:5000', path: 'app' }],
    [
      'my-registry.example.com/team/app',
      { name: 'my-registry.example.com/team/app', domain: 'my-registry.example.com', path: 'team/app' }
    ],
    // Docker Hub spelled out or through one of its aliases is normalised to docker.io.
    ['docker.io/app', { name: 'docker.io/app', domain: 'docker.io', path: 'library/app' }],
    ['docker.io/alice/app', { name: 'docker.io/alice/app', domain: 'docker.io', path: 'alice/app' }],
    ['index.docker.io/alice/app', { name: 'index.docker.io/alice/app', domain: 'docker.io', path: 'alice/app' }],
    ['index.docker.io/app', { name: 'index.docker.io/app', domain: 'docker.io', path: 'library/app' }],
    [
      'registry-1.docker.io/alice/app',
      { name: 'registry-1.docker.io/alice/app', domain: 'docker.io', path: 'alice/app' }
    ],
    [
      'registry.hub.docker.com/library/app',
      { name: 'registry.hub.docker.com/library/app', domain: 'docker.io', path: 'library/app' }
    ],
    // Only Docker Hub gets library/: other registries keep a one-component path as is.
    ['ghcr.io/app', { name: 'ghcr.io/app', domain: 'ghcr.io', path: 'app' }]
  ])('%s', (input, expected) => {
    expect(parseRepository(input)).toEqual({ ok: true, value: expected })
  })

  test.each([
    ['a_b', 'alice/a_b'],
    ['a__b', 'alice/a__b'],
    ['a-b', 'alice/a-b'],
    ['a--b', 'alice/a--b'],
    ['a---b', 'alice/a---b'],
    ['a.b', 'alice/a.b'],
    ['a1.b2_c3__d4-e5', 'alice/a1.b2_c3__d4-e5'],
    ['digits', '0/123']
  ])('separators: %s (%s)', (_label, input) => {
    expect(success(parseRepository(input))).toEqual({ name: input, domain: 'docker.io', path: input })
  })

  it('trims surrounding white space from the name', () => {
    expect(parseRepository('  alice/app \n')).toEqual({
      ok: true,
      value: { name: 'alice/app', domain: 'docker.io', path: 'alice/app' }
    })
  })

  it('accepts a name of exactly 255 characters', () => {
    const name = `a/${'b'.repeat(253)}`
    expect(name).toHaveLength(255)
    expect(success(parseRepository(name)).name).toBe(name)
  })

  it('treats a first component without . or : (and not localhost) as a Docker Hub namespace', () => {
    expect(success(parseRepository('registry/app'))).toEqual({
      name: 'registry/app',
      domain: 'docker.io',
      path: 'registry/app'
    })
  })
})

describe('parseRepository: invalid repositories', () => {
  test.each<[string, string, RegExp | string, RegExp | string | undefined]>([
    ['empty', '', /is empty/, /alice\/app/],
    ['only spaces', '   ', /is empty/, undefined],
    ['inner space', 'alice/my app', /'alice\/my app' contains white space/, /remove the spaces/],
    ['tab', 'alice/\tapp', /white space/, undefined],
    [
      'tag',
      'alice/app:v1',
      /'alice\/app:v1' has a tag/,
      "write the repository 'alice/app' in images and the tag in tags"
    ],
    ['tag, no namespace', 'app:v1', /'app:v1' has a tag/, "'app'"],
    [
      'tag after a port',
      'localhost:5000/app:tag',
      /'localhost:5000\/app:tag' has a tag/,
      "write the repository 'localhost:5000/app' in images"
    ],
    ['digest', `alice/app@${DIGEST}`, /has a digest/, /without @sha256/],
    ['tag and digest', `alice/app:v1@${DIGEST}`, /has a digest/, undefined],
    [
      'uppercase path',
      'alice/App',
      /'alice\/App' has uppercase letters; docker repository names are lowercase/,
      "write it as 'alice/app'"
    ],
    ['uppercase path on a registry', 'ghcr.io/Org/App', /has uppercase letters/, "write it as 'ghcr.io/org/app'"],
    ['uppercase host', 'GHCR.io/org/app', /'GHCR.io\/org\/app' has uppercase letters/, "write it as 'ghcr.io/org/app'"],
    [
      'uppercase namespace docker takes for a host',
      'Alice/app',
      /'Alice\/app' has uppercase letters/,
      "write it as 'alice/app'"
    ],
    ['leading separator', 'a/-b', /'a\/-b' has an invalid path component '-b'/, /single separators/],
    ['trailing separator', 'a/b_', /invalid path component 'b_'/, undefined],
    ['triple underscore', 'a/b___c', /invalid path component 'b___c'/, undefined],
    ['mixed separators', 'a/b._c', /invalid path component 'b._c'/, undefined],
    ['leading dot', 'a/.b', /invalid path component '.b'/, undefined],
    ['empty component', 'a//b', /'a\/\/b' has an invalid path component ''/, undefined],
    ['trailing slash', 'alice/app/', /'alice\/app\/' has an invalid path component ''/, undefined],
    ['registry only, with slash', 'ghcr.io/', /invalid path component ''/, undefined],
    ['invalid characters', 'alice/app!', /invalid path component 'app!'/, undefined],
    ['invalid host', 'my_host.example.com/app', /'my_host.example.com' is not a valid registry host/, /optional :port/],
    ['non-numeric port', 'localhost:abc/app', /'localhost:abc' is not a valid registry host/, undefined],
    ['host ending in -', 'bad-.example.com/app', /is not a valid registry host/, undefined]
  ])('%s: %j', (_label, input, problem, fix) => {
    const { problem: actualProblem, fix: actualFix } = failure(parseRepository(input))
    if (typeof problem === 'string') expect(actualProblem).toContain(problem)
    else expect(actualProblem).toMatch(problem)
    if (fix !== undefined) {
      if (typeof fix === 'string') expect(actualFix).toContain(fix)
      else expect(actualFix).toMatch(fix)
    }
  })

  it('rejects a name longer than 255 characters and shows only its start', () => {
    const name = `a/${'b'.repeat(254)}`
    expect(name).toHaveLength(256)
    const { problem, fix } = failure(parseRepository(name))
    expect(problem).toBe(`'${name.slice(0, 40)}…' is longer than 255 characters`)
    expect(fix).toBe('shorten it')
  })

  it('counts the registry host in the 255 characters', () => {
    const name = `ghcr.io/${'b'.repeat(248)}`
    expect(name).toHaveLength(256)
    expect(failure(parseRepository(name)).problem).toMatch(/longer than 255 characters/)
  })

  it('reports the tag before anything else wrong with the name', () => {
    expect(failure(parseRepository('Alice/App:v1')).problem).toMatch(/has a tag/)
  })
})

describe('normalizeRegistry', () => {
  test.each([
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['registry.hub.docker.com', 'docker.io'],
    ['INDEX.DOCKER.IO', 'docker.io'],
    ['Docker.IO', 'docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['GHCR.IO', 'ghcr.io'],
    ['localhost:5000', 'localhost:5000'],
    ['hub.docker.com', 'hub.docker.com']
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRegistry(input)).toBe(expected)
  })
})

describe('isValidDomain', () => {
  test.each([
    ['docker.io', true],
    ['localhost', true],
    ['localhost:5000', true],
    ['a.b.c:443', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['my-host', true],
    ['GHCR.IO', true],
    ['localhost:1', true],
    ['localhost:65535', true],
    ['[::1]:65535', true],
    ['localhost:0', false],
    ['localhost:00', false],
    ['localhost:65536', false],
    ['localhost:99999', false],
    ['[::1]:0', false],
    ['', false],
    ['not a host!', false],
    ['-host', false],
    ['host-', false],
    ['host:', false],
    ['host:port', false],
    ['ghcr.io/org', false],
    ['a..b', false]
  ])('%j -> %s', (domain, expected) => {
    expect(isValidDomain(domain)).toBe(expected)
  })
})

describe('isValidTag', () => {
  test.each([['v1'], ['latest'], ['_x'], ['1.2.3'], ['V1.0-RC_1'], ['a'], ['x'.repeat(128)]])('accepts %j', (tag) => {
    expect(isValidTag(tag)).toBe(true)
  })

  test.each([
    ['empty', ''],
    ['leading dot', '.x'],
    ['leading dash', '-x'],
    ['129 characters', 'x'.repeat(129)],
    ['slash', 'a/b'],
    ['colon', 'a:b'],
    ['space', 'a b'],
    ['at sign', 'a@b'],
    ['plus', '1.0+build'],
    ['unicode', 'café'],
    ['emoji', 'v1-🚀'],
    ['trailing newline', 'v1\n']
  ])('rejects %s', (_label, tag) => {
    expect(isValidTag(tag)).toBe(false)
  })
})

describe('isDigest', () => {
  test.each([
    [DIGEST, true],
    [HEX64, false],
    [`sha256:${HEX64.slice(1)}`, false],
    [`sha256:${HEX64}0`, false],
    [`sha256:${HEX64.toUpperCase()}`, false],
    [`sha512:${HEX64}`, false],
    ['', false]
  ])('%j -> %s', (value, expected) => {
    expect(isDigest(value)).toBe(expected)
  })
})

describe('parseImageReference', () => {
  test.each([
    ['short image ID', 'abc123def456'],
    ['image ID hex, 64 digits', HEX64],
    ['image ID with sha256: prefix', DIGEST],
    ['repository', 'alice/app'],
    ['official image', 'alpine'],
    ['name:tag', 'alice/app:v1'],
    ['official image with tag', 'alpine:3.20'],
    ['registry with port, no tag', 'localhost:5000/app'],
    ['registry with port and tag', 'localhost:5000/app:v1'],
    ['name@digest', `alice/app@${DIGEST}`],
    ['name:tag@digest', `alice/app:v1@${DIGEST}`],
    ['registry name:tag@digest', `ghcr.io/org/app:1.2.3@${DIGEST}`]
  ])('accepts %s: %s', (_label, ref) => {
    expect(parseImageReference(ref)).toEqual({ ok: true, value: ref })
  })

  it('returns the reference trimmed', () => {
    expect(parseImageReference('  alice/app:v1  ')).toEqual({ ok: true, value: 'alice/app:v1' })
  })

  test.each<[string, string, string, string]>([
    [
      'short digest',
      'alice/app@sha256:abc',
      "'alice/app@sha256:abc' has an invalid digest",
      'write it as name@sha256:<64 hex digits>'
    ],
    ['other algorithm', `alice/app@md5:${HEX64}`, 'has an invalid digest', 'sha256:<64 hex digits>'],
    ['uppercase digest', `alice/app@sha256:${HEX64.toUpperCase()}`, 'has an invalid digest', 'sha256'],
    ['empty digest', 'alice/app@', 'has an invalid digest', 'sha256'],
    ['tag starting with .', 'alice/app:.bad', "'alice/app:.bad' has an invalid tag '.bad'", tagFix],
    ['empty tag', 'alice/app:', "has an invalid tag ''", tagFix],
    ['tag too long', `alice/app:${'x'.repeat(129)}`, 'has an invalid tag', tagFix],
    ['bad tag before a digest', `alice/app:-x@${DIGEST}`, "has an invalid tag '-x'", tagFix]
  ])('rejects %s', (_label, ref, problem, fix) => {
    const parsed = failure(parseImageReference(ref))
    expect(parsed.problem).toContain(problem)
    expect(parsed.fix).toContain(fix)
  })

  test.each([
    ['uppercase repository', 'Alice/App:v1', /uppercase/],
    ['white space', 'alice/my app', /white space/],
    ['empty', '', /is empty/],
    ['bad path component', 'alice/-app:v1', /invalid path component '-app'/]
  ])('passes on the repository problem: %s', (_label, ref, problem) => {
    expect(failure(parseImageReference(ref)).problem).toMatch(problem)
  })

  it('does not take an 11-digit hex string for an image ID', () => {
    // Not an ID (IDs are 12 to 64 hex digits), but still a valid repository name.
    expect(parseImageReference('abc123def45')).toEqual({ ok: true, value: 'abc123def45' })
    expect(failure(parseImageReference('ABC123DEF456')).problem).toMatch(/uppercase/)
  })
})

describe('lowercaseReference', () => {
  test.each<[string, string]>([
    ['Octo-Org/App', 'octo-org/app'],
    ['ghcr.io/Octo-Org/App:Main', 'ghcr.io/octo-org/app:Main'],
    ['localhost:5000/Team/App', 'localhost:5000/team/app'],
    ['localhost:5000/Team/App:V1', 'localhost:5000/team/app:V1'],
    [`Octo/App@sha256:${HEX64}`, `octo/app@sha256:${HEX64}`],
    [`Octo/App:Tag@sha256:${HEX64}`, `octo/app:Tag@sha256:${HEX64}`],
    ['alpine:3.20', 'alpine:3.20']
  ])('%s → %s (the tag and digest keep their case)', (input, expected) => {
    expect(lowercaseReference(input)).toEqual({ ok: true, value: expected })
  })

  it('refuses an uppercase registry host', () => {
    expect(lowercaseReference('GHCR.io/org/app:1')).toEqual({
      ok: false,
      problem: "the registry host 'GHCR.io' has uppercase letters",
      fix: "write it as 'ghcr.io'"
    })
  })
})

describe('registryOf', () => {
  test.each<[string, string]>([
    ['alpine:3', 'docker.io'],
    ['alice/app:v1', 'docker.io'],
    ['ghcr.io/org/app:v1', 'ghcr.io'],
    ['localhost:5000/app@sha256:' + 'a'.repeat(64), 'localhost:5000'],
    ['localhost/app', 'localhost'],
    ['Alice/app', 'docker.io']
  ])('%s -> %s', (ref, registry) => {
    expect(registryOf(ref)).toBe(registry)
  })
})

describe('canonicalReference: two spellings of one image', () => {
  test.each([
    ['app', 'docker.io/library/app:latest'],
    ['app:v1', 'docker.io/library/app:v1'],
    ['docker.io/x/app:v1', 'docker.io/x/app:v1'],
    ['x/app:v1', 'docker.io/x/app:v1'],
    ['index.docker.io/x/app:v1', 'docker.io/x/app:v1'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['ghcr.io/Org/App:Main', 'ghcr.io/org/app:Main'],
    [`x/app@sha256:${'a'.repeat(64)}`, `docker.io/x/app@sha256:${'a'.repeat(64)}`],
    [`sha256:${'b'.repeat(64)}`, `sha256:${'b'.repeat(64)}`]
  ])('%s is %s', (ref, canonical) => {
    expect(canonicalReference(ref)).toBe(canonical)
  })
})
