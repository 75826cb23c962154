// inputs/secrets.ts: the secrets input (id=VALUE lines and heredocs), the secrets the Dockerfile
// does not mount, their masks, and build args that look like credentials (through parseInputs).
import { describe, expect, it, test } from '@jest/globals'
import type { RawInputs } from '../../../src/inputs/names.js'
import { parseInputs } from '../../../src/inputs/inputs.js'
import type { ParseResult } from '../../../src/inputs/inputs.js'
import { looksLikeCredential, mountedSecrets, skipsSecretsCheck } from '../../../src/inputs/secrets.js'
import { DEFAULT_TREE, env } from '../../__fixtures__/environment.js'
import { buildOf, inputsOf, onlyProblem, parse, problemsOf, raw } from '../../__fixtures__/inputs.js'

/** A Dockerfile that mounts npm_token, gh.token (by id) and .npmrc (by its target's file name). */
const DOCKERFILE = [
  '# syntax=docker/dockerfile:1',
  'FROM node:20',
  'RUN --mount=type=secret,id=npm_token --mount=type=secret,id=gh.token \\',
  '    NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci',
  'RUN --mount=type=cache,target=/root/.cache --mount=type=secret,target=/root/.npmrc npm run build',
  ''
].join('\n')

/** parseInputs with /ws/Dockerfile reading as `dockerfile`. */
function parseWith(overrides: Partial<RawInputs>, dockerfile = DOCKERFILE): ParseResult {
  return parseInputs(raw(overrides), env(DEFAULT_TREE, undefined, { texts: { '/ws/Dockerfile': dockerfile } }))
}

const secretsOf = (result: ParseResult): { id: string; value: string }[] => buildOf(inputsOf(result)).secrets

const unmounted = (line: number, file = 'Dockerfile'): string =>
  `Input 'secrets': line ${line} gives a secret that no RUN --mount=type=secret in ${file} uses (the line is not shown, as it may be part of a secret). Fix: if a value has several lines, write it as id<<EOF, its lines, then EOF; otherwise mount the secret (RUN --mount=type=secret,id=…) or remove the line.`

describe('parseSecrets (through parseInputs)', () => {
  it('reads id=VALUE lines, keeping = and leading spaces in values, skipping blank lines', () => {
    expect(secretsOf(parseWith({ secrets: '\nnpm_token=a=b==\n\n  gh.token =  spaced value\n' }))).toEqual([
      { id: 'npm_token', value: 'a=b==' },
      { id: 'gh.token', value: '  spaced value' }
    ])
  })

  test.each<[string, string, string]>([
    [
      'an .npmrc',
      '.npmrc<<EOF\n//registry.npmjs.org/:_authToken=xyz\nalways-auth=true\nEOF',
      '//registry.npmjs.org/:_authToken=xyz\nalways-auth=true'
    ],
    ['another delimiter, blank lines and indentation kept', 'npm_token<<END\n  a\n\n b \nEND', '  a\n\n b '],
    ['a delimiter line with spaces around it', 'npm_token<<EOF\nline one\nline two\n  EOF  ', 'line one\nline two'],
    ['one line', 'npm_token<<EOF\nonly\nEOF', 'only'],
    ['a value with = and <<', 'npm_token<<EOF\nid=x\nkey<<EOF2\nEOF', 'id=x\nkey<<EOF2']
  ])('a heredoc keeps %s exactly', (_label, secrets, value) => {
    const [secret] = secretsOf(parseWith({ secrets }))
    expect(secret).toEqual({ id: secrets.slice(0, secrets.indexOf('<<')), value })
  })

  it('reads a heredoc and id=VALUE lines around it, numbering the lines of the input', () => {
    const secrets = 'npm_token=1\n.npmrc<<EOF\na\nb\nEOF\ngh.token=2\nstray=3'
    const result = parseWith({ secrets })
    expect(onlyProblem(result, 'secrets')).toBe(unmounted(7))
  })

  test.each<[string, number, string]>([
    ['npm_token<<EOF\nvalue', 1, 'EOF'],
    ['npm_token=1\n.npmrc<<END\na\nb\nEND.\nend\nx', 2, 'END'],
    ['npm_token=1\n\n.npmrc<<EOF', 3, 'EOF']
  ])('an unterminated heredoc is a problem: %j', (secrets, line, delimiter) => {
    expect(onlyProblem(parseWith({ secrets }), 'secrets')).toBe(
      `Input 'secrets': line ${line} starts a value with <<${delimiter}, but no line ${delimiter} ends it. Fix: end the value with a line holding only ${delimiter}.`
    )
  })

  it('masks what follows an unterminated heredoc', () => {
    expect(parseWith({ secrets: 'npm_token<<EOF\nsecret line\nmore' }).masks).toEqual(['secret line\nmore'])
  })
})

describe('the secrets the Dockerfile does not mount', () => {
  const VALUE = 'ghp_0123456789abcdef'

  test.each<[string, string, number]>([
    ['an id nothing mounts', `npm_token=1\nunused=${VALUE}`, 2],
    ['the piece of a value that the runner split', `npm_token=//reg/:_authToken=${VALUE}\nalways-auth=true`, 2],
    ['a heredoc under an id nothing mounts', `unused<<EOF\n${VALUE}\nEOF`, 1],
    ['an id that only a cache mount uses', `cache=${VALUE}`, 1]
  ])('%s is a problem naming its line, not its text', (_label, secrets, line) => {
    const message = onlyProblem(parseWith({ secrets }), 'secrets')
    expect(message).toBe(unmounted(line))
    expect(message).not.toContain(VALUE)
    expect(message).not.toContain('always-auth')
  })

  it("names the Dockerfile by the file input's file name", () => {
    const tree = { ...DEFAULT_TREE, '/ws/docker/prod.Dockerfile': 'file' } as const
    const environment = env(tree, undefined, { texts: { '/ws/docker/prod.Dockerfile': DOCKERFILE } })
    const result = parseInputs(raw({ file: 'docker/prod.Dockerfile', secrets: 'other=1' }), environment)
    expect(onlyProblem(result, 'secrets')).toBe(unmounted(1, 'prod.Dockerfile'))
  })

  test.each<[string, Partial<RawInputs>, string]>([
    ['a mount id written with $VARIABLE', {}, 'FROM a\nRUN --mount=type=secret,id=$SECRET_ID true'],
    ['a mount id written with ${VARIABLE}', {}, 'FROM a\nRUN --mount=type=secret,id=${SECRET_ID} true'],
    ['a mount target written with a variable', {}, 'FROM a\nRUN --mount=type=secret,target=/run/$NAME true'],
    ['a remote context', { context: 'https://github.com/o/r.git' }, DOCKERFILE],
    ['a retag (source-image)', { 'source-image': 'alpine:3' }, DOCKERFILE]
  ])('is not checked with %s', (_label, overrides, dockerfile) => {
    expect(parseWith({ ...overrides, secrets: 'other=1' }, dockerfile).ok).toBe(true)
  })

  it('is not checked when the Dockerfile cannot be read', () => {
    expect(parseInputs(raw({ secrets: 'other=1' }), env()).ok).toBe(true)
  })
})

describe('the masks of the secrets', () => {
  test.each<[string, string, string[]]>([
    ['a mounted one-line secret: its value', 'npm_token=abc123', ['abc123']],
    ['a mounted value with =: the value', 'npm_token=a=b', ['a=b']],
    [
      'a line nothing mounts: the whole line',
      'npm_token=//reg/:_authToken=xyz\nalways-auth=true',
      ['//reg/:_authToken=xyz', 'always-auth=true']
    ],
    ['the padding line of a split key: the whole line', 'npm_token=MIIEvQ\nabcdef==', ['MIIEvQ', 'abcdef==']],
    [
      'a heredoc: its value',
      '.npmrc<<EOF\n//reg/:_authToken=xyz\nalways-auth=true\nEOF',
      ['//reg/:_authToken=xyz\nalways-auth=true']
    ],
    [
      'a line that is not id=VALUE: the whole line',
      'npm_token=1\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', '1']
    ]
  ])('%s', (_label, secrets, masks) => {
    const result = parseWith({ secrets })
    expect(result.masks).toEqual(masks)
    for (const tail of ['true', '=', '==']) expect(result.masks).not.toContain(tail)
  })

  it('mask a repeated piece of two split values whole too, not its tail', () => {
    // Two .npmrc secrets expanded inline: the second always-auth=true repeats the id of the first.
    const secrets = 'npm_token=//a/:_authToken=x1\nalways-auth=true\ngh.token=//b/:_authToken=x2\nalways-auth=true'
    const result = parseWith({ secrets })
    expect([...result.masks].sort()).toEqual(['//a/:_authToken=x1', '//b/:_authToken=x2', 'always-auth=true'])
  })

  it('are given with the problems, before anything is printed', () => {
    const result = parseWith({ secrets: 'npm_token=abc123\nalways-auth=true' })
    expect(problemsOf(result)).toHaveLength(1)
    expect(result.masks).toEqual(['abc123', 'always-auth=true'])
  })
})

describe('mountedSecrets', () => {
  test.each<[string, string, string[] | undefined]>([
    ['an id', 'RUN --mount=type=secret,id=a cat /run/secrets/a', ['a']],
    ["a target's file name", 'RUN --mount=type=secret,target=/root/.npmrc npm ci', ['.npmrc']],
    ['dst', 'RUN --mount=type=secret,dst=/x/c true', ['c']],
    ['destination', 'RUN --mount=type=secret,destination=/x/d true', ['d']],
    ['an id over the target', 'RUN --mount=type=secret,id=a,target=/x/b true', ['a']],
    ['the options in any order', 'RUN --mount=target=/p/q,type=secret,required true', ['q']],
    ['several mounts and lines', DOCKERFILE, ['npm_token', 'gh.token', '.npmrc']],
    ['other mount types', 'RUN --mount=type=cache,target=/x --mount=type=bind,source=a,target=/b true', []],
    ['no mounts at all', 'FROM a\nRUN true\n', []],
    ['an id with a variable', 'RUN --mount=type=secret,id=$ID true', undefined],
    ['a target with a variable', 'RUN --mount=type=secret,target=/run/${NAME} true', undefined],
    ['neither id nor target', 'RUN --mount=type=secret true', undefined]
  ])('%s', (_label, dockerfile, ids) => {
    const mounted = mountedSecrets(dockerfile)
    expect(mounted === undefined ? undefined : [...mounted]).toEqual(ids)
  })
})

describe('looksLikeCredential', () => {
  const CREDENTIALS =
    'GH_PAT DB_PASS DB_PWD DB_PASSWORD NPM_CONFIG__AUTH NPM_TOKEN AWS_SECRET_ACCESS_KEY API_KEY apiKey privateKey client_secret GITHUB_TOKEN npm_authToken deploy.SSH_KEY'
  const OTHERS =
    'KEYCLOAK_URL TOKENIZER_MODEL CACHE_KEY_PREFIX MONKEY_PATCH PASSPORT_URL KEY KEY_ID BYPASS_CACHE COMPASS PATH AUTHOR VERSION'

  test.each([
    ...CREDENTIALS.split(' ').map((name) => [name, true] as const),
    ...OTHERS.split(' ').map((name) => [name, false] as const)
  ])('%s -> %s', (name, expected) => {
    expect(looksLikeCredential(name)).toBe(expected)
  })
})

describe('skipsSecretsCheck', () => {
  test.each<[boolean, string, string]>([
    [true, 'the rule', '# check=skip=SecretsUsedInArgOrEnv\nFROM a'],
    [true, 'all rules', '# check=skip=all\nFROM a'],
    [true, 'several rules', '# check=skip=JSONArgsRecommended,SecretsUsedInArgOrEnv'],
    [true, 'several rules with spaces', '# check=skip=JSONArgsRecommended, SecretsUsedInArgOrEnv '],
    [true, 'any case', '# CHECK=SKIP=secretsusedinargorenv'],
    [true, 'spaces around =', '#check = skip = all'],
    [true, 'the skip after error=', '# check=error=true;skip=SecretsUsedInArgOrEnv'],
    [true, 'after a syntax directive', '# syntax=docker/dockerfile:1\n# check=skip=SecretsUsedInArgOrEnv\nFROM a'],
    [true, 'Windows line endings', '# syntax=docker/dockerfile:1\r\n# check=skip=all\r\nFROM a'],
    [false, 'other rules only', '# check=skip=JSONArgsRecommended'],
    [false, 'a rule whose name only contains it', '# check=skip=NoSecretsUsedInArgOrEnvX'],
    [false, 'error= without skip', '# check=error=true'],
    [false, 'after an instruction', 'FROM a\n# check=skip=all'],
    [false, 'after a comment', '# a comment\n# check=skip=all'],
    [false, 'after a blank line', '\n# check=skip=all'],
    [false, 'after a blank line below a directive', '# syntax=docker/dockerfile:1\n\n# check=skip=all'],
    [false, 'no directive', 'FROM a\nRUN true'],
    [false, 'an empty Dockerfile', '']
  ])('%s for %s: %j', (skips, _label, dockerfile) => {
    expect(skipsSecretsCheck(dockerfile)).toBe(skips)
  })

  const WARNING =
    'The build arg NPM_TOKEN looks like a credential. Build args are stored in the image history, where anyone who pulls the image can read them; pass it with the secrets input instead (RUN --mount=type=secret,id=npm_token). If it is not a credential, silence this with the line # check=skip=SecretsUsedInArgOrEnv at the top of the Dockerfile.'

  test.each<[string, string, string[]]>([
    ['silences the build-arg warning', '# check=skip=SecretsUsedInArgOrEnv\nFROM a', []],
    ['silences it with skip=all', '# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a', []],
    ['does not silence it below the first instruction', 'FROM a\n# check=skip=SecretsUsedInArgOrEnv', [WARNING]],
    ['does not silence it for another rule', '# check=skip=JSONArgsRecommended\nFROM a', [WARNING]]
  ])('%s', (_label, dockerfile, warnings) => {
    const result = parseWith({ 'build-args': 'NPM_TOKEN=x\nVERSION=1' }, dockerfile)
    expect(result.warnings.map((w) => w.message)).toEqual(warnings)
  })
})

describe('parseInputs: secrets', () => {
  const SECRET = 'ghp_s3cr3t-value=with=equals'

  it('parses id=VALUE lines, keeping = in values', () => {
    expect(buildOf(inputsOf(parse({ secrets: `npm_token=${SECRET}\ngh.token=x` }))).secrets).toEqual([
      { id: 'npm_token', value: SECRET },
      { id: 'gh.token', value: 'x' }
    ])
  })

  test.each(['ghp_s3cr3t', `bad id=${SECRET}`, `=${SECRET}`, 'ok=1\nghp_s3cr3t', `sp ace=${SECRET}`])(
    'reports a bad line by number, never showing it: %#',
    (secrets) => {
      const message = onlyProblem(parse({ secrets }), 'secrets')
      expect(message).toMatch(
        /^Input 'secrets': line \d is not an id=VALUE line \(its text is not shown, as it may be a secret\)\. Fix: /
      )
      expect(message).not.toContain('s3cr3t')
    }
  )

  it('reports an id given twice', () => {
    expect(onlyProblem(parse({ secrets: 'a=1\na=2' }), 'secrets')).toBe(
      "Input 'secrets': the id 'a' is given twice. Fix: give each secret its own id."
    )
  })

  it('is ignored, with a warning, on a retag', () => {
    expect(parse({ 'source-image': 'alpine:3', secrets: 'a=1' }).warnings[0].message).toContain('secrets')
  })
})

describe('parseInputs: build args that look like credentials', () => {
  test.each(['NPM_TOKEN', 'DB_PASSWORD', 'client_secret', 'API_KEY', 'aws_credentials', 'passwd'])(
    'warn for %s, pointing to secrets',
    (key) => {
      const result = parse({ 'build-args': `${key}=x\nVERSION=1` })
      expect(result.warnings).toEqual([
        {
          input: 'build-args',
          message: `The build arg ${key} looks like a credential. Build args are stored in the image history, where anyone who pulls the image can read them; pass it with the secrets input instead (RUN --mount=type=secret,id=${key.toLowerCase()}). If it is not a credential, silence this with the line # check=skip=SecretsUsedInArgOrEnv at the top of the Dockerfile.`
        }
      ])
    }
  )

  test.each(['VERSION', 'NODE_ENV', 'BASE_IMAGE'])('do not warn for %s', (key) => {
    expect(parse({ 'build-args': `${key}=x` }).warnings).toEqual([])
  })
})
