// inputs/repositories.ts: the repositories of images, cache-from's references and
// source-image's, lowercased with a notice, and the rules of their names (through parseInputs).
import { attrOf } from '../../../src/inputs/cache.js'
import { describe, expect, it, test } from '@jest/globals'
import type { InputName, RawInputs } from '../../../src/inputs/names.js'
import {
  buildOf,
  expectWellFormed,
  HEX64,
  inputsOf,
  onlyProblem,
  parse,
  problemsOf
} from '../../__fixtures__/inputs.js'

describe('parseInputs: images', () => {
  it('parses several repositories, comma- or newline-separated, in order', () => {
    const inputs = inputsOf(parse({ images: 'alice/app, ghcr.io/org/app\nlocalhost:5000/app' }))
    expect(inputs.images).toEqual([
      { name: 'alice/app', domain: 'docker.io', path: 'alice/app' },
      { name: 'ghcr.io/org/app', domain: 'ghcr.io', path: 'org/app' },
      { name: 'localhost:5000/app', domain: 'localhost:5000', path: 'app' }
    ])
  })

  it('drops repeated repositories, keeping the first place', () => {
    expect(inputsOf(parse({ images: 'b/app,a/app,b/app\na/app' })).images.map((i) => i.name)).toEqual([
      'b/app',
      'a/app'
    ])
  })

  test.each(['', ' , \n '])('is a problem when no repository is given (%j)', (images) => {
    expect(onlyProblem(parse({ images }), 'images')).toBe(
      "Input 'images': no repository given. Fix: list one or more repositories, such as alice/app or ghcr.io/org/app."
    )
  })

  it('reports a tagged repository with the fix naming the repository', () => {
    expect(onlyProblem(parse({ images: 'alice/app:v1' }), 'images')).toBe(
      "Input 'images': 'alice/app:v1' has a tag. Fix: write the repository 'alice/app' in images and the tag in tags."
    )
  })

  it('reports each invalid repository once, and keeps quiet about valid ones', () => {
    const problems = problemsOf(parse({ images: 'alice/-bad, ok/app, alice/app:v1, alice/-bad' }))
    expect(problems.map((p) => p.input)).toEqual(['images', 'images'])
    expect(problems[0].message).toContain("invalid path component '-bad'")
    expect(problems[1].message).toContain("'alice/app:v1' has a tag")
    expectWellFormed(problems)
  })
})

describe('parseInputs: image hosts with a port', () => {
  test.each(['localhost:0', 'localhost:65536', 'localhost:99999', 'registry.example.com:70000'])(
    'refuses the port of %s/app, which no TCP port is',
    (host) => {
      expect(onlyProblem(parse({ images: `${host}/app` }), 'images')).toBe(
        `Input 'images': '${host}' is not a valid registry host. Fix: use a host name with an optional :port.`
      )
    }
  )

  test.each(['localhost:1', 'localhost:65535'])('accepts the port of %s/app', (host) => {
    expect(inputsOf(parse({ images: `${host}/app` })).images).toEqual([
      { name: `${host}/app`, domain: host, path: 'app' }
    ])
  })
})

describe('parseInputs: naming rules', () => {
  test.each<[string, string, string]>([
    ['ghcr.io/Octo-Org/App', 'ghcr.io/octo-org/app', 'ghcr.io'],
    ['Octo-Org/App', 'octo-org/app', 'docker.io'],
    ['localhost:5000/Team/App', 'localhost:5000/team/app', 'localhost:5000'],
    ['registry.example.com:8443/A/B/C', 'registry.example.com:8443/a/b/c', 'registry.example.com:8443']
  ])('lowercases %s with a notice naming both spellings', (written, name, domain) => {
    const result = parse({ images: written })
    const inputs = inputsOf(result)
    expect(inputs.images.map((i) => [i.name, i.domain])).toEqual([[name, domain]])
    expect(result.notices).toEqual([
      {
        input: 'images',
        message: `'${written}' has uppercase letters, which docker does not allow in repository names; using '${name}'.`
      }
    ])
  })

  test.each<[string, Partial<RawInputs>, string]>([
    ['cache-from', { 'cache-from': 'ghcr.io/Octo-Org/App:Main' }, 'ghcr.io/octo-org/app:Main'],
    ['cache-from', { 'cache-from': 'Octo-Org/App' }, 'octo-org/app'],
    [
      'cache-from',
      { 'cache-from': `localhost:5000/Team/App@sha256:${HEX64}` },
      `localhost:5000/team/app@sha256:${HEX64}`
    ],
    ['source-image', { 'source-image': 'ghcr.io/Octo-Org/App:V1.2' }, 'ghcr.io/octo-org/app:V1.2'],
    ['source-image', { 'source-image': `Octo/App:1@sha256:${HEX64}` }, `octo/app:1@sha256:${HEX64}`]
  ])(
    'lowercases the repository of %s %j, keeping its tag and digest, with the notice images get',
    (input, overrides, used) => {
      const result = parse(overrides)
      const inputs = inputsOf(result)
      const written = overrides[input as InputName]!
      if (input === 'cache-from') expect(buildOf(inputs).cacheFrom.map((c) => attrOf(c, 'ref'))).toEqual([used])
      else expect(inputs.source).toEqual({ kind: 'image', ref: used })
      expect(result.notices).toEqual([
        {
          input,
          message: `'${written}' has uppercase letters, which docker does not allow in repository names; using '${used}'.`
        }
      ])
    }
  )

  it('gives one notice for every name lowercased, in images and cache-from (the GHCR recipe)', () => {
    const result = parse({
      registry: 'ghcr.io',
      images: 'Octo-Org/Octo-App',
      'cache-from': 'ghcr.io/Octo-Org/Octo-App:main\nghcr.io/Octo-Org/Octo-App:main, ghcr.io/octo-org/base:1'
    })
    const inputs = inputsOf(result)
    expect(inputs.images.map((i) => i.name)).toEqual(['ghcr.io/octo-org/octo-app'])
    expect(buildOf(inputs).cacheFrom.map((c) => attrOf(c, 'ref'))).toEqual([
      'ghcr.io/octo-org/octo-app:main',
      'ghcr.io/octo-org/base:1'
    ])
    expect(result.notices).toEqual([
      {
        input: 'images',
        message:
          "Docker does not allow uppercase letters in repository names; using 'octo-org/octo-app' for 'Octo-Org/Octo-App' (images), 'ghcr.io/octo-org/octo-app:main' for 'ghcr.io/Octo-Org/Octo-App:main' (cache-from)."
      }
    ])
  })

  test.each<[InputName, string]>([
    ['cache-from', 'GHCR.io/org/app:main'],
    ['source-image', 'GHCR.io/org/app:main']
  ])('refuses an uppercase registry host in %s, once', (input, value) => {
    expect(onlyProblem(parse({ [input]: value }), input)).toBe(
      `Input '${input}': the registry host 'GHCR.io' has uppercase letters. Fix: write it as 'ghcr.io'.`
    )
  })

  it("lowercases a buildx cache spec's ref too (issue 24: cache-from takes build-push-action's syntax)", () => {
    const result = parse({ 'cache-from': 'type=registry,ref=ghcr.io/Org/App:cache' })
    expect(buildOf(inputsOf(result)).cacheFrom).toEqual([
      { type: 'registry', attrs: [['ref', 'ghcr.io/org/app:cache']] }
    ])
    expect(result.notices.map((n) => n.message)).toEqual([
      "'ghcr.io/Org/App:cache' has uppercase letters, which docker does not allow in repository names; using 'ghcr.io/org/app:cache'."
    ])
  })

  it('merges two spellings of one repository into one', () => {
    const result = parse({ images: 'octo/app, Octo/App' })
    expect(inputsOf(result).images.map((i) => i.name)).toEqual(['octo/app'])
    expect(result.notices).toHaveLength(1)
  })

  test.each(['GHCR.io/org/app', 'Registry.Example.com:5000/app', 'LOCALHOST:5000/app'])(
    'refuses an uppercase registry host in %s',
    (images) => {
      const message = onlyProblem(parse({ images }), 'images')
      const host = images.slice(0, images.indexOf('/'))
      expect(message).toBe(
        `Input 'images': the registry host '${host}' has uppercase letters. Fix: write it as '${host.toLowerCase()}'.`
      )
    }
  )

  test.each<[string, string]>([
    ['app', 'app'],
    ['docker.io/app', 'app'],
    ['index.docker.io/app', 'app'],
    ['My-App', 'my-app']
  ])('refuses the Docker Hub repository %s without an account, naming <username>/%s as the fix', (images, image) => {
    const message = onlyProblem(parse({ images }), 'images')
    expect(message).toContain('is a Docker Hub repository without an account')
    expect(message).toContain(
      `Fix: write '<username>/${image}' (your Docker Hub account or organisation), or 'library/${image}' if you publish an official image.`
    )
  })

  it('names the username input in the Docker Hub fix when it is set', () => {
    const result = parse({ images: 'app', username: 'alice', password: 'pw' })
    expect(problemsOf(result)[0].message).toContain("Fix: write 'alice/app'")
  })

  test.each(['library/app', 'docker.io/library/app', 'alice/app', 'alice/library/app'])(
    'accepts the Docker Hub repository %s',
    (images) => {
      expect(inputsOf(parse({ images })).images).toHaveLength(1)
    }
  )

  test.each<[string, string, string, string]>([
    ['ghcr.io', 'octo-org/app', 'ghcr.io/octo-org/app', 'octo-org/app'],
    ['ghcr.io', 'app', 'ghcr.io/app', 'app'],
    ['localhost:5000', 'app', 'localhost:5000/app', 'app'],
    ['https://index.docker.io/v1/', 'alice/app', 'alice/app', 'alice/app'],
    ['', 'alice/app', 'alice/app', 'alice/app'],
    ['ghcr.io', 'quay.io/org/app', 'quay.io/org/app', 'org/app'],
    ['ghcr.io', 'docker.io/alice/app', 'docker.io/alice/app', 'alice/app']
  ])('with registry %j, %s is pushed as %s', (registry, images, name, repoPath) => {
    const [repository] = inputsOf(parse({ registry, images })).images
    expect(repository.name).toBe(name)
    expect(repository.path).toBe(repoPath)
  })

  it('does not refuse a single-component name that goes to another registry', () => {
    expect(inputsOf(parse({ registry: 'ghcr.io', images: 'app' })).images[0].domain).toBe('ghcr.io')
  })
})
