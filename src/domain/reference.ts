// The docker reference grammar (github.com/distribution/reference), as far as
// ship-image needs it: repositories (no tag, no digest), tag names and full
// references. Pure: no I/O.

export const DOCKER_HUB = 'docker.io'

const ALNUM = '[a-z0-9]+'
const SEPARATOR = '(?:[._]|__|-+)'
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`
const DOMAIN = `${HOST}(?::[0-9]+)?`

const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`)
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`)
/** The longest tag docker accepts. */
export const TAG_MAX = 128
const TAG_RE = new RegExp(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,${TAG_MAX - 1}}$`)
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/
const IMAGE_ID_RE = /^(?:sha256:)?[a-f0-9]{12,64}$/

/** distribution/reference's NameTotalLengthMax. */
const NAME_MAX = 255

const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'])

/** A repository as the user wrote it, and where it lives. */
export interface Repository {
  /** As written (trimmed): `alice/app`, `localhost:5000/app`. Used in every reference. */
  name: string
  /** The registry host: `docker.io` when the name has none. */
  domain: string
  /** The path inside the registry: `alice/app`, `library/app` for official Docker Hub images. */
  path: string
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string; fix: string }

/** The first component of a name with more than one, which may be a registry host. */
function firstComponent(name: string): string | undefined {
  const slash = name.indexOf('/')
  return slash < 0 ? undefined : name.slice(0, slash)
}

/** A first component that names a registry host: it has a `.` or `:`, or is `localhost`. */
function isHostLike(component: string): boolean {
  return /[.:]/.test(component) || component === 'localhost'
}

/** Docker's own rule: the first component is a host when it is host-like, or has uppercase. */
function splitDomain(name: string): { domain: string | undefined; rest: string } {
  const first = firstComponent(name)
  if (first === undefined || !(isHostLike(first) || first !== first.toLowerCase()))
    return { domain: undefined, rest: name }
  return { domain: first, rest: name.slice(first.length + 1) }
}

/** The registry an image reference goes to, for messages: its host, or `docker.io`. */
export function registryOf(ref: string): string {
  const first = firstComponent(ref)
  return first !== undefined && isHostLike(first) ? first : DOCKER_HUB
}

/** Normalises a registry host for comparison: Docker Hub's aliases become `docker.io`. */
export function normalizeRegistry(host: string): string {
  const lower = host.toLowerCase()
  return HUB_ALIASES.has(lower) ? DOCKER_HUB : lower
}

/**
 * A registry as written in an input or as a docker config key (`ghcr.io`,
 * `https://index.docker.io/v1/`, `localhost:5000`): the host as written (the scheme
 * and the API path `/v1/` or `/v2/` dropped), the host normalised for comparison
 * (normalizeRegistry), and any other path that was left after it.
 */
export function registryHost(value: string): { written: string; host: string; path: string } {
  const rest = value.replace(/^https?:\/\//i, '')
  const slash = rest.indexOf('/')
  const written = slash < 0 ? rest : rest.slice(0, slash)
  const path = (slash < 0 ? '' : rest.slice(slash)).replace(/^\/(?:v1|v2)?\/?$/, '')
  return { written, host: normalizeRegistry(written), path }
}

/** A host with an optional port from 1 to 65535. */
export function isValidDomain(domain: string): boolean {
  if (!DOMAIN_RE.test(domain)) return false
  const port = /:(\d+)$/.exec(domain)?.[1]
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535)
}

/**
 * Parses a repository name without tag or digest: `alice/app`, `ghcr.io/org/app`,
 * `localhost:5000/app`. A name without a host goes to `defaultRegistry`: its name
 * gets that host in front unless it is Docker Hub.
 */
export function parseRepository(input: string, defaultRegistry = DOCKER_HUB): Parsed<Repository> {
  const name = input.trim()
  if (name === '') return fail('is empty', 'write a repository such as alice/app or ghcr.io/org/app')
  if (/\s/.test(name)) return fail(`'${name}' contains white space`, 'remove the spaces')
  if (name.includes('@')) {
    return fail(`'${name}' has a digest`, 'list repositories without @sha256:…; the digest comes from the push')
  }
  const { domain, rest } = splitDomain(name)
  const lastPart = rest.slice(rest.lastIndexOf('/') + 1)
  if (lastPart.includes(':')) {
    const repo = name.slice(0, name.length - (lastPart.length - lastPart.indexOf(':')))
    return fail(`'${name}' has a tag`, `write the repository '${repo}' in images and the tag in tags`)
  }
  if (domain !== undefined && !isValidDomain(domain)) {
    return fail(`'${domain}' is not a valid registry host`, 'use a host name with an optional :port')
  }
  if (name !== name.toLowerCase()) {
    return fail(
      `'${name}' has uppercase letters; docker repository names are lowercase`,
      `write it as '${name.toLowerCase()}'`
    )
  }
  const bad = rest.split('/').find((c) => !PATH_COMPONENT_RE.test(c))
  if (bad !== undefined) {
    return fail(
      `'${name}' has an invalid path component '${bad}'`,
      'use lowercase letters, digits and single separators (. _ __ -) between them, separated by /'
    )
  }
  const host = normalizeRegistry(domain ?? defaultRegistry)
  const path = host === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest
  const fullName = domain === undefined && host !== DOCKER_HUB ? `${host}/${name}` : name
  if (fullName.length > NAME_MAX)
    return fail(`'${fullName.slice(0, 40)}…' is longer than ${NAME_MAX} characters`, 'shorten it')
  return { ok: true, value: { name: fullName, domain: host, path } }
}

/** A Docker Hub name without an account (`app`, `docker.io/app`), which docker reads as the official `library/app`. */
export function isImplicitLibrary(repository: Repository): boolean {
  return (
    repository.domain === DOCKER_HUB && repository.path.startsWith('library/') && !repository.name.includes('library/')
  )
}

/**
 * The repository name with its path lowercased (`ghcr.io/Octo-Org/App` →
 * `ghcr.io/octo-org/app`, as `github.repository` often needs). A host with
 * uppercase letters is refused instead: it is written by hand, not derived.
 */
export function lowercaseRepository(input: string): Parsed<string> {
  const name = input.trim()
  const first = firstComponent(name)
  const host = first !== undefined && isHostLike(first) ? first : ''
  if (host !== host.toLowerCase())
    return fail(`the registry host '${host}' has uppercase letters`, `write it as '${host.toLowerCase()}'`)
  return { ok: true, value: name.toLowerCase() }
}

/**
 * An image reference with its repository lowercased as lowercaseRepository does
 * (`ghcr.io/Octo-Org/App:Main` → `ghcr.io/octo-org/app:Main`): the tag and the
 * digest keep their case, since a tag may hold uppercase letters.
 */
export function lowercaseReference(input: string): Parsed<string> {
  const ref = input.trim()
  const at = ref.indexOf('@')
  const name = at < 0 ? ref : ref.slice(0, at)
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  const end = colon > slash ? colon : name.length
  const repository = lowercaseRepository(name.slice(0, end))
  return repository.ok ? { ok: true, value: `${repository.value}${ref.slice(end)}` } : repository
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag)
}

export function isDigest(value: string): boolean {
  return DIGEST_RE.test(value)
}

/**
 * An existing image: a reference with optional tag and/or digest (`alice/app:v1`,
 * `alice/app@sha256:…`), or a local image ID (`sha256:…`, or its short hex form).
 */
export function parseImageReference(input: string): Parsed<string> {
  const ref = input.trim()
  if (IMAGE_ID_RE.test(ref)) return { ok: true, value: ref }
  let name = ref
  const at = name.indexOf('@')
  if (at >= 0) {
    if (!isDigest(name.slice(at + 1)))
      return fail(`'${ref}' has an invalid digest`, 'write it as name@sha256:<64 hex digits>')
    name = name.slice(0, at)
  }
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  if (colon > slash) {
    const tag = name.slice(colon + 1)
    if (!isValidTag(tag)) return fail(`'${ref}' has an invalid tag '${tag}'`, tagFix)
    name = name.slice(0, colon)
  }
  const repo = parseRepository(name)
  return repo.ok ? { ok: true, value: ref } : repo
}

/**
 * A reference in the one form docker resolves it to, for telling two spellings of
 * one image apart: `docker.io/library/app:latest` for `app`, `docker.io/x/app:v1`
 * for `x/app:v1` and `index.docker.io/x/app:v1`. An image ID stays as it is.
 */
export function canonicalReference(ref: string): string {
  if (IMAGE_ID_RE.test(ref)) return ref
  const at = ref.indexOf('@')
  const digest = at < 0 ? '' : ref.slice(at)
  let name = at < 0 ? ref : ref.slice(0, at)
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  const tag = colon > slash ? name.slice(colon) : digest === '' ? ':latest' : ''
  if (colon > slash) name = name.slice(0, colon)
  const { domain, rest } = splitDomain(name)
  const host = normalizeRegistry(domain ?? DOCKER_HUB)
  const path = host === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest
  return `${host}/${path.toLowerCase()}${tag}${digest}`
}

export const tagFix = `a tag is 1 to ${TAG_MAX} characters of letters, digits, _ . and -, not starting with . or -`

function fail(problem: string, fix: string): { ok: false; problem: string; fix: string } {
  return { ok: false, problem, fix }
}
