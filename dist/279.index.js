export const id = 279;
export const ids = [279];
export const modules = {

/***/ 4279:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ main),
  run: () => (/* binding */ run),
  start: () => (/* binding */ start)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 8 modules
var core = __webpack_require__(6058);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: ./src/runner/state.ts
var state = __webpack_require__(6003);
;// CONCATENATED MODULE: ./src/docker/children.ts
// Every process the run starts (docker, pigz, zstd) starts here, so that none
// outlives the run: on SIGINT/SIGTERM they are stopped, and waited for, before the
// credentials are removed. Children get the step's environment without the
// action's inputs, so INPUT_PASSWORD and INPUT_SECRETS reach no docker process.
//
// Why node:child_process and not @actions/exec, which the project's design names:
// @actions/exec runs a command to its exit code and never hands out the child. This
// run must signal each child's process group when the job is cancelled, and wait for
// it before the login is removed; start a child in a group of its own (detached);
// give a child a file descriptor as its standard input (a tarball to load) and pipe
// one child's output into another's input as a stream (docker image save | pigz);
// and print its own escaped command line instead of exec's raw one. None of that is
// possible through exec(), so every process starts here, and only here.



const live = new Set();
let stopping = false;
let marker = {};
/**
 * Marks every child from now on with RUN_MARKER=<the run's temp folder>, so the
 * post step can find and stop one that outlived a main step killed outright.
 */
function markChildren(temp) {
    marker = { [state/* RUN_MARKER */.xO]: temp };
}
/**
 * The environment every child gets: the step's, without INPUT_* (the inputs,
 * secrets among them) and the runner's tokens, with the run's marker, plus `extra`.
 */
function childEnvironment(extra = {}) {
    const env = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (value !== undefined && !key.startsWith('INPUT_') && !RUNNER_SECRETS.includes(key))
            env[key] = value;
    }
    return { ...env, ...marker, ...extra };
}
/**
 * The runner's own tokens in a JavaScript action's environment: its cache and
 * artifact service token, and the OIDC token request. No child gets them, but the
 * one command that must (a build with the gha cache; keyless cosign), through its
 * own RunOptions.env.
 */
const RUNNER_SECRETS = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
/** Starts `command` and keeps it in the list of this run's children until it exits. */
function startChild(command, args, options) {
    if (stopping)
        throw new Error('the run is being stopped; no new command is started');
    // Its own process group, so that stopping it stops what it started too (a plugin, a shell's children).
    const child = (0,external_node_child_process_.spawn)(command, args, { ...options, detached: true });
    live.add(child);
    child.once('exit', () => live.delete(child));
    child.once('error', () => live.delete(child));
    return child;
}
/** Whether the run is being stopped (a cancelled job): a failure now is not worth a retry. */
function isStopping() {
    return stopping;
}
/**
 * Stops every child still running: SIGTERM (docker then cancels its request, so
 * a push in flight is abandoned), SIGKILL after `graceMs`. Resolves once all have
 * exited. No child is started after this is called.
 */
async function stopChildren(graceMs = 3000) {
    stopping = true;
    const running = [...live].filter((c) => c.exitCode === null && c.signalCode === null);
    if (running.length === 0)
        return;
    const exited = running.map((c) => new Promise((resolve) => c.once('exit', () => resolve())));
    for (const child of running)
        signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => {
        for (const child of running)
            signalGroup(child, 'SIGKILL');
    }, graceMs);
    await Promise.all(exited);
    clearTimeout(timer);
    // What the children started may outlive them by a moment: their groups get SIGKILL too.
    for (const child of running)
        signalGroup(child, 'SIGKILL');
}
/** Sends `signal` to the child's process group (the child and what it started), or to the child alone. */
function signalGroup(child, signal) {
    try {
        if (child.pid !== undefined)
            process.kill(-child.pid, signal);
    }
    catch {
        child.kill(signal);
    }
}
/**
 * Runs `program args` with `input` (if any) as its standard input. A pipe from another
 * child (docker's output) is given to it as it is, so the two processes talk
 * directly and Node copies only what comes out.
 */
function filterThrough(program, args, input) {
    const direct = input !== undefined && hasDescriptor(input);
    const child = startChild(program, args, {
        env: childEnvironment(),
        stdio: [input === undefined ? 'ignore' : direct ? input : 'pipe', 'pipe', 'pipe']
    });
    if (direct)
        input.destroy();
    else if (input && child.stdin)
        input.pipe(child.stdin);
    // A program that stops reading breaks the pipe: its exit code says why, not an EPIPE.
    child.stdin?.on('error', () => undefined);
    const name = external_node_path_.basename(program);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const done = new Promise((resolve, reject) => {
        child.once('error', (err) => reject(new Error(`${name} could not start: ${err.message}`)));
        child.once('close', (code, signal) => {
            if (code === 0)
                resolve();
            else
                reject(new Error(`${name} failed (${signal ?? `exit code ${code}`}): ${stderr.trim() || 'no error output'}`));
        });
    });
    return { output: child.stdout, done, stop: () => signalGroup(child, 'SIGKILL') };
}
/** Whether the stream is a pipe with a file descriptor that a child process can be given. */
function hasDescriptor(stream) {
    const handle = stream._handle;
    return typeof handle?.fd === 'number' && handle.fd >= 0;
}

// EXTERNAL MODULE: ./src/runner/log.ts
var log = __webpack_require__(7708);
;// CONCATENATED MODULE: ./src/docker/cleanup.ts
// Paths this run must not leave behind (its temp folder with the credentials, a
// half-written tarball). They are removed when the run ends, and also when the
// runner stops the step with SIGINT/SIGTERM (a cancelled job): then the run's
// docker processes are stopped first, so none of them can write a credential
// or push a tag after the folder is gone.





const paths = new Set();
/** The list goes into the step's state too, so the post step removes what a killed main step left. */
function saved() {
    core/* saveState */.LZ(state/* STATE_PATHS */.$t, JSON.stringify([...paths]));
}
function track(path) {
    paths.add(path);
    saved();
}
function untrack(path) {
    if (paths.delete(path))
        saved();
}
function remove(path) {
    external_node_fs_.rmSync(path, { recursive: true, force: true });
    untrack(path);
}
function removeAll() {
    for (const path of [...paths])
        remove(path);
}
/** The paths still tracked (for the tests). */
function tracked() {
    return [...paths];
}
let installed = false;
/** On SIGINT/SIGTERM: stop the run's docker processes, remove what is tracked, then exit as the signal would. */
function removeOnSignals() {
    if (installed)
        return;
    installed = true;
    let stopping = false;
    for (const signal of ['SIGINT', 'SIGTERM']) {
        // A second signal (the runner follows SIGINT with SIGTERM) must not cut the clean-up short.
        process.on(signal, () => {
            if (stopping)
                return;
            stopping = true;
            void stopAndExit(signal);
        });
    }
}
async function stopAndExit(signal) {
    await stopChildren();
    removeAll();
    log/* info */.pq(`Stopped by ${signal}; stopped this run's docker commands and removed its temporary files and credentials.`);
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
}

;// CONCATENATED MODULE: ./src/domain/reference.ts
// The docker reference grammar (github.com/distribution/reference), as far as
// ship-image needs it: repositories (no tag, no digest), tag names and full
// references. Pure: no I/O.
const DOCKER_HUB = 'docker.io';
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
/** The longest tag docker accepts. */
const TAG_MAX = 128;
const TAG_RE = new RegExp(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,${TAG_MAX - 1}}$`);
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const IMAGE_ID_RE = /^(?:sha256:)?[a-f0-9]{12,64}$/;
/** distribution/reference's NameTotalLengthMax. */
const NAME_MAX = 255;
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
/** The first component of a name with more than one, which may be a registry host. */
function firstComponent(name) {
    const slash = name.indexOf('/');
    return slash < 0 ? undefined : name.slice(0, slash);
}
/** A first component that names a registry host: it has a `.` or `:`, or is `localhost`. */
function isHostLike(component) {
    return /[.:]/.test(component) || component === 'localhost';
}
/** Docker's own rule: the first component is a host when it is host-like, or has uppercase. */
function splitDomain(name) {
    const first = firstComponent(name);
    if (first === undefined || !(isHostLike(first) || first !== first.toLowerCase()))
        return { domain: undefined, rest: name };
    return { domain: first, rest: name.slice(first.length + 1) };
}
/** The registry an image reference goes to, for messages: its host, or `docker.io`. */
function registryOf(ref) {
    const first = firstComponent(ref);
    return first !== undefined && isHostLike(first) ? first : DOCKER_HUB;
}
/** Normalises a registry host for comparison: Docker Hub's aliases become `docker.io`. */
function normalizeRegistry(host) {
    const lower = host.toLowerCase();
    return HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}
/**
 * A registry as written in an input or as a docker config key (`ghcr.io`,
 * `https://index.docker.io/v1/`, `localhost:5000`): the host as written (the scheme
 * and the API path `/v1/` or `/v2/` dropped), the host normalised for comparison
 * (normalizeRegistry), and any other path that was left after it.
 */
function registryHost(value) {
    const rest = value.replace(/^https?:\/\//i, '');
    const slash = rest.indexOf('/');
    const written = slash < 0 ? rest : rest.slice(0, slash);
    const path = (slash < 0 ? '' : rest.slice(slash)).replace(/^\/(?:v1|v2)?\/?$/, '');
    return { written, host: normalizeRegistry(written), path };
}
/** A host with an optional port from 1 to 65535. */
function isValidDomain(domain) {
    if (!DOMAIN_RE.test(domain))
        return false;
    const port = /:(\d+)$/.exec(domain)?.[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}
/**
 * Parses a repository name without tag or digest: `alice/app`, `ghcr.io/org/app`,
 * `localhost:5000/app`. A name without a host goes to `defaultRegistry`: its name
 * gets that host in front unless it is Docker Hub.
 */
function parseRepository(input, defaultRegistry = DOCKER_HUB) {
    const name = input.trim();
    if (name === '')
        return fail('is empty', 'write a repository such as alice/app or ghcr.io/org/app');
    if (/\s/.test(name))
        return fail(`'${name}' contains white space`, 'remove the spaces');
    if (name.includes('@')) {
        return fail(`'${name}' has a digest`, 'list repositories without @sha256:…; the digest comes from the push');
    }
    const { domain, rest } = splitDomain(name);
    const lastPart = rest.slice(rest.lastIndexOf('/') + 1);
    if (lastPart.includes(':')) {
        const repo = name.slice(0, name.length - (lastPart.length - lastPart.indexOf(':')));
        return fail(`'${name}' has a tag`, `write the repository '${repo}' in images and the tag in tags`);
    }
    if (domain !== undefined && !isValidDomain(domain)) {
        return fail(`'${domain}' is not a valid registry host`, 'use a host name with an optional :port');
    }
    if (name !== name.toLowerCase()) {
        return fail(`'${name}' has uppercase letters; docker repository names are lowercase`, `write it as '${name.toLowerCase()}'`);
    }
    const bad = rest.split('/').find((c) => !PATH_COMPONENT_RE.test(c));
    if (bad !== undefined) {
        return fail(`'${name}' has an invalid path component '${bad}'`, 'use lowercase letters, digits and single separators (. _ __ -) between them, separated by /');
    }
    const host = normalizeRegistry(domain ?? defaultRegistry);
    const path = host === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;
    const fullName = domain === undefined && host !== DOCKER_HUB ? `${host}/${name}` : name;
    if (fullName.length > NAME_MAX)
        return fail(`'${fullName.slice(0, 40)}…' is longer than ${NAME_MAX} characters`, 'shorten it');
    return { ok: true, value: { name: fullName, domain: host, path } };
}
/** A Docker Hub name without an account (`app`, `docker.io/app`), which docker reads as the official `library/app`. */
function isImplicitLibrary(repository) {
    return (repository.domain === DOCKER_HUB && repository.path.startsWith('library/') && !repository.name.includes('library/'));
}
/**
 * The repository name with its path lowercased (`ghcr.io/Octo-Org/App` →
 * `ghcr.io/octo-org/app`, as `github.repository` often needs). A host with
 * uppercase letters is refused instead: it is written by hand, not derived.
 */
function lowercaseRepository(input) {
    const name = input.trim();
    const first = firstComponent(name);
    const host = first !== undefined && isHostLike(first) ? first : '';
    if (host !== host.toLowerCase())
        return fail(`the registry host '${host}' has uppercase letters`, `write it as '${host.toLowerCase()}'`);
    return { ok: true, value: name.toLowerCase() };
}
/**
 * An image reference with its repository lowercased as lowercaseRepository does
 * (`ghcr.io/Octo-Org/App:Main` → `ghcr.io/octo-org/app:Main`): the tag and the
 * digest keep their case, since a tag may hold uppercase letters.
 */
function lowercaseReference(input) {
    const ref = input.trim();
    const at = ref.indexOf('@');
    const name = at < 0 ? ref : ref.slice(0, at);
    const slash = name.lastIndexOf('/');
    const colon = name.lastIndexOf(':');
    const end = colon > slash ? colon : name.length;
    const repository = lowercaseRepository(name.slice(0, end));
    return repository.ok ? { ok: true, value: `${repository.value}${ref.slice(end)}` } : repository;
}
function isValidTag(tag) {
    return TAG_RE.test(tag);
}
function isDigest(value) {
    return DIGEST_RE.test(value);
}
/**
 * An existing image: a reference with optional tag and/or digest (`alice/app:v1`,
 * `alice/app@sha256:…`), or a local image ID (`sha256:…`, or its short hex form).
 */
function parseImageReference(input) {
    const ref = input.trim();
    if (IMAGE_ID_RE.test(ref))
        return { ok: true, value: ref };
    let name = ref;
    const at = name.indexOf('@');
    if (at >= 0) {
        if (!isDigest(name.slice(at + 1)))
            return fail(`'${ref}' has an invalid digest`, 'write it as name@sha256:<64 hex digits>');
        name = name.slice(0, at);
    }
    const slash = name.lastIndexOf('/');
    const colon = name.lastIndexOf(':');
    if (colon > slash) {
        const tag = name.slice(colon + 1);
        if (!isValidTag(tag))
            return fail(`'${ref}' has an invalid tag '${tag}'`, tagFix);
        name = name.slice(0, colon);
    }
    const repo = parseRepository(name);
    return repo.ok ? { ok: true, value: ref } : repo;
}
/**
 * A reference in the one form docker resolves it to, for telling two spellings of
 * one image apart: `docker.io/library/app:latest` for `app`, `docker.io/x/app:v1`
 * for `x/app:v1` and `index.docker.io/x/app:v1`. An image ID stays as it is.
 */
function canonicalReference(ref) {
    if (IMAGE_ID_RE.test(ref))
        return ref;
    const at = ref.indexOf('@');
    const digest = at < 0 ? '' : ref.slice(at);
    let name = at < 0 ? ref : ref.slice(0, at);
    const slash = name.lastIndexOf('/');
    const colon = name.lastIndexOf(':');
    const tag = colon > slash ? name.slice(colon) : digest === '' ? ':latest' : '';
    if (colon > slash)
        name = name.slice(0, colon);
    const { domain, rest } = splitDomain(name);
    const host = normalizeRegistry(domain ?? DOCKER_HUB);
    const path = host === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;
    return `${host}/${path.toLowerCase()}${tag}${digest}`;
}
const tagFix = `a tag is 1 to ${TAG_MAX} characters of letters, digits, _ . and -, not starting with . or -`;
function fail(problem, fix) {
    return { ok: false, problem, fix };
}

;// CONCATENATED MODULE: ./src/docker/credentials.ts
// This run's own DOCKER_CONFIG: the only place `docker login` writes the
// credentials. The user's config is read (never written) to carry over what the
// CLI needs from it: other registries' logins, CLI plugins (buildx), contexts,
// aliases. Removed at the end of the run and again by the post step.



/** The key docker files a registry's login under: Docker Hub's index URL, else the host. */
function loginKey(registry) {
    return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
}
/**
 * The user's config.json, made safe for this run: no credential helper or stored
 * login for the registries the run logs in to, so `docker login` writes the new
 * credentials into this run's folder and nowhere else. The user's credential
 * store (`credsStore`: desktop, ecr-login, pass…) stays for every other registry;
 * the run's own registries are routed to this config file by an empty helper name
 * in `credHelpers`, which docker reads before `credsStore`. Pure.
 */
function seedConfig(user, registries) {
    const list = typeof registries === 'string' ? [registries] : registries;
    const ours = new Set(list);
    const seed = { ...user };
    const others = (entries) => entries && Object.fromEntries(Object.entries(entries).filter(([key]) => !ours.has(registryHost(key).host)));
    if (user.auths)
        seed.auths = others(user.auths);
    if (user.credHelpers)
        seed.credHelpers = others(user.credHelpers);
    if (typeof user.credsStore === 'string' && user.credsStore !== '' && list.length > 0) {
        seed.credHelpers = { ...seed.credHelpers, ...Object.fromEntries(list.map((r) => [loginKey(r), ''])) };
    }
    return seed;
}
/**
 * Makes `<parent>/docker-config` (mode 0700) for this run, seeded from the
 * user's config folder `user`, and returns the environment every docker command
 * of the run gets. `buildxConfig` keeps buildx's builders where they are. The
 * user's config.json is the one environment.ts read (docker-config.ts).
 */
function createDockerConfig(parent, registries, user, buildxConfig, plugins) {
    const dir = external_node_path_.join(parent, 'docker-config');
    external_node_fs_.mkdirSync(dir, { mode: 0o700 });
    const seed = seedConfig(user.json, registries);
    // A run's own plugin folder (buildx-version) holds every plugin the CLI is to find, first.
    if (plugins !== undefined)
        delete seed.cliPluginsExtraDirs;
    external_node_fs_.writeFileSync(external_node_path_.join(dir, 'config.json'), JSON.stringify(seed, null, 2), { mode: 0o600 });
    const plugged = plugins ?? external_node_path_.join(user.dir, 'cli-plugins');
    if (external_node_fs_.existsSync(plugged))
        external_node_fs_.symlinkSync(plugged, external_node_path_.join(dir, 'cli-plugins'));
    const contexts = external_node_path_.join(user.dir, 'contexts');
    if (external_node_fs_.existsSync(contexts))
        external_node_fs_.symlinkSync(contexts, external_node_path_.join(dir, 'contexts'));
    // buildx keeps its builders under $DOCKER_CONFIG/buildx unless told otherwise.
    return { dir, env: { DOCKER_CONFIG: dir, BUILDX_CONFIG: buildxConfig } };
}

;// CONCATENATED MODULE: ./src/domain/errors.ts
// The errors a run can end with. Each message is a plain sentence for `::error::`.
/** A docker command (or the work around one, such as writing the tarball) failed. */
class DockerError extends Error {
    annotation;
    constructor(message, 
    /** Where the fault is in the user's files (a Dockerfile line), for an annotation. */
    annotation) {
        super(message);
        this.annotation = annotation;
        this.name = 'DockerError';
    }
}
/** The engine is not running or DOCKER_HOST points at nothing; retrying or annotating cannot help. */
class EngineUnreachable extends DockerError {
}

;// CONCATENATED MODULE: ./src/docker/failures.ts
// Whether a failed docker command is worth another attempt: a registry fault of the
// moment (a 5xx, a 429, a dropped connection) is, a refused login or a missing
// image is not. Read from docker's error output, with the names in it blanked, and
// the registry's Retry-After where docker shows it. Pure.
//
// The rules come from what docker really prints (clients 20.10 to 28, through
// __tests__/e2e/fault-proxy.ts, and a plain registry under concurrent pushes); the
// unit tests hold those strings as fixtures.
/** The engine is not there: not running, or DOCKER_HOST points at nothing. */
const ENGINE_DOWN = /Cannot connect to the Docker daemon|error during connect|dial unix \S+docker\.sock: connect/;
/**
 * Faults that trying again cannot fix. Checked first: when the output holds both
 * (a build step failed because its own download was refused, say), it is permanent.
 */
const PERMANENT = [
    { test: ENGINE_DOWN, reason: 'the Docker engine is not reachable' },
    {
        test: /permission denied while trying to connect to the Docker daemon/i,
        reason: 'this user may not use the Docker engine (permission denied)'
    },
    // login: "login attempt to http://…/v2/ failed with status: 401 Unauthorized"
    {
        test: /\b401 Unauthorized\b|(?:status(?: code)?:?|HTTP)\s*401\b/i,
        reason: 'the registry refused the credentials (401 Unauthorized)'
    },
    {
        test: /\b403 Forbidden\b|(?:status(?: code)?:?|HTTP)\s*403\b/i,
        reason: 'the registry refused access (403 Forbidden)'
    },
    { test: /\bunauthorized\b/i, reason: 'the registry refused the credentials (unauthorized)' },
    { test: /\bauthentication required\b/i, reason: 'the registry requires authentication' },
    // "denied: requested access to the resource is denied" (Docker Hub), "denied: permission_denied: …" (GHCR)
    { test: /\bdenied:|requested access to the resource is denied/i, reason: 'the registry denied access' },
    // engine 28 with the containerd image store prints the registry's error document, not the
    // status: "error from registry: denied\ndenied" (403 DENIED)
    { test: /^error from registry: denied$/m, reason: 'the registry denied access' },
    {
        test: /\bname unknown\b|\bNAME_UNKNOWN\b|\brepository name not known to registry\b/i,
        reason: 'the repository does not exist (name unknown)'
    },
    { test: /\bmanifest unknown\b|\bMANIFEST_UNKNOWN\b/i, reason: 'the image or tag does not exist (manifest unknown)' },
    // client 28: "invalid reference format: repository name (Exp/Upper) must be lowercase"; 20.10: without the name
    { test: /\brepository name (?:\S+ )?must be lowercase\b/i, reason: 'the repository name is not lowercase' },
    { test: /\binvalid reference format\b/i, reason: 'the image reference is not valid' },
    // push with no login to a registry that wants one
    { test: /\bno basic auth credentials\b/i, reason: 'no credentials for the registry' },
    { test: /\bno such image\b/i, reason: 'the image does not exist locally (no such image)' },
    {
        test: /\bAn image does not exist locally with the tag\b|\breference does not exist\b/i,
        reason: 'the image does not exist locally'
    },
    // Dockerfile and build-step failures (legacy builder and BuildKit).
    {
        test: /dockerfile parse error|\bunknown instruction\b|Cannot locate specified Dockerfile|failed to read dockerfile|unable to prepare context|returned a non-zero code|did not complete successfully|failed to compute cache key|\bCOPY failed\b|\bADD failed\b/i,
        reason: 'the Dockerfile or one of its steps failed'
    },
    // Configuration of the connection itself, not a fault of the moment.
    {
        test: /\bx509:|certificate signed by unknown authority|certificate is not valid/i,
        reason: 'the registry TLS certificate is not trusted'
    },
    {
        test: /server gave HTTP response to HTTPS client/i,
        reason: 'the registry speaks plain HTTP where HTTPS was expected'
    },
    // NXDOMAIN: the name does not exist. A typo or a missing DNS record stays so on the
    // next attempt; a lookup that timed out or failed server-side is transient (below).
    { test: /\bno such host\b/i, reason: 'the registry host name does not resolve (no such host)' },
    { test: /\bpermission denied\b/i, reason: 'permission denied' }
];
const STATUS_TEXT = {
    '408': 'Request Timeout',
    '429': 'Too Many Requests',
    '500': 'Internal Server Error',
    '502': 'Bad Gateway',
    '503': 'Service Unavailable',
    '504': 'Gateway Timeout'
};
/** "503 Service Unavailable", from the status and whatever text docker printed after it. */
function statusPhrase(code, text) {
    const printed = text?.trim();
    return `${code} ${printed && printed.length > 0 ? printed : (STATUS_TEXT[code] ?? 'error')}`;
}
/** The status code of a status text docker printed alone ("Service Unavailable" → 503). */
function codeOfText(text) {
    const key = text.toLowerCase().replace('time-out', 'timeout');
    return Object.keys(STATUS_TEXT).find((code) => STATUS_TEXT[code].toLowerCase() === key) ?? '';
}
/** Faults of the moment: the registry or the network may well answer next time. */
const TRANSIENT = [
    // push/pull: "received unexpected HTTP status: 503 Service Unavailable"
    // login:     "login attempt to http://…/v2/ failed with status: 503 Service Unavailable"
    // BuildKit:  "unexpected status code [manifests v1]: 503 Service Unavailable", "unexpected status: 502 Bad Gateway"
    // engine 26: "unexpected status from HEAD request to http://…/manifests/v1: 500 Internal Server Error" (the URL blanked)
    {
        test: /\b(?:[Ss]tatus(?: code)?(?: \[[^\]]*\])?:?|status from [A-Z]+ request to \S+|HTTP(?: [Ss]tatus)?:?)\s*(408|429|500|502|503|504|52[0-4])\b(?:[ \t]+([A-Z][A-Za-z-]*(?: [A-Z][A-Za-z-]*){0,3}))?/,
        reason: (m) => `the registry answered ${statusPhrase(m[1], m[2])}`
    },
    // A manifest PUT naming a layer the registry does not have (yet): another push of the same layer
    // still writing it, or a registry whose storage is eventually consistent. The next push uploads it.
    {
        test: /\bmanifest blob unknown\b/,
        reason: 'the registry did not have a layer the manifest names (manifest blob unknown)'
    },
    // The same race where the layer's record was half-written ("invalid checksum digest format" in the
    // registry's log), alone; on a blob upload, content that changed on the way.
    { test: /^digest invalid\b/m, reason: 'the registry could not verify a digest (digest invalid)' },
    // Engine 28 with the containerd image store prints the registry's error document instead
    // of the status: its message, or the code alone where the message is the code's own.
    // "error from registry: unavailable\nunavailable" (503 UNAVAILABLE), "… unknown\nunknown"
    // (500 UNKNOWN, the registry's internal error), and the two races above. A 429 or a 503
    // whose message is the registry's own prose ("slow down") cannot be told apart: not retried.
    {
        test: /^error from registry: (?:service )?unavailable$/m,
        reason: 'the registry answered 503 Service Unavailable (UNAVAILABLE)'
    },
    { test: /^error from registry: unknown$/m, reason: 'the registry reported an internal error (UNKNOWN)' },
    {
        test: /^error from registry: blob unknown to registry\b/m,
        reason: 'the registry did not have a layer the manifest names (blob unknown)'
    },
    {
        test: /^error from registry: provided digest did not match uploaded content\b/m,
        reason: 'the registry could not verify a digest (digest invalid)'
    },
    // "error parsing HTTP 429 response body: invalid character 'T' …" (a 429 or 408 without a JSON error body)
    {
        test: /\bHTTP (408|429|500|502|503|504) response body\b/,
        reason: (m) => `the registry answered ${statusPhrase(m[1], undefined)}`
    },
    // "toomanyrequests", "toomanyrequests: You have reached your pull rate limit…", "TOOMANYREQUESTS"
    {
        test: /\btoo ?many ?requests\b|\brate limit(?:ed)? exceeded\b|\bRate exceeded\b/i,
        reason: 'the registry answered 429 Too Many Requests'
    },
    // Engine 26 prints the status text alone ("… Service Unavailable"): the code goes back in front, as engine 20.10 has it.
    {
        test: /\b(Service Unavailable|Bad Gateway|Gateway Time-?out)\b/i,
        reason: (m) => `the registry answered ${statusPhrase(codeOfText(m[1]), m[1])}`
    },
    // Network: "dial tcp 127.0.0.1:5000: connect: connection refused"
    { test: /\bconnection refused\b/i, reason: 'connection refused' },
    // "read tcp …: read: connection reset by peer"
    { test: /\bconnection reset\b/i, reason: 'the connection was reset' },
    { test: /\bbroken pipe\b/i, reason: 'the connection broke (broken pipe)' },
    // A layer upload whose connection was reset: "write tcp …: use of closed network connection"
    { test: /\buse of closed network connection\b/i, reason: 'the connection was closed during the transfer' },
    { test: /\bTLS handshake timeout\b/i, reason: 'TLS handshake timeout' },
    { test: /\bi\/o timeout\b/i, reason: 'the network timed out (i/o timeout)' },
    { test: /\bcontext deadline exceeded\b|Client\.Timeout exceeded/i, reason: 'the request timed out' },
    { test: /\bnet\/http: request canceled\b/i, reason: 'the request was cancelled (timeout)' },
    { test: /\bunexpected EOF\b/i, reason: 'the connection ended early (unexpected EOF)' },
    // A request whose connection closed before any answer: `Put "http://…/manifests/v1": EOF`
    { test: /": EOF\s*$|: EOF$/m, reason: 'the registry closed the connection (EOF)' },
    // DNS failures of the moment (SERVFAIL, EAI_AGAIN), unlike "no such host".
    { test: /\bserver misbehaving\b|Temporary failure in name resolution/i, reason: 'the DNS lookup failed for now' }
];
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 };
function unitMs(unit) {
    if (!unit)
        return 1000;
    const u = unit.toLowerCase();
    if (u === 'ms' || u.startsWith('milli'))
        return UNIT_MS.ms;
    if (u === 'm' || u.startsWith('min'))
        return UNIT_MS.m;
    return UNIT_MS.s;
}
const NUMBER = String.raw `(\d+(?:\.\d+)?)\s*(ms|milliseconds?|msecs?|s|secs?|seconds?|m|mins?|minutes?)?\b`;
/**
 * Retry-After, in whatever form it might reach docker's output: the header
 * ("Retry-After: 5", "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT") or a message
 * ("retry after 5s", "please retry in 10 seconds", "try again in 2 minutes").
 * Not docker's own progress lines ("Retrying in 5 seconds": the engine's layer retry).
 */
function parseRetryAfter(output, now) {
    const patterns = [
        new RegExp(String.raw `\bretry[- _]after["']?\s*[:=]?\s*["']?` + NUMBER, 'i'),
        new RegExp(String.raw `\b(?:retry|try again) in\s+` + NUMBER, 'i')
    ];
    for (const re of patterns) {
        const m = re.exec(output);
        if (m)
            return Math.round(Number(m[1]) * unitMs(m[2]));
    }
    const date = /\bretry[- _]after\s*:\s*((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT)/i.exec(output);
    if (date && now !== undefined) {
        const at = Date.parse(date[1]);
        if (!Number.isNaN(at))
            return Math.max(0, at - now);
    }
    return undefined;
}
/** Words with a `/` that the rules read; every other such word is a name, a path or a URL. */
const KEPT_WORDS = new Set(['i/o', 'net/http:']);
/**
 * The error output with the names in it blanked out: quoted strings (URLs),
 * bracketed repositories and every word with a `/` (references, paths). A
 * repository called `unauthorized-app` must not read as a refused login.
 */
function withoutNames(output) {
    return output
        .replace(/"[^"\n]*"/g, '"…"')
        .replace(/\[[^\]\n]*\]/g, '[…]')
        .replace(/\S*\/\S*/g, (word) => (KEPT_WORDS.has(word) ? word : '…'));
}
/**
 * Decides from a failed docker command's error output (stderr) whether trying
 * again can help. Names in it are not read (withoutNames). Permanent faults win
 * over transient ones; output that matches neither is not retried. `now` (ms
 * since the epoch) is only used for a Retry-After given as an HTTP date.
 */
function classifyFailure(errorOutput, now) {
    const output = withoutNames(errorOutput);
    for (const rule of PERMANENT) {
        const m = rule.test.exec(output);
        if (m)
            return { transient: false, reason: typeof rule.reason === 'string' ? rule.reason : rule.reason(m) };
    }
    for (const rule of TRANSIENT) {
        const m = rule.test.exec(output);
        if (m) {
            const reason = typeof rule.reason === 'string' ? rule.reason : rule.reason(m);
            const retryAfterMs = parseRetryAfter(errorOutput, now);
            return retryAfterMs === undefined ? { transient: true, reason } : { transient: true, reason, retryAfterMs };
        }
    }
    return { transient: false, reason: 'no transient registry or network fault in the output' };
}

;// CONCATENATED MODULE: ./src/docker/output.ts
// What docker prints, read: the digest line of a push, what a load loaded, the
// meaningful end of a failed command's output, whether the engine is there at all,
// the words for a failed login, a build's cache hits, and what a failed buildx push
// had pushed. Whether a failure is worth another attempt is failures.ts's. Pure.
//
// The patterns come from what the docker CLI really prints (clients 20.10 to 28
// against engines 20.10 to 28, through __tests__/e2e/fault-proxy.ts); the unit
// tests hold those strings as fixtures. Push and pull messages are written by the
// engine, so every client prints the same text.



/** The manifest digest docker prints at the end of a push: `v1: digest: sha256:… size: 1234`. */
function pushedDigest(output) {
    const matches = [...output.matchAll(/digest: (sha256:[a-f0-9]{64})/g)];
    return matches.length > 0 ? matches[matches.length - 1][1] : undefined;
}
/**
 * What `docker load` says it loaded: `Loaded image: app:v1` per tag, `Loaded image
 * ID: sha256:…` for an image without one.
 */
function loadedImages(output) {
    const refs = [...output.matchAll(/^Loaded image: (\S+)\s*$/gm)].map((m) => m[1]);
    const ids = [...output.matchAll(/^Loaded image ID: (sha256:[a-f0-9]{64})\s*$/gm)].map((m) => m[1]);
    return { refs, ids };
}
/**
 * What a `buildx build --push` had pushed when it failed: BuildKit's progress line
 * `#6 pushing manifest for localhost:5000/app:v1@sha256:… 0.0s done`, per tag that
 * the registry took (its line without `done` is a push still under way).
 */
function pushedManifests(output) {
    const done = /^#\d+ pushing manifest for (\S+)@(sha256:[a-f0-9]{64})(?: [\d.]+s)? done$/gm;
    // BuildKit also closes the line of a manifest upload whose last try failed with `done`; its
    // error then names the reference: `failed to push <ref>: …`.
    return [...output.matchAll(done)]
        .map((m) => ({ ref: m[1], digest: m[2] }))
        .filter(({ ref }) => !output.includes(`failed to push ${ref}: `));
}
/** A build whose image name another build took at the same moment (the containerd image store's exporter). */
const NAME_TAKEN = /failed to solve: image "[^"]+": already exists/;
/** Lines docker prints that are noise in an error message. */
const NOISE = [
    /^DEPRECATED: The legacy builder/,
    /^\s+Install the buildx component/,
    /^\s+https:\/\/docs\.docker\.com\/go\/buildx/,
    /^WARNING! Your credentials are stored unencrypted/,
    /^Configure a credential helper/,
    /^https:\/\/docs\.docker\.com\/go\/credential-store/
];
/** `manifest unknown: manifest unknown`, as docker doubles a registry's error code and message, once. */
function undouble(text) {
    return text.replace(/(\b[^:|]{3,}): \1\b/g, '$1');
}
/** The last few meaningful lines of a command's error output, with any URL's credentials hidden (shownArg). */
function errorSummary(stderr, stdout = '') {
    const lines = (stderr.trim() === '' ? stdout : stderr)
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l.trim() !== '' && !NOISE.some((re) => re.test(l)));
    // BuildKit prints its progress on stderr too: its own error line is where the reason starts.
    const error = lines.findIndex((l) => /^ERROR: /.test(l));
    const shown = error >= 0 ? lines.slice(error, error + 4) : lines.slice(-4);
    return (0,log/* shownArg */.iN)(undouble(shown.join(' | '))) || 'no error output';
}
/** DOCKER_HOST without the user and password it may carry (`tcp://user:pw@host:2376`). */
function shownDockerHost(host) {
    return host.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}
/** A plain sentence for an engine that is not there, not docker's. */
function engineUnreachable(dockerHost) {
    const where = dockerHost ? `DOCKER_HOST=${shownDockerHost(dockerHost)}` : 'the default socket /var/run/docker.sock';
    return new EngineUnreachable(`The Docker engine is not reachable at ${where}. Start the engine (on a self-hosted runner: systemctl start docker), or point DOCKER_HOST at a running one.`);
}
/**
 * The command in a few words: the subcommand and what it acts on (`push
 * ghcr.io/org/app:v1`, `build`, `login ghcr.io`). The full command is in the log.
 */
function shortCommand(args) {
    const words = [];
    for (const arg of args) {
        if (arg.startsWith('-'))
            break;
        words.push(arg);
        if (!['image', 'buildx', 'manifest', 'imagetools', 'container'].includes(arg))
            break;
    }
    const last = args[args.length - 1];
    const subcommand = words[words.length - 1];
    if (['push', 'pull', 'tag', 'create'].includes(subcommand) && args.length > words.length)
        words.push(last);
    if (subcommand === 'login' && last !== undefined && !last.startsWith('-'))
        words.push(last);
    return words.map(log/* shownArg */.iN).join(' ');
}
/**
 * The error for a failed command: the engine-down sentence, or docker's own
 * reason first, then which command it was (not all of it: with many tags the
 * command alone is thousands of characters, and it is in the log already).
 */
function commandFailed(args, exitCode, summary, dockerHost) {
    if (ENGINE_DOWN.test(summary))
        return engineUnreachable(dockerHost);
    return new DockerError(`${summary} (docker ${shortCommand(args)} failed, exit code ${exitCode})`);
}
/**
 * Why a login failed, in words that fit the fault: a refused password is not a
 * registry that is down, a certificate that is not trusted, or a wrong host.
 */
function loginFailure(registry, username, stderr) {
    const said = errorSummary(stderr).replace(/^Error response from daemon: /, '');
    const { transient, reason } = classifyFailure(stderr);
    const credentials = /refused the credentials|refused access|denied|requires authentication/.test(reason);
    const advice = credentials
        ? 'Check the username and password inputs (a token needs permission to push)'
        : transient
            ? `The registry did not answer the login (${reason}); check that ${registry} is the right host and port, and that it is up`
            : /TLS certificate|plain HTTP|does not resolve/.test(reason)
                ? `${reason[0].toUpperCase()}${reason.slice(1)}; check the registry input`
                : 'Check the username and password inputs, and the registry input';
    return new DockerError(`Login to ${registry} as ${username} failed: ${said}. ${advice}.`);
}
/**
 * How many steps of a build the builder took from its cache, as it printed them:
 * BuildKit's `#5 [stage 2/4] RUN …` then `#5 CACHED`, the classic builder's
 * `Step 2/4 : RUN …` then ` ---> Using cache`. A FROM is not counted as a step.
 * A step taken from a registry cache whose layers BuildKit then fetches may lose
 * its `CACHED` line (the fetch's progress reports the step again, not cached, and
 * buildx's printer shows only the last state it saw): the layer fetched under the
 * step's number (`#5 sha256:… 1.08MB / 1.08MB`, `#5 extracting sha256:…`) says it
 * came from the cache, since a step that runs makes its layer and fetches none
 * (an older BuildKit's `#5 sha256:…` alone on its line is the step's own digest).
 * Undefined when the output shows no step (a quiet or unknown builder).
 */
function buildCache(output) {
    const lines = output.split(/\r?\n/);
    const vertices = new Set();
    const cached = new Set();
    let classicSteps = 0;
    let classicCached = 0;
    for (const line of lines) {
        const vertex = /^#(\d+) \[(?:\S+ )?\d+\/\d+\] (\S+)/.exec(line);
        if (vertex && !/^FROM$/i.test(vertex[2]))
            vertices.add(vertex[1]);
        const hit = /^#(\d+) (?:CACHED$|extracting sha256:[a-f0-9]{64}\b|sha256:[a-f0-9]{64} \S+ \/ )/.exec(line.trim());
        if (hit)
            cached.add(hit[1]);
        const step = /^Step \d+\/\d+ : (\S+)/.exec(line);
        if (step && !/^FROM$/i.test(step[1]))
            classicSteps++;
        if (/^ ---> Using cache$/.test(line.trimEnd()))
            classicCached++;
    }
    if (vertices.size > 0)
        return { steps: vertices.size, cached: [...cached].filter((v) => vertices.has(v)).length };
    return classicSteps > 0 ? { steps: classicSteps, cached: classicCached } : undefined;
}

;// CONCATENATED MODULE: ./src/docker/retry.ts
/**
 * 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s. A registry blip (a load balancer
 * restarting a node, a rolling deploy, a short rate limit) passes within seconds
 * to tens of seconds, so a few retries with these delays ride it out, while a CI
 * job never sits idle for more than half a minute between two attempts; an outage
 * longer than that is better reported than waited for. (The engine's own layer
 * retries wait 5, 10, 15 and 20 s.)
 */
const DEFAULT_POLICY = { baseMs: 1000, capMs: 30_000 };
/** A registry's Retry-After is honoured up to this, so a hostile or broken header cannot stall a job. */
const MAX_RETRY_AFTER_MS = 60_000;
/**
 * Delay before retry number `retry` (1 = the first retry): base, 2×base, 4×base…
 * capped at capMs, with "equal jitter" (a random point in the upper half: [d/2, d)),
 * so concurrent jobs spread out yet the wait still grows. A Retry-After hint is a
 * floor, itself capped at MAX_RETRY_AFTER_MS.
 */
function retryDelay(retry, policy, random, hintMs) {
    const n = Math.max(1, Math.floor(retry));
    const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(n - 1, 52));
    const r = Math.min(Math.max(random(), 0), 1);
    const jittered = exponential / 2 + (exponential / 2) * r;
    const floor = hintMs !== undefined && Number.isFinite(hintMs) && hintMs > 0 ? Math.min(hintMs, MAX_RETRY_AFTER_MS) : 0;
    return Math.round(Math.max(jittered, floor));
}
/**
 * Runs `attempt` up to policy.attempts times. Only transient failures are retried; a permanent one is thrown at once, and after the last
 * attempt its error is thrown. A rejected `attempt` (not a failed command) is not
 * retried.
 */
async function withRetries(policy, attempt, hooks) {
    if (!Number.isInteger(policy.attempts) || policy.attempts < 1)
        throw new RangeError(`attempts must be a whole number of at least 1, got ${policy.attempts}`);
    for (let n = 1;; n++) {
        const result = await attempt();
        if (result.ok)
            return result.value;
        if (n >= policy.attempts)
            throw result.error;
        const { classification } = result;
        if (!classification.transient)
            throw result.error;
        const delayMs = retryDelay(n, policy, hooks.random, classification.retryAfterMs);
        hooks.onRetry({ attempt: n, attempts: policy.attempts, reason: classification.reason, delayMs });
        await hooks.sleep(delayMs);
    }
}

;// CONCATENATED MODULE: ./src/docker/docker.ts






const REAL_TIMING = { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: Math.random };
class Docker {
    runner;
    dockerHost;
    timing;
    constructor(runner, 
    /** DOCKER_HOST, for the message about an engine that is not there. */
    dockerHost, timing = REAL_TIMING) {
        this.runner = runner;
        this.dockerHost = dockerHost;
        this.timing = timing;
    }
    /** Runs `docker ...args`; returns the exit code and output, whatever the exit code. */
    tryRun(args, options = {}) {
        return this.runner.run(args, options);
    }
    /** Whether the help that `docker ...helpArgs` prints lists an option: what this CLI or plugin can do. */
    async helpLists(helpArgs, option) {
        const help = await this.tryRun(helpArgs, { silent: true });
        return help.exitCode === 0 && help.stdout.includes(option);
    }
    /** Runs `docker ...args`; throws a DockerError naming the command when it fails. */
    async run(args, options = {}) {
        const result = await this.tryRun(args, options);
        if (result.exitCode !== 0)
            throw this.failed(args, result);
        return result;
    }
    /** The error for a failed command: docker's own reason, or the engine-down sentence. */
    failed(args, result) {
        return commandFailed(args, result.exitCode, errorSummary(result.stderr, result.stdout), this.dockerHost);
    }
    /**
     * Runs a command that talks to a registry (login, pull, push), trying again on
     * transient faults only (a 5xx, a 429, a dropped connection: see failures.ts),
     * with exponential backoff and jitter. Each retry is a warning saying why.
     */
    async runRetrying(args, retry, options = {}) {
        let retries = 0;
        const failure = retry.failure ?? ((r) => this.failed(args, r));
        try {
            return await withRetries({ attempts: retry.attempts, ...DEFAULT_POLICY }, async () => {
                const result = await this.tryRun(args, options);
                if (result.exitCode === 0)
                    return { ok: true, value: result };
                if (ENGINE_DOWN.test(result.stderr))
                    throw engineUnreachable(this.dockerHost);
                const error = failure(result);
                // A command stopped because the job was cancelled is not a fault to retry.
                if (isStopping())
                    throw error;
                // docker prints its error on stderr; its progress on stdout names the repository, not the fault.
                const errorOutput = result.stderr.trim() === '' ? result.stdout : result.stderr;
                const classification = retry.faultIn && !retry.faultIn.test(errorOutput)
                    ? { transient: false, reason: 'the command failed before it reached the registry' }
                    : classifyFailure(errorOutput);
                return { ok: false, classification, error };
            }, {
                sleep: this.timing.sleep,
                random: this.timing.random,
                onRetry: ({ attempt, attempts, reason, delayMs }) => {
                    retries++;
                    log/* warning */.$e(`docker ${args[0]} to ${retry.registry} failed on attempt ${attempt} of ${attempts} (${reason}); trying again in ${(delayMs / 1000).toFixed(1)} s.`);
                }
            });
        }
        catch (err) {
            // An engine that went away during the retries is not a registry that gave up: it keeps its sentence and class.
            if (retries === 0 || !(err instanceof DockerError) || err instanceof EngineUnreachable)
                throw err;
            const gaveUp = `${retry.registry}: gave up after ${retries + 1} attempts`;
            // Into the parentheses that say which command failed, when the message ends with them.
            throw new DockerError(err.message.endsWith(')') ? `${err.message.slice(0, -1)}; ${gaveUp})` : `${err.message} (${gaveUp})`);
        }
    }
    /** `docker ...args` with its standard output as a stream (for `image save`). */
    stream(args) {
        return this.runner.stream(args);
    }
}
/**
 * The docker CLI (`docker`, its path; undefined when it is not on PATH) as a
 * CommandRunner. `extraEnv` (this run's own DOCKER_CONFIG, when it logs in) is
 * given to every command of the run.
 */
function cliRunner(docker, extraEnv, dockerHost) {
    if (docker === undefined) {
        throw new DockerError('The docker CLI is not installed or not on PATH. Run the action on a runner with Docker (ubuntu-latest has it), or install Docker first.');
    }
    const baseEnv = childEnvironment(extraEnv);
    const echo = (args) => `[command]${docker} ${args.map(log/* shownArg */.iN).join(' ')}`;
    return {
        run(args, options) {
            const { onLine, silent = false } = options;
            const quiet = silent || onLine !== undefined;
            if (onLine)
                onLine(echo(args));
            else if (!silent)
                log/* info */.pq(echo(args));
            const { stdin } = options;
            const direct = stdin !== undefined && hasDescriptor(stdin);
            const child = startChild(docker, args, {
                env: options.env ? { ...baseEnv, ...options.env } : baseEnv,
                stdio: [direct ? stdin : 'pipe', 'pipe', 'pipe']
            });
            if (direct)
                stdin.destroy();
            const stdout = [];
            const stderr = [];
            const outLines = onLine && lineSplitter(onLine);
            const errLines = onLine && lineSplitter(onLine);
            // docker's own output (a build's RUN steps among it) reaches the log as it comes, with workflow commands off.
            const raw = quiet ? undefined : log/* untrustedOutput */.a();
            child.stdout?.on('data', (chunk) => {
                stdout.push(chunk);
                if (outLines)
                    outLines.push(chunk);
                else
                    raw?.write(chunk);
            });
            child.stderr?.on('data', (chunk) => {
                stderr.push(chunk);
                if (errLines)
                    errLines.push(chunk);
                else
                    raw?.write(chunk);
            });
            // A command that stops reading (it failed) breaks the pipe: its exit code says why, not an EPIPE.
            child.stdin?.on('error', () => undefined);
            if (stdin && !direct && child.stdin) {
                const input = child.stdin;
                stdin.pipe(input);
                // A stream that fails ends the command's input too, or the command would wait for the rest forever.
                stdin.once('error', () => input.destroy());
            }
            else
                child.stdin?.end(options.input === undefined ? undefined : Buffer.from(options.input));
            return new Promise((resolve) => {
                child.once('error', (err) => resolve({ exitCode: 127, stdout: '', stderr: `could not start docker: ${err.message}` }));
                child.once('close', (code, signal) => {
                    outLines?.flush();
                    errLines?.flush();
                    raw?.end();
                    resolve({
                        exitCode: code ?? (signal ? 128 : 1),
                        stdout: Buffer.concat(stdout).toString('utf8'),
                        stderr: Buffer.concat(stderr).toString('utf8')
                    });
                });
            });
        },
        stream(args) {
            log/* info */.pq(echo(args));
            const child = startChild(docker, args, { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
            let stderr = '';
            child.stderr?.setEncoding('utf8');
            child.stderr?.on('data', (chunk) => (stderr += chunk));
            const done = new Promise((resolve, reject) => {
                child.once('error', (err) => reject(new DockerError(`docker ${args.join(' ')} could not start: ${err.message}`)));
                child.once('close', (code) => {
                    if (code === 0)
                        resolve();
                    else
                        reject(commandFailed(args, code, errorSummary(stderr), dockerHost));
                });
            });
            return { stdout: child.stdout, done, kill: () => child.kill() };
        }
    };
}
/** Calls `onLine` for each complete line of the chunks pushed, and for the rest at the end. */
function lineSplitter(onLine) {
    let rest = '';
    return {
        push(chunk) {
            const text = rest + chunk.toString('utf8');
            const parts = text.split(/\r?\n/);
            rest = parts.pop() ?? '';
            for (const part of parts)
                onLine(part);
        },
        flush() {
            if (rest !== '')
                onLine(rest);
            rest = '';
        }
    };
}

;// CONCATENATED MODULE: ./src/domain/event.ts
// The Git event a workflow runs for, read from the runner's variables and the
// payload, and what it says about the image besides its tags (inputs/tags.ts): the
// OCI labels and the creation time. Pure: the runner's environment and the event
// payload come in as plain values; nothing here is ever run as a command (a ref
// name is data).
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
/**
 * Reads the event from the runner's variables and the parsed event payload
 * (the JSON file at GITHUB_EVENT_PATH; `undefined` when there is none).
 */
function gitEventOf(vars, payload) {
    const name = vars.GITHUB_EVENT_NAME ?? '';
    const ref = vars.GITHUB_REF ?? '';
    const pr = pullRequestOf(payload);
    const refNumber = /^refs\/pull\/(\d+)\//.exec(ref)?.[1];
    const isPullRequest = PULL_REQUEST_EVENTS.has(name) || refNumber !== undefined;
    const repository = vars.GITHUB_REPOSITORY ?? '';
    const server = (vars.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    return {
        name,
        ref,
        // On pull requests GITHUB_SHA is the merge commit GitHub made; the image is the PR head's.
        sha: (isPullRequest && pr?.headSha) || (vars.GITHUB_SHA ?? ''),
        pullRequest: isPullRequest ? (pr?.number ?? (refNumber === undefined ? undefined : Number(refNumber))) : undefined,
        sourceUrl: repository === '' ? '' : `${server}/${repository}`,
        title: repository.slice(repository.indexOf('/') + 1),
        ...(name === 'pull_request' ? forkOf(payload) : {}),
        ...defaultBranchOf(payload),
        ...(isPullRequest && vars.GITHUB_BASE_REF ? { baseBranch: vars.GITHUB_BASE_REF } : {})
    };
}
function defaultBranchOf(payload) {
    const branch = payload?.repository?.default_branch;
    return typeof branch === 'string' && branch !== '' ? { defaultBranch: branch } : {};
}
/**
 * The fork a pull request comes from: its head repository differs from the base
 * one, or says it is a fork, or is gone (a deleted fork). `{}` for a branch of
 * the repository itself, or when the payload does not say.
 */
function forkOf(payload) {
    const pr = payload?.pull_request;
    if (typeof pr !== 'object' || pr === null || typeof pr.head !== 'object' || pr.head === null)
        return {};
    const head = pr.head.repo;
    const base = pr.base?.repo;
    if (head === null)
        return { fork: '(a deleted fork)' };
    const headName = typeof head?.full_name === 'string' ? head.full_name : undefined;
    const baseName = typeof base?.full_name === 'string' ? base.full_name : undefined;
    const fromFork = head?.fork === true || (headName !== undefined && baseName !== undefined && headName !== baseName);
    return fromFork ? { fork: headName ?? '(a fork)' } : {};
}
function pullRequestOf(payload) {
    if (typeof payload !== 'object' || payload === null)
        return undefined;
    const pr = payload.pull_request;
    if (typeof pr !== 'object' || pr === null)
        return undefined;
    return {
        number: typeof pr.number === 'number' ? pr.number : undefined,
        headSha: typeof pr.head?.sha === 'string' && pr.head.sha !== '' ? pr.head.sha : undefined
    };
}
const OCI = 'org.opencontainers.image';
/** The OCI annotations the build adds (those whose value is known), as label key/value pairs. */
function ociLabels(event, version, created) {
    const labels = [
        ['source', event.sourceUrl],
        ['revision', event.sha],
        ['version', version],
        ['created', rfc3339(created)],
        ['title', event.title]
    ];
    return labels.filter(([, value]) => value !== '').map(([key, value]) => ({ key: `${OCI}.${key}`, value }));
}
const toSeconds = (ms) => new Date(Math.floor(ms / 1000) * 1000);
/**
 * The commit time, from the first source that has one: SOURCE_DATE_EPOCH, the
 * event's head commit, `git log` in the workspace; else now. A SOURCE_DATE_EPOCH
 * that is not a whole number of seconds is passed over with a warning.
 */
function createdOf(times, now) {
    const warnings = [];
    const epoch = times.sourceDateEpoch?.trim();
    if (epoch !== undefined && epoch !== '') {
        if (/^\d{1,12}$/.test(epoch))
            return { created: { date: new Date(Number(epoch) * 1000), source: 'SOURCE_DATE_EPOCH' }, warnings };
        warnings.push(`SOURCE_DATE_EPOCH='${epoch}' is not a whole number of seconds since 1970, so the image's creation time comes from the commit instead.`);
    }
    const head = times.headCommit === undefined ? NaN : Date.parse(times.headCommit);
    if (!Number.isNaN(head))
        return { created: { date: toSeconds(head), source: 'head commit' }, warnings };
    const gitTime = times.git();
    const fromGit = gitTime === undefined ? NaN : Date.parse(gitTime);
    if (!Number.isNaN(fromGit))
        return { created: { date: toSeconds(fromGit), source: 'git log' }, warnings };
    return { created: { date: toSeconds(now.getTime()), source: 'now' }, warnings };
}
/** The event payload's head commit time, when the head commit is the one built (push events). */
function headCommitTime(payload, sha) {
    if (typeof payload !== 'object' || payload === null)
        return undefined;
    const head = payload.head_commit;
    if (typeof head !== 'object' || head === null || typeof head.timestamp !== 'string')
        return undefined;
    return typeof head.id === 'string' && sha !== '' && head.id !== sha ? undefined : head.timestamp;
}
/** `2026-01-02T03:04:05Z`: RFC 3339 in UTC, whole seconds. */
function rfc3339(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** The log line that says which time the `created` label has, and so whether a rebuild gives the same digest. */
function createdLine(created) {
    const time = rfc3339(created.date);
    const from = {
        SOURCE_DATE_EPOCH: 'from SOURCE_DATE_EPOCH',
        'head commit': "the commit's time, from the event's head commit",
        'git log': "the commit's time, from git log in the workspace",
        now: 'now: no SOURCE_DATE_EPOCH, no head commit in the event and no git history in the workspace, so a rebuild of this commit gets another digest'
    };
    return `Image creation time (${OCI}.created): ${time}, ${from[created.source]}.`;
}

;// CONCATENATED MODULE: ./src/domain/image.ts
/** A platform as docker writes one: `os/arch[/variant]`, lowercase. */
function isPlatform(value) {
    return /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?$/.test(value);
}
/**
 * Each platform's manifest digest in an index as a registry serves it
 * (attestations, `unknown/unknown`, left out); a plain manifest is its own, for
 * each platform `asked`.
 */
function platformsOf(manifest, digest, asked) {
    const entries = manifest?.manifests;
    if (!Array.isArray(entries))
        return asked.map((platform) => ({ platform, digest }));
    return entries.flatMap((d) => {
        const p = d.platform;
        if (typeof d.digest !== 'string' || typeof p?.os !== 'string' || typeof p.architecture !== 'string')
            return [];
        if (p.os === 'unknown')
            return [];
        const variant = typeof p.variant === 'string' && p.variant !== '' ? `/${p.variant}` : '';
        return [{ platform: `${p.os}/${p.architecture}${variant}`, digest: d.digest }];
    });
}
const TARBALL_NAMES = '.tar, .tar.gz, .tgz or .tar.zst';
/** The format a file name says, or undefined when it is no tarball name. */
function formatOf(file) {
    const lower = file.toLowerCase();
    if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz'))
        return 'gzip';
    if (lower.endsWith('.tar.zst'))
        return 'zstd';
    if (lower.endsWith('.tar'))
        return 'tar';
    return undefined;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/runner/buildx-store.ts
// Which buildx builder a build will use, and its driver, read from buildx's own
// store on disk (the folder BUILDX_CONFIG, else the docker config's buildx/) the
// way buildx itself chooses it: the builder named (`builder` input, BUILDX_BUILDER),
// else the `current` file's when it is global or for this docker endpoint, else
// the endpoint's default, else the docker context (the docker driver). Reading the
// files costs nothing; `docker buildx inspect` costs half a second, as it asks the
// builder. Pure but for the reads; an unreadable store is the docker driver, which
// is what buildx falls back to as well.



function readJson(file) {
    try {
        return JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
    }
    catch {
        return undefined;
    }
}
/**
 * The key buildx files the current builder under: the docker context's name, or
 * for the default context its endpoint (DOCKER_HOST, else the default socket).
 */
function endpointKey(vars, config) {
    const context = vars.DOCKER_HOST
        ? 'default'
        : vars.DOCKER_CONTEXT || (typeof config.currentContext === 'string' ? config.currentContext : '') || 'default';
    if (context !== 'default')
        return context;
    return vars.DOCKER_HOST || 'unix:///var/run/docker.sock';
}
function readBuildxStore(dir, key) {
    const drivers = {};
    let names = [];
    try {
        names = external_node_fs_.readdirSync(external_node_path_.join(dir, 'instances'));
    }
    catch {
        // no store yet: every builder is a docker context
    }
    for (const name of names) {
        const group = readJson(external_node_path_.join(dir, 'instances', name));
        if (typeof group?.Driver === 'string')
            drivers[name.toLowerCase()] = group.Driver;
    }
    const current = readJson(external_node_path_.join(dir, 'current'));
    const named = typeof current?.Name === 'string' ? current.Name.toLowerCase() : '';
    if (named !== '' && drivers[named] !== undefined && (current?.Global === true || current?.Key === key)) {
        return { current: named, drivers };
    }
    // `buildx use --default` files the endpoint's default under a hash of its key.
    const hash = (0,external_node_crypto_.createHash)('sha256').update(key).digest('hex').slice(0, 20);
    let fallback = '';
    try {
        fallback = external_node_fs_.readFileSync(external_node_path_.join(dir, 'defaults', hash), 'utf8')
            .trim()
            .toLowerCase();
    }
    catch {
        // none
    }
    return { current: drivers[fallback] === undefined ? '' : fallback, drivers };
}
/** The driver of the builder `name` ('' for buildx's own choice); a name the store does not hold is a docker context. */
function driverOf(store, name) {
    const chosen = name === '' ? store.current : name.toLowerCase();
    return store.drivers[chosen] ?? 'docker';
}

;// CONCATENATED MODULE: ./src/inputs/parse.ts
/**
 * Collects one message per problem (naming the input and the fix), and the
 * warnings and notices. An input refused as a whole (a control character in it)
 * gets that one message only.
 */
class Report {
    problems = [];
    warnings = [];
    notices = [];
    /** Values the runner must hide from the log (secrets, a token in a URL), found while parsing. */
    masks = [];
    refused = new Set();
    problem(input, what, fix) {
        if (this.refused.has(input))
            return;
        this.problems.push({ input, message: `Input '${input}': ${what}. Fix: ${fix}.` });
    }
    /** Refuses the input as a whole: later problems with it are not reported. */
    refuse(input, what, fix) {
        this.problem(input, what, fix);
        this.refused.add(input);
    }
    warn(input, message) {
        this.warnings.push({ input, message });
    }
    notice(input, message) {
        this.notices.push({ input, message });
    }
    /** A value the runner must hide wherever it would print it. */
    mask(value) {
        if (value.trim() !== '' && !this.masks.includes(value))
            this.masks.push(value);
    }
}
/** Newline- or comma-separated list; blank entries dropped. */
function parseList(value) {
    return value
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
/** One entry per non-blank line (values may contain commas). */
function parseLines(value) {
    return value
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
function parseBoolean(raw, input, fallback, report) {
    const value = raw[input];
    if (value === '')
        return fallback;
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    report.problem(input, `'${value}' is not a boolean`, 'write true or false');
    return fallback;
}
const QUOTES = new Set(['"', "'"]);
/** Whether `text` is wrapped in one pair of matching quotes with no such quote inside. */
function isQuoted(text) {
    const quote = text[0];
    return text.length >= 2 && QUOTES.has(quote) && text.endsWith(quote) && !text.slice(1, -1).includes(quote);
}
/**
 * A KEY=VALUE line read as people write it: in quotes as a whole (`"a=b, c"`, as
 * in a CSV list), with a quoted key or value (`"a"="b c"`, as in a Dockerfile
 * LABEL), with spaces around the `=` (`key = value`). A string, the problem, when
 * a quote opens and does not close.
 */
function splitKeyValue(written) {
    const line = isQuoted(written) ? written.slice(1, -1).trim() : written;
    // A quoted key may hold an `=`: the separator is the first one after its closing quote.
    const keyClose = QUOTES.has(line[0]) ? line.indexOf(line[0], 1) : 0;
    if (keyClose < 0)
        return 'the line';
    const eq = line.indexOf('=', keyClose);
    if (eq < 0)
        return undefined;
    const keyText = line.slice(0, eq).trim();
    const valueText = line.slice(eq + 1).trim();
    if (QUOTES.has(valueText[0]) && !isQuoted(valueText))
        return 'the value';
    return {
        key: isQuoted(keyText) ? keyText.slice(1, -1) : keyText,
        value: isQuoted(valueText) ? valueText.slice(1, -1) : valueText
    };
}
/**
 * One KEY=VALUE per line, read as people write them (see splitKeyValue): quotes
 * around the line, the key or the value are dropped, and so are spaces around
 * the `=`. A quote that opens and does not close is refused.
 */
function parseKeyValues(raw, input, report) {
    return parseLines(raw[input]).flatMap((written) => {
        const split = splitKeyValue(written);
        if (typeof split === 'string') {
            report.problem(input, `'${written}' has a quote that opens ${split} and does not close it`, 'close the quote, or write the line without quotes (one KEY=VALUE per line; a value may hold spaces and commas)');
            return [];
        }
        if (split === undefined || split.key === '' || /[\s"']/.test(split.key)) {
            report.problem(input, `'${written}' is not a KEY=VALUE line`, 'write one KEY=VALUE per line, with no spaces or quotes in KEY');
            return [];
        }
        return [split];
    });
}
/** The inputs that hold one entry per line; in every other input a line break is refused. */
const MULTI_LINE = new Set([
    'images',
    'tags',
    'build-args',
    'labels',
    'cache-from',
    'cache-to',
    'secrets',
    'registry-auth',
    'platforms'
]);
/**
 * Refuses control characters, and line breaks where one value is expected: a
 * value is printed in the log, where a line break or a carriage return could
 * start a line the runner reads as a workflow command. The passwords, the secrets
 * and the cosign key are not printed, so they may hold anything.
 */
function refuseControlCharacters(raw, report) {
    for (const [input, value] of Object.entries(raw)) {
        if (['password', 'secrets', 'registry-auth', 'cosign-key', 'cosign-password'].includes(input))
            continue;
        // eslint-disable-next-line no-control-regex
        const bad = MULTI_LINE.has(input) ? /[\x00-\x08\x0b-\x1f\x7f]/ : /[\x00-\x08\x0a-\x1f\x7f]/;
        const found = bad.exec(value);
        if (found === null)
            continue;
        const what = found[0] === '\n' ? 'a line break' : found[0] === '\r' ? 'a carriage return (\\r)' : 'a control character';
        report.refuse(input, `the value has ${what} at character ${found.index + 1}`, MULTI_LINE.has(input) ? 'remove it; entries are separated by line breaks only' : 'give one value on one line');
    }
}

;// CONCATENATED MODULE: ./src/inputs/cache.ts


const TYPES = ['registry', 'inline', 'gha', 'local', 's3', 'azblob'];
/** `type=registry,ref=…,mode=max` as buildx takes it. */
function renderSpec(spec) {
    return [`type=${spec.type}`, ...spec.attrs.map(([k, v]) => `${k}=${v}`)].join(',');
}
/** The value of an attribute, or undefined. */
function attrOf(spec, key) {
    return spec.attrs.find(([k]) => k === key)?.[1];
}
/** `k=v,k=v` (a value in double quotes may hold commas), or undefined when a field has no `=`. */
function fieldsOf(line) {
    const fields = [];
    for (const part of line.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
        const eq = part.indexOf('=');
        if (eq <= 0)
            return undefined;
        fields.push([
            part.slice(0, eq).trim(),
            part
                .slice(eq + 1)
                .trim()
                .replace(/^"(.*)"$/, '$1')
        ]);
    }
    return fields;
}
/**
 * cache-from or cache-to: one spec per line (an image reference alone is
 * `type=registry,ref=<it>`, for cache-from), the references lowercased as images are.
 */
function parseCacheSpecs(raw, input, report) {
    const specs = [];
    const lowercased = [];
    const fix = input === 'cache-from'
        ? 'list image references such as ghcr.io/org/app:buildcache, or buildx cache specs such as type=registry,ref=ghcr.io/org/app:buildcache or type=gha, one per line'
        : 'write buildx cache specs such as type=registry,ref=ghcr.io/org/app:buildcache,mode=max, type=inline or type=gha, one per line';
    for (const line of parseLines(raw[input])) {
        // A reference has no `=`; a spec has, and must say its type.
        const bare = !line.includes('=');
        // A reference alone, or several on one line separated by commas (as cache-from took them).
        const entries = bare && input === 'cache-from'
            ? line
                .split(',')
                .map((r) => r.trim())
                .filter((r) => r !== '')
                .map((ref) => [
                ['type', 'registry'],
                ['ref', ref]
            ])
            : [fieldsOf(line) ?? []];
        for (const fields of entries) {
            const type = fields.find(([k]) => k === 'type')?.[1];
            if (type === undefined || !TYPES.includes(type)) {
                report.problem(input, `'${line}' is not a cache spec${type ? ` (buildx knows no cache type ${type})` : ''}`, fix);
                continue;
            }
            const attrs = fields.filter(([k]) => k !== 'type');
            const ref = attrs.find(([k]) => k === 'ref');
            if (type === 'registry') {
                if (ref === undefined) {
                    report.problem(input, `'${line}' has no ref=`, fix);
                    continue;
                }
                const lowered = lowercaseReference(ref[1]);
                if (!lowered.ok) {
                    report.problem(input, lowered.problem, lowered.fix);
                    continue;
                }
                const checked = parseImageReference(lowered.value);
                if (!checked.ok) {
                    report.problem(input, checked.problem, `${checked.fix}; ${fix}`);
                    continue;
                }
                if (checked.value !== ref[1])
                    lowercased.push({ input, written: ref[1], used: checked.value });
                ref[1] = checked.value;
            }
            const mode = attrs.find(([k]) => k === 'mode')?.[1];
            if (mode !== undefined && mode !== 'min' && mode !== 'max') {
                report.problem(input, `'${line}' has mode=${mode}`, 'write mode=min (the image’s own layers) or mode=max (every stage)');
                continue;
            }
            if (type === 'local' && !attrs.some(([k]) => k === (input === 'cache-to' ? 'dest' : 'src'))) {
                report.problem(input, `'${line}' names no folder`, `write type=local,${input === 'cache-to' ? 'dest' : 'src'}=<folder>`);
                continue;
            }
            if (!specs.some((s) => renderSpec(s) === renderSpec({ type, attrs })))
                specs.push({ type, attrs });
        }
    }
    return { value: specs, lowercased };
}
/** `cache`: false (the default), registry or gha. */
function parseCacheMode(raw, report) {
    const value = raw.cache.toLowerCase();
    if (value === '' || value === 'false' || value === 'none')
        return 'false';
    if (value === 'registry' || value === 'gha') {
        if (raw['cache-to'] !== '' || raw['cache-from'] !== '') {
            report.problem('cache', `cache: ${value} reads and writes the cache itself, and cache-from or cache-to is set too`, 'give either the one word (cache) or the specs (cache-from, cache-to)');
        }
        return value;
    }
    report.problem('cache', `'${raw.cache}' is not false, registry or gha`, 'write registry (a cache beside the image, in its registry), gha (the GitHub Actions cache), or false');
    return 'false';
}
/** cache-to's specs that the builder cannot export: each a problem naming the fix. */
function checkCacheTo(specs, exporter, builderName, report) {
    for (const spec of specs) {
        if (exporter === 'all' || (exporter === 'inline' && spec.type === 'inline'))
            continue;
        report.problem('cache-to', exporter === 'none'
            ? `${builderName} exports no cache (${renderSpec(spec)})`
            : `${builderName} can export only an inline cache (type=inline), not ${renderSpec(spec)}`, exporter === 'none'
            ? 'remove cache-to: with the classic builder, cache-from with the last pushed image is the cache there is; or install buildx (docker/setup-buildx-action)'
            : 'add a docker/setup-buildx-action step before this one (its builder exports every cache type), turn on the containerd image store, or write cache-to: type=inline');
    }
}
/**
 * What the build's builder can export: the classic builder nothing, an older CLI's
 * BuildKit and buildx's docker driver on the classic store only an inline cache,
 * everything else every backend. Undefined while the docker driver's image store
 * is not known (it is probed first: needsImageStore).
 */
function cacheExporter(env, driver) {
    if (!env.buildx)
        return env.buildkitEnv ? 'inline' : 'none';
    if (driver !== 'docker')
        return 'all';
    return env.containerdStore === undefined ? undefined : env.containerdStore ? 'all' : 'inline';
}
const BUILDER_NAMES = {
    none: 'the classic builder',
    inline: "this builder (buildx's docker driver on the classic image store, or the CLI's built-in BuildKit)",
    all: 'this builder'
};
/** The cache inputs the builder cannot honour: each a problem with its fix, before any docker command. */
function checkCache(specs, exporter, report) {
    if (exporter === undefined)
        return;
    checkCacheTo(specs.cacheTo, exporter, BUILDER_NAMES[exporter], report);
    if (exporter === 'none') {
        for (const spec of specs.cacheFrom.filter((s) => s.type !== 'registry')) {
            report.problem('cache-from', `the classic builder reads no ${spec.type} cache (${renderSpec(spec)}), only images it pulls`, 'give the image reference of the last pushed image, or install buildx (docker/setup-buildx-action)');
        }
    }
    if (specs.cache === 'gha' && exporter !== 'all') {
        report.problem('cache', `${BUILDER_NAMES[exporter]} cannot read or write the GitHub Actions cache`, 'add a docker/setup-buildx-action step before this one, or write cache: registry (the best this builder has)');
    }
}
/** Whether the cache inputs wait on the docker driver's image store to be known. */
function cacheNeedsImageStore(build) {
    return build.cache !== 'false' || build.cacheTo.some((s) => s.type !== 'inline');
}

;// CONCATENATED MODULE: ./src/inputs/builder.ts
// The build inputs that depend on what the builder can do: the network of RUN
// steps, the platforms (several make one index, which only buildx builds), the
// provenance attestation and the buildx builder to use. Pure: the machine's facts
// come in through the environment.




/** The networks RUN steps can use: BuildKit knows three; the classic builder also bridge, container:<name> and named networks. */
function checkNetwork(network, buildkit, report) {
    if (network === '')
        return;
    if (buildkit) {
        if (['default', 'none', 'host'].includes(network))
            return;
        report.problem('network', `'${network}' is not a network BuildKit can give RUN steps`, 'write default, none or host (BuildKit builds know no other network)');
    }
    else if (!/^(?:container:)?[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(network)) {
        report.problem('network', `'${network}' is not a network name`, 'write default, bridge, host, none, container:<name> or the name of a docker network');
    }
}
const SETUP_BUILDX = 'install the buildx plugin (docker/setup-buildx-action)';
/**
 * `platforms` (or the deprecated `platform`): a list of os/arch[/variant], without
 * duplicates. Several become one image index, which only buildx builds.
 */
function parsePlatforms(raw, env, driver, report) {
    if (raw.platform !== '' && raw.platforms !== '') {
        report.problem('platform', 'platform and platforms are both set', 'remove platform (deprecated) and list every platform in platforms');
        return [];
    }
    const input = raw.platforms !== '' ? 'platforms' : 'platform';
    if (input === 'platform' && raw.platform !== '')
        report.warn('platform', "Input 'platform' is deprecated: use platforms (the docker actions' name), which takes a list.");
    const platforms = [...new Set(parseList(raw[input]))];
    const bad = platforms.filter((p) => !isPlatform(p));
    for (const platform of bad) {
        report.problem(input, `'${platform}' is not a platform`, 'write os/arch[/variant] in lowercase, such as linux/amd64 or linux/arm/v7, several separated by commas or lines');
    }
    if (bad.length === 0 && platforms.length > 1 && !env.buildx) {
        report.problem(input, `${platforms.length} platforms make one image index, which needs buildx, but docker build here is ${env.buildkitEnv ? "the CLI's built-in BuildKit" : 'the classic builder'} and builds one platform`, `${SETUP_BUILDX} (add docker/setup-qemu-action for RUN steps of other architectures), or give one platform`);
    }
    // buildx's docker driver builds several platforms only into the containerd image store (probed: needsImageStore).
    if (bad.length === 0 && platforms.length > 1 && driver === 'docker' && env.containerdStore === false) {
        report.problem(input, `${platforms.length} platforms make one image index, which buildx's docker driver (the engine's own builder) cannot build on this engine's classic image store ("Multi-platform build is not supported for the docker driver")`, 'add a docker/setup-buildx-action step before this one, whose builder builds several platforms (with docker/setup-qemu-action for RUN steps of other architectures), or turn on the containerd image store, or give one platform');
    }
    return platforms;
}
/**
 * Whether a rule of these inputs depends on the engine's image store, which only
 * `docker info` tells (environment.containerdStore): several platforms, an
 * attestation, or a cache to export, on buildx's docker driver.
 */
function needsImageStore(build) {
    return (build.driver === 'docker' &&
        (build.platforms.length > 1 || build.provenance !== 'false' || cacheNeedsImageStore(build)));
}
/** The driver of the buildx builder a build uses ('' for buildx's own choice), or undefined without buildx. */
function driverFor(builder, env) {
    return env.buildx ? driverOf(env.builders.store, builder || env.builders.named) : undefined;
}
/** `provenance`: buildx's attestation; off unless asked for, so that one platform stays one plain manifest. */
function parseProvenance(value, env, driver, report) {
    const lower = value.toLowerCase();
    if (value === '' || lower === 'false')
        return 'false';
    if (lower !== 'true' && lower !== 'mode=min' && lower !== 'mode=max') {
        report.problem('provenance', `'${value}' is not true, false, mode=min or mode=max`, 'write false (no attestation, the default), true or mode=min (a minimal provenance attestation) or mode=max (with the build args and more)');
        return 'false';
    }
    if (!env.buildx) {
        report.problem('provenance', 'provenance attestations need buildx', `${SETUP_BUILDX}, or set provenance to false`);
    }
    else if (driver === 'docker' && env.containerdStore === false) {
        // buildx's own words: "Attestation is not supported for the docker driver" (probed: needsImageStore).
        report.problem('provenance', "an attestation makes an image index, which buildx's docker driver (the engine's own builder) cannot build on this engine's classic image store", 'add a docker/setup-buildx-action step before this one, or turn on the containerd image store, or set provenance to false');
    }
    return lower;
}
/** `builder`: the name of an existing buildx builder (setup-buildx-action's `name` output). */
function parseBuilder(value, env, report) {
    if (value === '')
        return '';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(value)) {
        report.problem('builder', `'${value}' is not a builder name`, 'give the name of an existing buildx builder, such as the name output of docker/setup-buildx-action');
    }
    else if (!env.buildx) {
        report.problem('builder', `the builder '${value}' needs buildx, which is not installed`, SETUP_BUILDX);
    }
    return value;
}
const BUILDX_RELEASES = 'https://github.com/docker/buildx/releases';
/** `buildx-version` ('' for the runner's own buildx, `latest`, or `v0.29.1`) and `buildx-download-url`. */
function parseBuildxRelease(raw, report) {
    const version = raw['buildx-version'];
    const base = raw['buildx-download-url'] || BUILDX_RELEASES;
    if (!/^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(base)) {
        report.problem('buildx-download-url', `'${base}' is not an http(s) URL`, `give the release page buildx is fetched from, laid out as ${BUILDX_RELEASES} (<url>/download/<tag>/<asset>)`);
    }
    if (version === '')
        return undefined;
    if (version.toLowerCase() === 'latest')
        return { version: 'latest', base };
    const m = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(version);
    if (!m) {
        report.problem('buildx-version', `'${version}' is not a buildx release`, 'write latest, or a release such as v0.29.1 (or leave it empty to use the buildx of the runner)');
        return undefined;
    }
    return { version: `v${m[1]}`, base };
}

;// CONCATENATED MODULE: ./src/domain/dockerfile.ts
// The Dockerfile reader every stage shares: its instructions (continuation lines
// joined, comments and directives skipped) and its stages. Pure: the text comes in
// as a string.
/** A parser directive in the first lines that changes the escape character (and so the quoting). */
function hasEscapeDirective(dockerfile) {
    return /^#\s*escape\s*=/im.test(dockerfile.split(/\r?\n/).slice(0, 5).join('\n'));
}
/** The instructions of a Dockerfile, in order (comments, blank lines and parser directives skipped). */
function instructionsOf(dockerfile) {
    const lines = dockerfile.split(/\r?\n/);
    const escape = /^#\s*escape\s*=\s*`/i.test(lines[0] ?? '') ? '`' : '\\';
    const instructions = [];
    let current;
    lines.forEach((raw, i) => {
        const line = raw.trim();
        if (current === undefined && (line === '' || line.startsWith('#')))
            return;
        if (current !== undefined && line.startsWith('#'))
            return; // comments inside a continued instruction
        const continues = line.endsWith(escape);
        const part = continues ? line.slice(0, -1).trim() : line;
        if (current === undefined)
            current = { line: i + 1, text: part };
        else if (part !== '')
            current.text = `${current.text} ${part}`;
        if (!continues) {
            instructions.push(current);
            current = undefined;
        }
    });
    if (current !== undefined)
        instructions.push(current);
    return instructions;
}
function stagesOf(instructions) {
    const stages = [];
    for (const instruction of instructions) {
        if (/^FROM\s/i.test(instruction.text)) {
            const written = /\sAS\s+(\S+)\s*$/i.exec(instruction.text)?.[1];
            stages.push({ written, name: (written ?? `stage-${stages.length}`).toLowerCase(), instructions: [instruction] });
        }
        else
            stages.at(-1)?.instructions.push(instruction);
    }
    return stages;
}
/**
 * The stage names a Dockerfile declares (`FROM … AS name`), as written; undefined
 * when one is written with a variable, so the names cannot be known here.
 */
function stageNames(dockerfile) {
    const names = stagesOf(instructionsOf(dockerfile)).flatMap((s) => (s.written === undefined ? [] : [s.written]));
    return names.some((n) => n.includes('$')) ? undefined : names;
}

;// CONCATENATED MODULE: ./src/inputs/secrets.ts
// Build secrets and the build args that look like them. A secret reaches the build
// as a secret mount, never in argv or the image; a build arg is stored in the image
// history for anyone who pulls it, so one named like a credential is warned about.
// Pure: the Dockerfile's text comes in as a string.

/**
 * One secret per `id=VALUE` line, or a value of several lines as `id<<EOF`, its
 * lines, then `EOF` (the form of the runner's own GITHUB_OUTPUT). A bad line is
 * reported by its number only: it may be part of a secret, and problems are
 * printed. Every value is masked.
 */
function parseSecrets(value, report) {
    const secrets = [];
    const lines = value.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        const number = i + 1;
        if (line.trim() === '')
            continue;
        let id;
        let secret;
        const heredoc = /^\s*([A-Za-z0-9_.-]+)<<(\S+)\s*$/.exec(line);
        if (heredoc) {
            const end = lines.findIndex((l, j) => j > i && l.trim() === heredoc[2]);
            if (end < 0) {
                report.mask(lines.slice(i + 1).join('\n'));
                report.problem('secrets', `line ${number} starts a value with <<${heredoc[2]}, but no line ${heredoc[2]} ends it`, `end the value with a line holding only ${heredoc[2]}`);
                break;
            }
            id = heredoc[1];
            secret = lines.slice(i + 1, end).join('\n');
            report.mask(secret);
            i = end;
        }
        else {
            const eq = line.indexOf('=');
            id = eq < 0 ? '' : line.slice(0, eq).trim();
            secret = line.slice(eq + 1);
            if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
                report.mask(line);
                report.problem('secrets', `line ${number} is not an id=VALUE line (its text is not shown, as it may be a secret)`, 'write one id=VALUE per line, the id made of letters, digits, _ . and -, such as npm_token=${{ secrets.NPM_TOKEN }}, or a value of several lines as id<<EOF, its lines, then EOF');
                continue;
            }
        }
        if (secrets.some((s) => s.id === id)) {
            // Likely a piece of a longer value too (a second always-auth=true): masked whole, not its tail.
            report.mask(heredoc ? secret : line);
            report.problem('secrets', `the id '${id}' is given twice`, 'give each secret its own id');
        }
        else
            secrets.push({ id, value: secret, line: number, text: heredoc ? undefined : line });
    }
    return secrets;
}
/**
 * The secret ids the Dockerfile's `RUN --mount=type=secret,…` flags use (an id,
 * or the target's file name, as BuildKit defaults it); undefined when one is
 * written with a variable, so the ids cannot be known.
 */
function mountedSecrets(dockerfile) {
    const ids = new Set();
    for (const match of dockerfile.matchAll(/--mount=(\S+)/g)) {
        const options = Object.fromEntries(match[1].split(',').map((pair) => {
            const eq = pair.indexOf('=');
            return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
        }));
        if (options.type !== 'secret')
            continue;
        const target = options.target ?? options.dst ?? options.destination;
        const id = options.id ?? (target === undefined ? undefined : external_node_path_.posix.basename(target));
        if (id === undefined || id.includes('$'))
            return undefined;
        ids.add(id);
    }
    return ids;
}
/**
 * Masks every secret, and checks each is one the Dockerfile mounts (when the
 * Dockerfile can be read). A line it does not mount is most often the next line
 * of a value of several lines (a wrapped key, an .npmrc) that the runner expanded
 * into the input: it would otherwise become a secret of its own, named by a piece
 * of the real one.
 */
function checkSecretsMounted(secrets, dockerfile, fileName, report) {
    const mounted = dockerfile === undefined ? undefined : mountedSecrets(dockerfile);
    const unmounted = mounted === undefined ? [] : secrets.filter((s) => !mounted.has(s.id));
    // A one-line value is masked; a line that is likely a piece of a longer value is masked whole,
    // so that its tail (`true`, `=`) is not hidden everywhere in the job's log.
    for (const secret of secrets)
        report.mask(unmounted.includes(secret) ? (secret.text ?? secret.value) : secret.value);
    for (const secret of unmounted) {
        report.problem('secrets', `line ${secret.line} gives a secret that no RUN --mount=type=secret in ${fileName} uses (the line is not shown, as it may be part of a secret)`, 'if a value has several lines, write it as id<<EOF, its lines, then EOF; otherwise mount the secret (RUN --mount=type=secret,id=…) or remove the line');
    }
}
/** Words of a name that make it a credential on their own; KEY only after one of KEY_KINDS (CACHE_KEY is not one). */
const CREDENTIAL_WORDS = new Set([
    'TOKEN',
    'PAT',
    'PASSWORD',
    'PASSWD',
    'PASS',
    'PWD',
    'SECRET',
    'CREDENTIAL',
    'CREDENTIALS',
    'CREDS',
    'AUTH',
    'APIKEY',
    'PRIVATEKEY'
]);
const KEY_KINDS = new Set([
    'API',
    'ACCESS',
    'PRIVATE',
    'SECRET',
    'SIGNING',
    'SSH',
    'GPG',
    'ENCRYPTION',
    'MASTER',
    'CLIENT',
    'LICENSE',
    'DEPLOY'
]);
/** The words of a name: split at `_`, `-`, `.` and lower-to-upper case changes, in upper case. */
function wordsOf(name) {
    return name
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .split(/[_.-]+/)
        .filter((w) => w !== '')
        .map((w) => w.toUpperCase());
}
/** Whether a build arg's name says it holds a credential (GH_PAT, DB_PASS, NPM_CONFIG__AUTH; not KEYCLOAK_URL or CACHE_KEY_PREFIX). */
function looksLikeCredential(name) {
    const words = wordsOf(name);
    return words.some((w, i) => CREDENTIAL_WORDS.has(w) || (w === 'KEY' && i > 0 && KEY_KINDS.has(words[i - 1])));
}
/**
 * Whether the Dockerfile turns BuildKit's own check off, with the directive
 * BuildKit reads: `# check=skip=SecretsUsedInArgOrEnv` (or `skip=all`).
 */
function skipsSecretsCheck(dockerfile) {
    for (const line of dockerfile.split(/\r?\n/)) {
        const directive = /^#\s*check\s*=\s*(.*)$/i.exec(line.trim());
        if (directive) {
            const skip = /(?:^|;)\s*skip\s*=\s*([^;]*)/i.exec(directive[1])?.[1] ?? '';
            return skip.split(',').some((rule) => ['all', 'secretsusedinargorenv'].includes(rule.trim().toLowerCase()));
        }
        // Parser directives come first; the first other line ends them.
        if (!/^#\s*\w+\s*=/.test(line.trim()))
            return false;
    }
    return false;
}
function warnCredentialArgs(buildArgs, dockerfile, report) {
    if (dockerfile !== undefined && skipsSecretsCheck(dockerfile))
        return;
    for (const { key } of buildArgs.filter((a) => looksLikeCredential(a.key))) {
        report.warn('build-args', `The build arg ${key} looks like a credential. Build args are stored in the image history, where anyone who pulls the image can read them; pass it with the secrets input instead (RUN --mount=type=secret,id=${key.toLowerCase()}). If it is not a credential, silence this with the line # check=skip=SecretsUsedInArgOrEnv at the top of the Dockerfile.`);
    }
}

;// CONCATENATED MODULE: ./src/inputs/tarball.ts
// The tarball inputs: `save` (where to write the image, and how to compress it)
// and a tarball given as `source-image`. Pure: the file-system look-ups come in
// through the environment.


/** The default level: see docs/benchmarks.md for the measurements behind it. */
const DEFAULT_COMPRESSION_LEVEL = 3;
function parseCompressionLevel(raw, report) {
    const value = raw['save-compression-level'];
    if (value === '')
        return DEFAULT_COMPRESSION_LEVEL;
    if (/^[1-9]$/.test(value))
        return Number(value);
    report.problem('save-compression-level', `'${value}' is not a compression level`, 'write a whole number from 1 (fastest) to 9 (smallest)');
    return DEFAULT_COMPRESSION_LEVEL;
}
function parseSave(raw, env, report) {
    const value = raw.save;
    const level = parseCompressionLevel(raw, report);
    if (value === '')
        return undefined;
    const target = external_node_path_.resolve(env.workspace, value);
    const format = formatOf(target);
    if (format === undefined) {
        report.problem('save', `'${value}' does not end in ${TARBALL_NAMES}`, 'name the tarball file.tar, or file.tar.gz / file.tgz (gzip) or file.tar.zst (zstd) to compress it');
    }
    else if (env.fs.kind(target) === 'directory') {
        report.problem('save', `'${value}' is a folder`, 'give a file path such as image.tar.gz');
    }
    else {
        const ancestor = firstExistingAncestor(target, env.fs);
        const kind = env.fs.kind(ancestor);
        if (kind === 'file' || kind === 'other') {
            report.problem('save', `'${ancestor}' is a file, so '${value}' cannot be created inside it`, 'choose a path whose parent folders are folders');
        }
        else if (kind === 'directory' && !env.fs.writable(ancestor)) {
            report.problem('save', `this run may not write into '${ancestor}', so '${value}' cannot be created`, 'choose a path in a folder the runner can write to, such as one in the workspace');
        }
    }
    if (format === 'zstd')
        needZstd('save', value, 'save as .tar.gz', env, report);
    if (format === 'tar' && raw['save-compression-level'] !== '')
        report.warn('save-compression-level', `save-compression-level is ignored: '${value}' is not compressed (name it .tar.gz or .tar.zst to compress it).`);
    return { path: target, format: format ?? 'tar', level };
}
/** A .tar.zst to write or read needs zstd on the runner. */
function needZstd(input, value, or, env, report) {
    if (env.tools.zstd !== undefined)
        return;
    report.problem(input, `'${value}' is a zstd tarball, but zstd is not installed on this runner`, `install zstd (it is on GitHub-hosted runners; apt-get install zstd), or ${or}`);
}
/** The nearest ancestor of `target` that exists (the folder it will be created in, or a file in its way). */
function firstExistingAncestor(target, fs) {
    let dir = external_node_path_.dirname(target);
    while (fs.kind(dir) === 'missing' && external_node_path_.dirname(dir) !== dir)
        dir = external_node_path_.dirname(dir);
    return dir;
}
/** A tarball given as source-image: its absolute path and format; undefined when the value names no tarball. */
function tarballSource(value, env, report) {
    const format = formatOf(value);
    if (format === undefined)
        return undefined;
    const file = external_node_path_.resolve(env.workspace, value);
    const kind = env.fs.kind(file);
    if (kind !== 'file') {
        report.problem('source-image', `the tarball '${value}' ${kind === 'missing' ? 'does not exist' : 'is not a file'} (looked at ${file})`, 'give the path of a tarball relative to the workspace (download the artifact first), or an image reference');
    }
    if (format === 'zstd')
        needZstd('source-image', value, 'pass the image as .tar.gz', env, report);
    return { path: file, format };
}
/** A .dockerignore pattern as a regular expression over a slash-separated relative path. */
function ignoreRule(pattern) {
    const body = pattern
        .replace(/^\/+|\/+$/g, '')
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => part.startsWith('**')
        ? '(?:.*/)?'
        : part === '*'
            ? '[^/]*'
            : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('');
    return new RegExp(`^${body}(?:/.*)?$`);
}
/** Whether the context's .dockerignore keeps `relative` out of the context (its last matching line decides). */
function isIgnored(dockerignore, relative) {
    let ignored = false;
    for (const raw of dockerignore.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        const negated = line.startsWith('!');
        if (ignoreRule(negated ? line.slice(1) : line).test(relative))
            ignored = !negated;
    }
    return ignored;
}
/**
 * A tarball saved inside the build context goes into the next build's context
 * (and `COPY .` puts it into the image), unless .dockerignore keeps it out: warned.
 */
function warnTarballInContext(save, context, env, report) {
    if (!external_node_path_.isAbsolute(context))
        return;
    const relative = external_node_path_.relative(context, save.path);
    if (relative.startsWith('..') || external_node_path_.isAbsolute(relative))
        return;
    const dockerignore = env.fs.readText(external_node_path_.join(context, '.dockerignore')) ?? '';
    if (isIgnored(dockerignore, relative.split(external_node_path_.sep).join('/')))
        return;
    report.warn('save', `The tarball ${relative} is inside the build context, so the next build of this context would send it to docker, and COPY . would put it into the image. Save it outside the context (such as \${{ runner.temp }}/image.tar), or add ${relative} to ${external_node_path_.join(context, '.dockerignore')}.`);
}

;// CONCATENATED MODULE: ./src/inputs/build.ts
// The inputs that say what makes the image: a build (context, Dockerfile, build
// args, labels, secrets, target…; what the builder must be able to do is
// builder.ts's), or an existing image to retag or a tarball to load. Pure: the
// file-system look-ups come in through the environment.








const REMOTE_CONTEXT = /^(?:https?:\/\/|git@|git:\/\/|ssh:\/\/)/;
/** The inputs that only a build reads, ignored (with a warning) by a retag or a load when set. */
const BUILD_ONLY_TEXT = [
    'file',
    'build-args',
    'labels',
    'target',
    'platform',
    'platforms',
    'network',
    'cache-from',
    'cache-to',
    'secrets',
    'builder'
];
/** A build from the context, or — with source-image — an existing image to retag or a tarball to load. */
function parseSource(raw, { cacheFrom, cacheTo, cache, sourceImage }, env, flags, report) {
    const buildArgs = parseKeyValues(raw, 'build-args', report);
    const labels = withDefaultLabels(parseKeyValues(raw, 'labels', report), flags.defaultLabels);
    const secrets = parseSecrets(raw.secrets, report);
    if (secrets.length > 0 && raw['source-image'] === '' && !env.buildx && !env.buildkitEnv) {
        report.problem('secrets', 'build secrets need BuildKit, but docker build here is the classic builder', 'install the buildx plugin (docker/setup-buildx-action), or set DOCKER_BUILDKIT=1 with a docker CLI that has BuildKit built in');
    }
    if (sourceImage !== '') {
        checkSecretsMounted(secrets, undefined, '', report);
        const tarball = tarballSource(sourceImage, env, report);
        const ref = tarball ? undefined : parseImageReference(sourceImage);
        if (ref && !ref.ok)
            report.problem('source-image', ref.problem, ref.fix);
        const ignored = [
            ...BUILD_ONLY_TEXT.filter((name) => raw[name] !== ''),
            // action.yml's defaults are false: only an attestation or a cache asked for is ignored.
            ...(raw.provenance !== '' && raw.provenance.toLowerCase() !== 'false' ? ['provenance'] : []),
            ...(cache !== 'false' ? ['cache'] : []),
            ...(flags.pull ? ['pull'] : []),
            ...(flags.noCache ? ['no-cache'] : []),
            ...(flags.load ? ['load'] : [])
        ];
        if (ignored.length > 0) {
            report.warn('source-image', `source-image is set, so nothing is built and ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored.`);
        }
        return tarball ? { kind: 'tarball', ...tarball } : { kind: 'image', ref: sourceImage };
    }
    const { context, file } = parseContextAndFile(raw, env, report);
    const dockerfile = file !== undefined && external_node_path_.isAbsolute(file) ? env.fs.readText(file) : undefined;
    checkSecretsMounted(secrets, dockerfile, external_node_path_.basename(file ?? ''), report);
    warnCredentialArgs(buildArgs, dockerfile, report);
    checkTarget(raw.target, dockerfile, external_node_path_.basename(file ?? ''), report);
    checkNetwork(raw.network, env.buildx || env.buildkitEnv, report);
    // Problems come in the inputs' order; the platforms' rules need the builder's driver first.
    const driver = driverFor(raw.builder, env);
    const platforms = parsePlatforms(raw, env, driver, report);
    const provenance = parseProvenance(raw.provenance, env, driver, report);
    const builder = parseBuilder(raw.builder, env, report);
    checkCache({ cacheFrom, cacheTo, cache }, cacheExporter(env, driver), report);
    // A tarball URL's credentials (a Git URL's go as BuildKit's Git auth secret) would be in the pushed provenance.
    if (provenance !== 'false' &&
        env.buildx &&
        /^https?:\/\/[^/@\s]+@/i.test(context) &&
        !/\.git(?:#.+)?$/i.test(context)) {
        report.problem('context', 'the context URL carries credentials, and buildx writes the URL into the provenance attestation pushed with the image', 'give the context at a URL without credentials, or set provenance to false (a Git URL ending in .git may carry a token: it goes to BuildKit as its Git auth secret)');
    }
    return {
        kind: 'build',
        build: {
            context,
            file,
            buildArgs,
            labels,
            target: raw.target,
            platforms,
            network: raw.network,
            pull: flags.pull,
            noCache: flags.noCache,
            cacheFrom,
            cacheTo,
            cache,
            secrets: secrets.map(({ id, value }) => ({ id, value })),
            provenance,
            builder,
            driver,
            dockerfileText: dockerfile,
            ...(flags.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: flags.sourceDateEpoch })
        }
    };
}
/** A token in a URL's user information (`https://x-access-token:TOKEN@host/…`, or `https://TOKEN@host/…`) is masked; an SSH user name is not. */
function maskUserinfo(url, report) {
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(url)?.[1];
    if (userinfo === undefined)
        return;
    const colon = userinfo.indexOf(':');
    // An SSH URL's user (ssh://git@github.com/…) is a login name, not a secret: the key authenticates.
    if (colon < 0 && /^ssh:/i.test(url))
        return;
    report.mask(colon < 0 ? userinfo : userinfo.slice(colon + 1));
    if (colon >= 0)
        report.mask(userinfo);
}
/**
 * A Dockerfile stage name: a letter, then letters, digits, `_`, `.` and `-`; and,
 * where the Dockerfile could be read, one of its stages (builders match them
 * without regard to case).
 */
function checkTarget(target, dockerfile, fileName, report) {
    if (target === '')
        return;
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(target)) {
        report.problem('target', `'${target}' is not a stage name`, 'give the name of a stage of the Dockerfile (FROM … AS name): a letter, then letters, digits, _ . or -');
        return;
    }
    const stages = dockerfile === undefined ? undefined : stageNames(dockerfile);
    if (stages === undefined || stages.some((s) => s.toLowerCase() === target.toLowerCase()))
        return;
    report.problem('target', stages.length === 0
        ? `${fileName} has no named stage, so there is no stage '${target}'`
        : `${fileName} has no stage '${target}'; its stages are ${stages.join(', ')}`, stages.length === 0
        ? 'name the stage to build in the Dockerfile (FROM … AS name), or remove target to build the last stage'
        : `give one of ${stages.join(', ')}, or remove target to build the last stage`);
}
/** The user's labels, then each default label whose key the user did not set. */
function withDefaultLabels(labels, defaults) {
    const set = new Set(labels.map((l) => l.key));
    return [...labels, ...defaults.filter((l) => !set.has(l.key))];
}
/** A local context must be a folder with the Dockerfile; a remote one (URL) is docker's to fetch. */
function parseContextAndFile(raw, env, report) {
    const contextInput = raw.context === '' ? '.' : raw.context;
    if (REMOTE_CONTEXT.test(contextInput)) {
        maskUserinfo(contextInput, report);
        return { context: contextInput, file: raw.file === '' ? undefined : raw.file };
    }
    const context = external_node_path_.resolve(env.workspace, contextInput);
    const contextKind = env.fs.kind(context);
    if (contextKind !== 'directory') {
        const what = contextKind === 'missing' ? `the folder '${contextInput}' does not exist` : `'${contextInput}' is not a folder`;
        report.problem('context', `${what} (looked in ${context})`, 'give a folder relative to the workspace, and check the repository out first (actions/checkout)');
    }
    const file = raw.file === '' ? external_node_path_.join(context, 'Dockerfile') : external_node_path_.resolve(env.workspace, raw.file);
    const fileKind = env.fs.kind(file);
    // A missing context already explains its missing default Dockerfile.
    if (fileKind !== 'file' && (raw.file !== '' || contextKind === 'directory')) {
        const shown = raw.file || external_node_path_.relative(env.workspace, file);
        report.problem('file', `the Dockerfile '${shown}' ${fileKind === 'missing' ? 'does not exist' : 'is not a file'} (looked at ${file})`, 'give the Dockerfile path relative to the workspace, or add a Dockerfile to the context');
    }
    return { context, file };
}

;// CONCATENATED MODULE: ./src/inputs/registry-auth.ts
const KEYS = ['registry', 'username', 'password'];
/** A value with one pair of matching quotes around it removed (YAML's '' inside single quotes is one '). */
function unquoted(value) {
    const quote = value[0];
    if (value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote)) {
        const inner = value.slice(1, -1);
        return quote === "'" ? inner.replace(/''/g, "'") : inner;
    }
    return value;
}
/**
 * The entries, each field as written (the registry is validated and normalised
 * by the caller). Every password is masked, also that of a bad entry.
 */
function parseRegistryAuth(value, report) {
    const entries = [];
    const fix = 'write one entry per registry: a line "- registry: host", then "  username: …" and "  password: …" below it, as login-action takes it';
    value.split('\n').forEach((raw, index) => {
        const line = raw.replace(/\s+$/, '');
        if (line.trim() === '' || /^\s*#/.test(line))
            return;
        const m = /^(\s*)(- +)?([A-Za-z-]+):(?:\s+([\s\S]*))?$/.exec(line);
        const key = m?.[3];
        if (!m || !KEYS.includes(key) || (m[2] === undefined && entries.length === 0)) {
            // The line may hold a password: mask what follows the first colon, and say only where it is.
            const colon = line.indexOf(':');
            if (colon >= 0)
                report.mask(unquoted(line.slice(colon + 1).trim()));
            report.problem('registry-auth', `line ${index + 1} is not a registry, username or password line`, fix);
            return;
        }
        if (m[2] !== undefined)
            entries.push({ line: index + 1 });
        const entry = entries[entries.length - 1];
        const text = unquoted((m[4] ?? '').trim());
        if (key === 'password')
            report.mask(text);
        if (entry[key] !== undefined) {
            report.problem('registry-auth', `the entry of line ${entry.line} gives ${key} twice`, fix);
            return;
        }
        entry[key] = text;
    });
    // As with the username and password inputs: an entry without both logs in to nothing, with a warning.
    return entries.filter((entry) => {
        const missing = KEYS.filter((k) => k !== 'registry' && (entry[k] ?? '') === '');
        if (missing.length > 0) {
            report.warn('registry-auth', `The registry-auth entry of line ${entry.line} has no ${missing.join(' and no ')}, so the action does not log in to ${entry.registry || 'docker.io'} (a secret is empty on pull requests from forks).`);
        }
        return missing.length === 0;
    });
}

;// CONCATENATED MODULE: ./src/inputs/logins.ts
// The logins: the `registry` input with `username` and `password`, and the
// `registry-auth` list (registry-auth.ts), one login per registry; and whether a
// fork's pull request can push at all. Pure: the user's docker config comes in
// through the environment.


/**
 * A registry host[:port]; a URL such as https://index.docker.io/v1/ is reduced to
 * its host (registryHost), normalised (`docker.io` for Docker Hub and its aliases).
 */
function parseRegistry(value, report, input = 'registry') {
    if (value === '')
        return DOCKER_HUB;
    const { written, host, path } = registryHost(value);
    if (path !== '' || !isValidDomain(written)) {
        report.problem(input, `'${value}' is not a registry host`, 'write a host with an optional port from 1 to 65535, such as ghcr.io or localhost:5000');
    }
    return host;
}
/** The logins: the username and password inputs (to `registry`), then registry-auth's, one per registry. */
function parseLogins(raw, registry, report) {
    const single = parseCredentials(raw, report);
    const logins = single ? [{ registry, ...single }] : [];
    for (const entry of parseRegistryAuth(raw['registry-auth'], report)) {
        const host = parseRegistry(entry.registry ?? '', report, 'registry-auth');
        if (logins.some((l) => l.registry === host)) {
            report.problem('registry-auth', `${host} is logged in to twice (line ${entry.line}${single && host === registry ? ', and by the username and password inputs' : ''})`, 'give each registry one login');
        }
        else
            logins.push({ registry: host, username: entry.username ?? '', password: entry.password ?? '' });
    }
    return logins;
}
function parseCredentials(raw, report) {
    // HTTP basic authentication, which every registry login ends in, cannot carry a ':' in the user name.
    if (/[\s:]/.test(raw.username)) {
        report.problem('username', `'${raw.username}' has ${raw.username.includes(':') ? "a ':'" : 'white space'}, which no registry user name can hold`, 'give the user name alone (the password or token goes in password)');
    }
    if (raw.username !== '' && raw.password !== '')
        return { username: raw.username, password: raw.password };
    if (raw.username !== '' || raw.password !== '') {
        const [set, unset] = raw.username !== '' ? ['username', 'password'] : ['password', 'username'];
        report.warn(unset, `Input '${set}' is set but '${unset}' is empty, so the action does not log in (a secret is empty on pull requests from forks).`);
    }
    return undefined;
}
/**
 * A pull request from a fork gets no secrets, so a push without credentials to a
 * registry the docker config has no login for would fail after the whole build:
 * the image is built and not pushed, with a warning that says how to fix the
 * workflow. The reason (for the summary), or undefined when the push goes ahead.
 */
function forkWithoutLogin(env, logins, images, report) {
    const fork = env.event.fork;
    const config = env.dockerConfig;
    if (fork === undefined || config.credsStore !== undefined)
        return undefined;
    const without = [...new Set(images.map((i) => i.domain))].filter((r) => !logins.some((l) => l.registry === r) && !config.registries.includes(r));
    if (without.length === 0)
        return undefined;
    const reason = `a pull request from the fork ${fork} gets no secrets, and there is no login for ${without.join(', ')}`;
    report.warn('push', `Not pushing: ${reason}, so the push would fail. The image is built, and the outputs say nothing was pushed. Fix: push only outside pull requests (push: \${{ github.event_name != 'pull_request' }}), or give username and password for a registry that fork pull requests may push to.`);
    return reason;
}

;// CONCATENATED MODULE: ./src/inputs/merge.ts
// One image from many runners: `merge: part` makes a build job of a matrix push its
// one platform as a part, under a tag of the commit and the platform
// (`sha-abc1234-linux-arm64`); `merge: linux/amd64, linux/arm64` makes the merge
// job find every part of this commit and put them into one index under the real
// tags. Pure: the input (the part tags are tags.ts's, the merge's steps the plan's).


/**
 * `merge`: '' (no merge), `part`, or the platforms to merge. Both need the commit
 * (GITHUB_SHA) and `push`; a part is one platform of a build; a merge builds nothing.
 */
function parseMerge(raw, env, push, report) {
    const value = raw.merge.trim();
    if (value === '')
        return undefined;
    const needs = (what, fix) => report.problem('merge', what, fix);
    if (env.event.sha === '') {
        needs('a merge of parts needs the commit the parts are of, and GITHUB_SHA is not set', 'run it in a workflow');
    }
    if (!push)
        needs(`merge: ${value} pushes, and push is false`, 'leave push at true, or remove merge');
    if (raw.save !== '')
        needs('the parts and the index of a merge are pushed, not saved', 'remove save, or merge');
    if (value.toLowerCase() === 'part') {
        const platforms = parseList(raw.platforms || raw.platform);
        if (platforms.length !== 1) {
            needs(`a part is one platform, and platforms gives ${platforms.length === 0 ? 'none' : platforms.length}`, 'give each job of the matrix its one platform, such as platforms: ${{ matrix.platform }}');
        }
        if (raw['source-image'] !== '')
            needs('a part is built, and source-image is set', 'remove source-image');
        return { kind: 'part', platform: platforms[0] ?? '' };
    }
    const platforms = [...new Set(parseList(value))];
    const bad = platforms.filter((p) => !isPlatform(p));
    if (bad.length > 0) {
        needs(`'${bad.join(', ')}' ${bad.length > 1 ? 'are not platforms' : 'is not a platform'}`, 'write part in a build job, and in the merge job the platforms to merge, such as linux/amd64, linux/arm64');
    }
    if (raw['source-image'] !== '')
        needs('a merge builds nothing, and source-image is set', 'remove source-image');
    return { kind: 'index', platforms };
}
/** The inputs a merge job ignores: it builds nothing and needs no checkout. */
const NOT_MERGED = [
    'file',
    'build-args',
    'labels',
    'target',
    'platforms',
    'platform',
    'cache-from',
    'cache-to',
    'secrets'
];

;// CONCATENATED MODULE: ./src/inputs/repositories.ts



/**
 * Each repository, lowercased when only its path has uppercase letters, and put on
 * the `registry` input's host when it names none.
 */
function parseImages(raw, registry, report) {
    const lowercased = [];
    const names = [...new Set(parseList(raw.images))];
    if (names.length === 0)
        report.problem('images', 'no repository given', 'list one or more repositories, such as alice/app or ghcr.io/org/app');
    const repositories = names.flatMap((written) => {
        const lowered = lowercaseRepository(written);
        if (!lowered.ok) {
            report.problem('images', lowered.problem, lowered.fix);
            return [];
        }
        const name = lowered.value;
        if (name !== written)
            lowercased.push({ input: 'images', written, used: name });
        const parsed = parseRepository(name, registry);
        if (!parsed.ok) {
            report.problem('images', parsed.problem, parsed.fix);
            return [];
        }
        const repository = parsed.value;
        if (isImplicitLibrary(repository)) {
            const image = repository.path.slice('library/'.length);
            report.problem('images', `'${written}' is a Docker Hub repository without an account, which only Docker's official images have`, `write '${raw.username || '<username>'}/${image}' (your Docker Hub account or organisation), or 'library/${image}' if you publish an official image`);
            return [];
        }
        return [repository];
    });
    return { value: [...new Map(repositories.map((r) => [r.name, r])).values()], lowercased };
}
/**
 * An image reference with its repository lowercased as images are
 * (`ghcr.io/${{ github.repository }}:main` with `Octo-Org/App`), the tag kept as
 * written; a reference whose registry host has uppercase letters is a problem
 * (undefined).
 */
function lowercased(input, written, report) {
    const lowered = lowercaseReference(written);
    if (!lowered.ok) {
        // source-image is one value: refused whole, so the reference check adds no second problem.
        report.refuse(input, lowered.problem, lowered.fix);
        return undefined;
    }
    const changed = lowered.value !== written ? [{ input, written, used: lowered.value }] : [];
    return { value: lowered.value, lowercased: changed };
}
/**
 * source-image: a tarball's path as written (a file name keeps its case), or an
 * image reference lowercased as images are.
 */
function parseSourceImage(raw, report) {
    const written = raw['source-image'];
    if (written === '' || formatOf(written) !== undefined)
        return { value: written, lowercased: [] };
    return lowercased('source-image', written, report) ?? { value: written, lowercased: [] };
}
/** One notice for every repository name that was lowercased, whichever input it came from. */
function noticeLowercased(lowercased, report) {
    const distinct = [...new Map(lowercased.map((l) => [`${l.input}\n${l.written}`, l])).values()];
    if (distinct.length === 0)
        return;
    const [first] = distinct;
    report.notice(first.input, distinct.length === 1
        ? `'${first.written}' has uppercase letters, which docker does not allow in repository names; using '${first.used}'.`
        : `Docker does not allow uppercase letters in repository names; using ${distinct.map((l) => `'${l.used}' for '${l.written}' (${l.input})`).join(', ')}.`);
}

;// CONCATENATED MODULE: ./src/inputs/tags.ts


const tags_NUMBER = '(0|[1-9]\\d*)';
const IDENTIFIERS = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const SEMVER_RE = new RegExp(`^v?${tags_NUMBER}\\.${tags_NUMBER}\\.${tags_NUMBER}(?:-(${IDENTIFIERS}))?(?:\\+(${IDENTIFIERS}))?$`);
function parseSemver(tag) {
    const m = SEMVER_RE.exec(tag);
    if (!m)
        return undefined;
    const prerelease = m[4] ?? '';
    // semver: numeric prerelease identifiers have no leading zeros.
    if (prerelease.split('.').some((id) => /^0\d+$/.test(id)))
        return undefined;
    return { major: m[1], minor: m[2], patch: m[3], prerelease, build: m[5] ?? '' };
}
/**
 * A ref name as a valid tag: each run of characters outside [A-Za-z0-9_.-]
 * becomes `-`, leading `.` and `-` are dropped, and it is cut to the longest tag docker accepts.
 * '' when nothing is left.
 */
function tagOf(name) {
    return name
        .replace(/[^A-Za-z0-9_.-]+/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, TAG_MAX);
}
const NO_VARIANT = { prefix: '', suffix: '' };
/** A tag of the variant: `tag` between the prefix and the suffix. */
function affixed(tag, variant = NO_VARIANT) {
    return `${variant.prefix}${tag}${variant.suffix}`;
}
/**
 * What `latest` is for a variant: its name alone, the affixes with `latest` taken
 * out from between them and the separator there kept once (`-alpine` → `alpine`,
 * `alpine-` → `alpine`, `v2-` and `-alpine` → `v2-alpine`); `latest` without one.
 */
function latestOf(variant = NO_VARIANT) {
    const prefix = variant.prefix.replace(/[-_.]+$/, '');
    if (prefix === '' && variant.suffix === '')
        return 'latest';
    if (variant.suffix === '')
        return prefix;
    return prefix === '' ? variant.suffix.replace(/^[-_.]+/, '') : `${prefix}${variant.suffix}`;
}
function autoTags(event, options = {}) {
    const variant = options.variant ?? NO_VARIANT;
    const shaTag = event.sha === '' || options.sha === false ? [] : [`sha-${event.sha.slice(0, 7)}`];
    // A branch name is cut so that the variant's affixes still fit in a tag.
    const main = mainTags(event, TAG_MAX - variant.prefix.length - variant.suffix.length);
    const tagName = main.latest ? undefined : stripPrefix(event.ref, 'refs/tags/');
    return {
        tags: [...main.tags, ...shaTag].map((tag) => affixed(tag, variant)),
        latestIndex: main.tags.length,
        latestByDefault: main.latest,
        version: main.version,
        ...(tagName !== undefined && parseSemver(tagName) === undefined && event.pullRequest === undefined
            ? { notRelease: { tag: tagName, nearSemver: isNearSemver(tagName) } }
            : {})
    };
}
/**
 * A tag name that reads as a version but is not semver: `V1.2.3`, `v1.2`,
 * `v01.2.3`, `1.2.3.4`. Most often a typo of a release tag.
 */
function isNearSemver(name) {
    return (parseSemver(name) === undefined && /^[vV]*\d+(?:\.\d+)*(?:[-+.][0-9A-Za-z.+-]*)?$/.test(name) && /[vV.]/.test(name));
}
function mainTags(event, room = TAG_MAX) {
    if (event.pullRequest !== undefined) {
        const tag = `pr-${event.pullRequest}`;
        return { tags: [tag], latest: false, version: tag };
    }
    if (event.name === 'schedule')
        return { tags: ['nightly'], latest: false, version: 'nightly' };
    const tagName = stripPrefix(event.ref, 'refs/tags/');
    if (tagName !== undefined) {
        const semver = parseSemver(tagName);
        // Only a semver release moves latest: a typo (V1.2.3) or any other name does not (latest: true does).
        if (semver === undefined)
            return named(tagName, false, room);
        const { major, minor, patch, prerelease, build } = semver;
        const core = `${major}.${minor}.${patch}`;
        const version = `${core}${prerelease && `-${prerelease}`}${build && `+${build}`}`;
        // A tag cannot hold `+`; build metadata follows `_`, as Helm does for OCI tags.
        const full = tagOf(`${core}${prerelease && `-${prerelease}`}${build && `_${build}`}`);
        if (prerelease !== '')
            return { tags: [full], latest: false, version };
        // `0` would claim that every 0.x release is compatible with the last one.
        const moving = major === '0' ? [`${major}.${minor}`] : [`${major}.${minor}`, major];
        return { tags: [full, ...moving], latest: true, version };
    }
    const branch = stripPrefix(event.ref, 'refs/heads/');
    if (branch !== undefined)
        return named(branch, false, room);
    // Outside GitHub Actions there is no ref at all: `auto` is docker's own default, latest.
    return { tags: [], latest: event.ref === '', version: '' };
}
function named(refName, latest, room) {
    const tag = tagOf(refName);
    // The version is the name; its tag is cut to the room the variant's affixes leave.
    return tag === '' ? { tags: [], latest, version: '' } : { tags: [tag.slice(0, room)], latest, version: tag };
}
function stripPrefix(ref, prefix) {
    return ref.startsWith(prefix) && ref.length > prefix.length ? ref.slice(prefix.length) : undefined;
}
/**
 * Expands `auto` in the tags input (with the sha- tag unless `options.sha` is
 * false, and the variant's affixes), then applies the `latest` input (the
 * variant's latest: latestOf); duplicates removed, first place kept. Tags written
 * out are kept as written.
 */
function expandTags(entries, event, latest, options = {}) {
    const auto = autoTags(event, options);
    const latestTag = latestOf(options.variant);
    const withLatest = latest === 'true' || (latest === 'auto' && auto.latestByDefault);
    const expanded = entries.flatMap((entry) => {
        if (entry !== 'auto')
            return [entry];
        const tags = [...auto.tags];
        if (withLatest)
            tags.splice(auto.latestIndex, 0, latestTag);
        return tags;
    });
    if (latest === 'true' && !expanded.includes(latestTag))
        expanded.push(latestTag);
    return [...new Set(expanded)];
}
/**
 * The tag a part of `platform` gets in a merge (`merge: part`):
 * `sha-<7>-<os>-<arch>[-<variant>]`, between an image variant's affixes
 * (tag-prefix, tag-suffix), so that the parts of two variants of one commit are apart.
 */
function partTag(sha, platform, variant = NO_VARIANT) {
    return affixed(`sha-${sha.slice(0, 7)}-${platform.split('/').join('-')}`, variant);
}
/**
 * `tag-prefix` and `tag-suffix`: the affixes of an image variant's automatic tags.
 * A prefix starts a tag, so it starts with a letter, a digit or `_`; both hold only
 * what a tag may.
 */
function parseVariant(raw, report) {
    const check = (input, value, rule, example) => {
        if (value === '' || (rule.test(value) && value.length <= 64))
            return value;
        report.problem(input, `'${value}' cannot be part of a tag`, `write up to 64 letters, digits, _ . and -${input === 'tag-prefix' ? ', starting with a letter, digit or _' : ''}, such as ${example}`);
        return '';
    };
    return {
        prefix: check('tag-prefix', raw['tag-prefix'], /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'alpine-'),
        suffix: check('tag-suffix', raw['tag-suffix'], /^[A-Za-z0-9_.-]+$/, '-alpine')
    };
}
function parseTags(raw, event, variant, report) {
    let latest = raw.latest === '' ? 'auto' : raw.latest.toLowerCase();
    if (!['auto', 'true', 'false'].includes(latest)) {
        report.problem('latest', `'${raw.latest}' is not auto, true or false`, 'write auto (latest on releases), true (always) or false (never)');
        latest = 'auto';
    }
    const entries = parseList(raw.tags);
    const sha = parseBoolean(raw, 'sha-tag', true, report);
    const tags = expandTags(entries.length === 0 ? ['auto'] : entries, event, latest, { sha, variant });
    const notRelease = autoTags(event).notRelease;
    if (latest === 'auto' && notRelease && (entries.length === 0 || entries.includes('auto'))) {
        const { tag, nearSemver } = notRelease;
        report.notice('latest', `The Git tag '${tag}' is not a semantic version${nearSemver ? ' (semver.org: MAJOR.MINOR.PATCH without leading zeros, with an optional lowercase v)' : ''}, so latest: auto does not move ${latestOf(variant)}. ${nearSemver ? `Name the release like v1.2.3 to get the version tags and ${latestOf(variant)}, or set` : 'Set'} latest: true to move it on this tag.`);
    }
    for (const tag of tags.filter((t) => !isValidTag(t))) {
        const reference = asReference(tag);
        if (reference !== undefined) {
            // build-push-action's tags input takes full references; here the repository is the images input.
            const { repository, tagName } = reference;
            const only = tagName === '' ? 'only tag names such as latest or 1.2.3' : `only the tag '${tagName}'`;
            report.problem('tags', `'${tag}' is ${tagName === '' ? 'a repository' : 'a full image reference'}, not a tag`, `write the repository '${repository}' in images and ${only} in tags (each tag applies to every repository in images)`);
            continue;
        }
        const shown = tag.length > 40 ? `${tag.slice(0, 40)}… (${tag.length} characters)` : tag;
        report.problem('tags', `'${shown}' is not a valid tag`, tagFix);
    }
    if (tags.length === 0)
        report.problem('tags', 'no tag is left: auto gives none on this event and latest is false', 'list the tags, or set latest to auto or true');
    return tags;
}
/** A tags entry that is a repository with an optional tag (`ghcr.io/org/app:1.2.3`), or undefined. */
function asReference(entry) {
    const slash = entry.lastIndexOf('/');
    const colon = entry.lastIndexOf(':');
    const [repository, tagName] = colon > slash ? [entry.slice(0, colon), entry.slice(colon + 1)] : [entry, ''];
    if (slash < 0 && tagName === '')
        return undefined;
    const parsed = parseRepository(repository.toLowerCase());
    return parsed.ok && (tagName === '' || isValidTag(tagName)) ? { repository, tagName } : undefined;
}

;// CONCATENATED MODULE: ./src/inputs/sign.ts

const COSIGN_RELEASES = 'https://github.com/sigstore/cosign/releases';
function parseSigning(raw, env, push, report) {
    // Masked first, whatever else is wrong: they are secrets.
    report.mask(raw['cosign-key']);
    for (const line of raw['cosign-key'].split('\n'))
        if (!line.startsWith('-----'))
            report.mask(line.trim());
    report.mask(raw['cosign-password']);
    const tlogUpload = parseBoolean(raw, 'tlog-upload', true, report);
    const downloadBase = raw['cosign-download-url'] || COSIGN_RELEASES;
    const mode = raw.sign.toLowerCase();
    if (mode === '' || mode === 'false') {
        if (raw['cosign-key'] !== '')
            report.warn('cosign-key', 'cosign-key is set, but sign is false, so nothing is signed.');
        return undefined;
    }
    if (mode !== 'keyless' && mode !== 'key') {
        report.problem('sign', `'${raw.sign}' is not false, keyless or key`, 'write keyless (Sigstore, with the job’s OIDC token) or key (with cosign-key and cosign-password), or false');
        return undefined;
    }
    if (!push)
        report.problem('sign', 'sign signs what is pushed, and push is false', 'set push to true, or remove sign');
    if (mode === 'key' && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(raw['cosign-key'])) {
        report.problem('cosign-key', raw['cosign-key'] === ''
            ? 'sign: key needs the private key, and cosign-key is empty'
            : 'cosign-key is not a PEM private key (its text is not shown)', 'give the text of the key cosign generate-key-pair wrote (cosign.key) from a secret: cosign-key: ${{ secrets.COSIGN_PRIVATE_KEY }}');
    }
    if (mode === 'keyless' && (!env.oidc || !env.event.sourceUrl)) {
        report.problem('sign', 'keyless signing needs the job’s OIDC token, and this job has none', 'give the job permissions: id-token: write (and packages: write to push), or sign with a key (sign: key)');
    }
    return { mode, tlogUpload, key: raw['cosign-key'], password: raw['cosign-password'], downloadBase };
}

;// CONCATENATED MODULE: ./src/inputs/inputs.ts
// Turns the action's raw inputs into a typed, validated `Inputs` object, each
// input parsed once: the logins (logins.ts), the repositories and references
// (repositories.ts), the tags (tags.ts), what makes the image (build.ts, merge.ts)
// and the tarball (tarball.ts). Every problem is collected with its fix before
// anything runs. Pure: the machine's facts come in through the environment.











function parseInputs(raw, environment) {
    const report = new Report();
    refuseControlCharacters(raw, report);
    // A buildx release asked for is fetched before the build: every rule sees buildx installed.
    const buildx = parseBuildxRelease(raw, report);
    const env = buildx && !environment.buildx ? { ...environment, buildx: true } : environment;
    // Problems come out in a fixed order: where and what to push, then how to build, then save.
    const registry = parseRegistry(raw.registry, report);
    const logins = parseLogins(raw, registry, report);
    const images = parseImages(raw, registry, report);
    const variant = parseVariant(raw, report);
    const givenTags = parseTags(raw, env.event, variant, report);
    const pushInput = parseBoolean(raw, 'push', true, report);
    const merge = parseMerge(raw, env, pushInput, report);
    // A merge has nothing to show without its push: a fork's pull request is skipped for builds only.
    const pushSkipped = pushInput && !merge ? forkWithoutLogin(env, logins, images.value, report) : undefined;
    const push = pushInput && pushSkipped === undefined;
    // A part goes under its commit-and-platform tag only; the merge job gives the real tags.
    const tags = merge?.kind === 'part' ? [partTag(env.event.sha, merge.platform, variant)] : givenTags;
    const version = autoTags(env.event).version;
    const flags = {
        pull: parseBoolean(raw, 'pull', false, report),
        noCache: parseBoolean(raw, 'no-cache', false, report),
        load: parseBoolean(raw, 'load', false, report)
    };
    const cacheFrom = parseCacheSpecs(raw, 'cache-from', report);
    const cacheTo = parseCacheSpecs(raw, 'cache-to', report);
    const cache = parseCacheMode(raw, report);
    const sourceImage = parseSourceImage(raw, report);
    const source = merge?.kind === 'index'
        ? mergeSource(raw, merge.platforms, env.event.sha, report)
        : parseSource(raw, { cacheFrom: cacheFrom.value, cacheTo: cacheTo.value, cache, sourceImage: sourceImage.value }, env, {
            ...flags,
            defaultLabels: ociLabels(env.event, version, env.created.date),
            // BuildKit (0.11 and later) dates the image config and its history from it, so a rebuild matches.
            sourceDateEpoch: env.created.source === 'now' ? undefined : env.created.date.getTime() / 1000
        }, report);
    noticeLowercased([...images.lowercased, ...cacheFrom.lowercased, ...cacheTo.lowercased, ...sourceImage.lowercased], report);
    const save = parseSave(raw, env, report);
    if (save && source.kind === 'build')
        warnTarballInContext(save, source.build.context, env, report);
    if (save && push && source.kind === 'build' && source.build.provenance !== 'false' && env.buildx) {
        report.problem('save', 'an image with a provenance attestation is pushed by buildx and not loaded into the engine, so it cannot be saved', 'save without provenance (provenance: false), or push the attested image and pull it where you need it');
    }
    else if (save && source.kind === 'build' && source.build.platforms.length > 1) {
        report.problem('save', `a tarball for docker load holds one platform per tag, and platforms lists ${source.build.platforms.length}`, 'save one platform (a job of its own with platforms set to it), or push the image index and pull the platform you need');
    }
    if (flags.load && source.kind === 'build' && source.build.platforms.length > 1) {
        report.problem('load', `the engine holds one platform per tag, and platforms lists ${source.build.platforms.length}`, 'load one platform (a job of its own with platforms set to it), or push the image index and pull the platform you need');
    }
    const sign = parseSigning(raw, env, push || pushInput, report);
    const attempts = parseRetries(raw.retries, report);
    const summary = parseBoolean(raw, 'summary', true, report);
    const dryRun = parseBoolean(raw, 'dry-run', false, report);
    const keepLogin = parseBoolean(raw, 'keep-login', false, report);
    if (keepLogin && logins.length === 0) {
        report.warn('keep-login', 'keep-login is set, but the action logs in to no registry (no username and password, no registry-auth), so there is no login to keep.');
    }
    const cleanup = parseCleanup(raw, env, push || save !== undefined, report);
    const inputs = {
        registry,
        logins,
        keepLogin,
        cleanup,
        images: images.value,
        variant,
        tags,
        version,
        source,
        push,
        sign,
        buildx,
        load: flags.load && source.kind === 'build',
        save,
        attempts,
        summary,
        dryRun,
        ...(pushSkipped === undefined ? {} : { pushSkipped })
    };
    const { problems, warnings, notices, masks } = report;
    return problems.length > 0
        ? { ok: false, problems, warnings, notices, masks }
        : { ok: true, inputs, warnings, notices, masks };
}
/** A merge job builds nothing: the build inputs it is given are said to be ignored. */
function mergeSource(raw, platforms, sha, report) {
    const ignored = NOT_MERGED.filter((name) => raw[name] !== '');
    if (ignored.length > 0) {
        report.warn('merge', `merge builds nothing, so ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} ignored.`);
    }
    return { kind: 'merge', platforms, sha };
}
/**
 * `cleanup`: true, false, or auto (the default): on a self-hosted runner, whose
 * engine keeps every run's tags, true once the image went somewhere else (pushed
 * or saved); on a GitHub-hosted runner, whose machine is thrown away after the
 * job, false (removing tags there costs time and saves nothing).
 */
function parseCleanup(raw, env, delivered, report) {
    const value = raw.cleanup.toLowerCase();
    if (value === '' || value === 'auto')
        return env.selfHosted && delivered;
    if (value === 'true' || value === 'false')
        return value === 'true';
    report.problem('cleanup', `'${raw.cleanup}' is not auto, true or false`, 'write auto (on self-hosted runners), true or false');
    return false;
}
const DEFAULT_ATTEMPTS = 3;
const MAX_ATTEMPTS = 10;
function parseRetries(value, report) {
    if (value === '')
        return DEFAULT_ATTEMPTS;
    if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_ATTEMPTS)
        return Number(value);
    report.problem('retries', `'${value}' is not a number of attempts from 1 to ${MAX_ATTEMPTS}`, `write a whole number such as ${DEFAULT_ATTEMPTS} (1 turns retries off)`);
    return DEFAULT_ATTEMPTS;
}

;// CONCATENATED MODULE: ./src/inputs/names.ts
// The action's inputs as action.yml names them (a unit test reads action.yml and
// compares), and their raw values as the runner passes them.
const INPUT_NAMES = [
    'registry',
    'username',
    'password',
    'registry-auth',
    'keep-login',
    'images',
    'tags',
    'latest',
    'sha-tag',
    'tag-prefix',
    'tag-suffix',
    'context',
    'file',
    'build-args',
    'labels',
    'target',
    'platform',
    'platforms',
    'provenance',
    'builder',
    'buildx-version',
    'buildx-download-url',
    'network',
    'pull',
    'no-cache',
    'source-image',
    'merge',
    'push',
    'load',
    'save',
    'save-compression-level',
    'cache',
    'cache-from',
    'cache-to',
    'retries',
    'secrets',
    'cleanup',
    'summary',
    'sign',
    'cosign-key',
    'cosign-password',
    'tlog-upload',
    'cosign-download-url',
    'dry-run'
];

;// CONCATENATED MODULE: ./src/plan/render.ts
// The one edge where the plan becomes docker arguments: every argument array the
// run gives docker is made here, from a typed step, and nowhere else. The phases
// run these arrays (never a shell string); the dry run prints them
// (command-lines.ts). Pure.

/** `docker login` to one registry, the password on standard input. Without a server docker logs in to Docker Hub. */
function loginArgs(login) {
    const server = login.registry === DOCKER_HUB ? [] : [login.registry];
    return ['login', '--username', login.username, '--password-stdin', ...server];
}
/** The arguments that choose the buildx builder, in front of every buildx command of a build. */
function builderArgs(name) {
    return name === '' ? [] : ['--builder', name];
}
/**
 * The build. With buildx: `--push` and `--load` as the step's exports say, and
 * `--provenance` always, as buildx otherwise adds an attestation of its own accord
 * (and one platform then becomes an index).
 */
function buildArgs(step) {
    const args = step.provenance === undefined
        ? ['build']
        : [
            'buildx',
            'build',
            ...builderArgs(step.builderName),
            ...step.exports.map((e) => `--${e}`),
            `--provenance=${step.provenance}`
        ];
    if (step.file !== undefined)
        args.push('--file', step.file);
    for (const ref of step.refs)
        args.push('--tag', ref);
    for (const { key, value } of step.buildArgs)
        args.push('--build-arg', `${key}=${value}`);
    if (step.sourceDateEpoch !== undefined)
        args.push('--build-arg', `SOURCE_DATE_EPOCH=${step.sourceDateEpoch}`);
    for (const { key, value } of step.labels)
        args.push('--label', `${key}=${value}`);
    if (step.target !== '')
        args.push('--target', step.target);
    if (step.platforms.length > 0)
        args.push('--platform', step.platforms.join(','));
    if (step.network !== '')
        args.push('--network', step.network);
    if (step.pull)
        args.push('--pull');
    if (step.noCache)
        args.push('--no-cache');
    for (const from of step.cacheFrom)
        args.push('--cache-from', from);
    for (const to of step.cacheTo)
        args.push('--cache-to', to);
    // The value stays in the build process's environment; only its variable's name is an argument.
    for (const { id, env } of step.secrets)
        args.push('--secret', `id=${id},env=${env}`);
    if (step.inlineCache)
        args.push('--build-arg', 'BUILDKIT_INLINE_CACHE=1');
    if (step.metadataFile !== undefined)
        args.push('--metadata-file', step.metadataFile);
    args.push('--iidfile', step.iidFile, step.context);
    return args;
}
/** `docker pull` of an image (a cache-from image, a source to retag); of one platform of it when given. */
function pullArgs(ref, platform) {
    return ['pull', ...(platform === undefined ? [] : ['--platform', platform]), ref];
}
function pushArgs(ref) {
    return ['push', ref];
}
/** `docker image tag SOURCE REF`: a retag, a loaded image, or a tag put back after another run moved it. */
function tagArgs(source, ref) {
    return ['image', 'tag', source, ref];
}
/** `docker image rm` of tags by name:tag (never by ID, which would take tags of others with it). */
function removeArgs(refs) {
    return ['image', 'rm', ...refs];
}
/** `docker image inspect` of local images, one line per image found in the Go template's shape. */
function inspectArgs(refs, format) {
    return ['image', 'inspect', '--format', format, ...refs];
}
/** `docker buildx version`: which buildx the CLI finds. */
function buildxVersionArgs() {
    return ['buildx', 'version'];
}
/** `docker info` of the engine, in the Go template's shape. */
function infoArgs(format) {
    return ['info', '--format', format];
}
function saveArgs(refs) {
    return ['image', 'save', ...refs];
}
/** `docker load` of a tarball given on its standard input (phases/load.ts streams it, its names taken out). */
function loadArgs() {
    return ['load'];
}
/** `docker buildx imagetools`: buildx's client for images in registries. */
const IMAGETOOLS = ['buildx', 'imagetools'];
/** A manifest or index as the registry serves it, byte for byte (`--raw`), or a Go template of what it holds. */
function imagetoolsInspectArgs(ref, options = {}) {
    const how = options.format === undefined ? ['--raw'] : ['--format', options.format];
    return [...IMAGETOOLS, 'inspect', ...builderArgs(options.builderName ?? ''), ...how, ref];
}
/**
 * `imagetools create`: `sources` copied into one image under every ref, registry-side.
 * `preferIndex: false` keeps one manifest as it is (buildx 0.14 and later) instead of
 * wrapping it in a new index.
 */
function imagetoolsCreateArgs(refs, sources, options = {}) {
    const prefer = options.preferIndex === false ? ['--prefer-index=false'] : [];
    return [...IMAGETOOLS, 'create', ...prefer, ...refs.flatMap((ref) => ['--tag', ref]), ...sources];
}
/** `imagetools create --help`, to learn what this buildx can do. */
function imagetoolsHelpArgs() {
    return [...IMAGETOOLS, 'create', '--help'];
}
/** The docker CLI's own reading of a manifest or list in a registry (it trusts /etc/docker/certs.d). */
function manifestInspectArgs(ref, insecure = false) {
    return ['manifest', 'inspect', ...(insecure ? ['--insecure'] : []), ref];
}
/** The commands that make one repository's index of a merge, in order. */
function mergeArgs(step, repository) {
    const parts = repository.parts.map((p) => p.ref);
    if (step.tool === 'imagetools')
        return [imagetoolsCreateArgs(repository.refs, parts)];
    const insecure = repository.insecure ? ['--insecure'] : [];
    // The run's own docker config holds the lists (main.ts): a list of this name is never another run's, so no --amend.
    return repository.refs.flatMap((ref) => [
        ['manifest', 'create', ...insecure, ref, ...parts],
        ['manifest', 'push', ...insecure, '--purge', ref]
    ]);
}
/** What cosign's signing reads from its environment (Secrets.cosignEnv), never its argv. */
const COSIGN_KEY_VARIABLE = 'COSIGN_PRIVATE_KEY';
/**
 * `cosign sign` of one `repository@digest` (never a tag): with the key read from
 * the cosign process's environment (`env://`), or keyless; without the
 * transparency log when tlog-upload is false (cosign 3.1 wants both flags).
 */
function cosignSignArgs(ref, sign) {
    return [
        'sign',
        '--yes',
        ...(sign.mode === 'key' ? ['--key', `env://${COSIGN_KEY_VARIABLE}`] : []),
        ...(sign.tlogUpload ? [] : ['--tlog-upload=false', '--use-signing-config=false']),
        ref
    ];
}
/** The `cosign verify` command that checks a signature made so (`cosign.pub`: the key's public half). */
function cosignVerifyArgs(ref, sign) {
    const who = sign.mode === 'key'
        ? ['--key', 'cosign.pub']
        : [
            '--certificate-identity',
            sign.identity,
            '--certificate-oidc-issuer',
            'https://token.actions.githubusercontent.com'
        ];
    return ['verify', ...who, ...(sign.tlogUpload ? [] : ['--insecure-ignore-tlog=true']), ref];
}

;// CONCATENATED MODULE: ./src/docker/limit.ts
// Bounded concurrency for independent docker commands (pushes). Pure: no docker here.
/**
 * How many docker pushes or pulls run at once. The engine uploads a push's
 * layers itself, several at a time; more CLIs at once than this only queue there.
 */
const CONCURRENCY = 4;
/** Returns a function that runs the tasks given to it, at most `limit` at a time, in the order given. */
function limiter(limit) {
    let running = 0;
    const waiting = [];
    return async (task) => {
        if (running >= limit)
            await new Promise((resolve) => waiting.push(resolve));
        running++;
        try {
            return await task();
        }
        finally {
            running--;
            waiting.shift()?.();
        }
    };
}
/**
 * Waits for every promise, also after one has failed (so nothing is still running
 * when the caller cleans up), then gives all values or throws the first failure.
 */
async function settleAll(promises) {
    const results = await Promise.allSettled(promises);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed)
        throw failed.reason;
    return results.map((r) => r.value);
}

;// CONCATENATED MODULE: ./src/phases/annotations.ts
// Where in the Dockerfile a failed build went wrong, from the builder's output, so
// the error can be an annotation on that line (it then shows on the pull request's
// diff). Pure: the output and the Dockerfile's text come in as strings.


const normalise = (text) => text.replace(/\s+/g, ' ').trim().toLowerCase();
/** The line of the instruction whose text the builder printed, among `instructions`. */
function lineOfInstruction(instructions, printed) {
    const wanted = normalise(printed);
    return instructions.find((i) => normalise(i.text) === wanted)?.line;
}
/**
 * The line of BuildKit's `[name i/n] TEXT` step: the i-th instruction of that
 * stage (its FROM is 1), when its text is the one printed; else the first
 * instruction with that text in the stage, then in the whole file. Without a
 * name BuildKit means the stage being built, which is the last one that fits.
 */
function lineOfStep(instructions, stage, index, text) {
    const stages = stagesOf(instructions);
    const candidates = stage === undefined ? [...stages].reverse() : stages.filter((s) => s.name === stage.toLowerCase());
    for (const candidate of candidates) {
        const at = candidate.instructions[index - 1];
        if (at !== undefined && normalise(at.text) === normalise(text))
            return at.line;
    }
    for (const candidate of candidates) {
        const line = lineOfInstruction(candidate.instructions, text);
        if (line !== undefined)
            return line;
    }
    return lineOfInstruction(instructions, text);
}
/** The classic builder's `Step n/m : TEXT`: the n-th instruction of the file when its text is the one printed, else the first with that text. */
function lineOfClassicStep(instructions, index, text) {
    const at = instructions[index - 1];
    if (at !== undefined && normalise(at.text) === normalise(text))
        return at.line;
    return lineOfInstruction(instructions, text) ?? at?.line;
}
/** Values the Dockerfile's global ARGs (before the first FROM) default to, then the build args given. */
function argValues(instructions, buildArgs) {
    const values = {};
    for (const instruction of instructions) {
        if (/^FROM\s/i.test(instruction.text))
            break;
        const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(instruction.text);
        if (arg)
            values[arg[1]] = (arg[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
    }
    return { ...values, ...buildArgs };
}
/** An image reference as BuildKit prints it: `docker.io/library/alpine:latest` for `alpine`. */
function canonicalImage(ref) {
    let name = ref.replace(/@sha256:[a-f0-9]+$/, '');
    const slash = name.indexOf('/');
    const first = slash < 0 ? '' : name.slice(0, slash);
    if (!(/[.:]/.test(first) || first === 'localhost'))
        name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`;
    if (name.lastIndexOf(':') <= name.lastIndexOf('/'))
        name = `${name}:latest`;
    return name.toLowerCase();
}
/** The line of the FROM whose image (its ARGs filled in) is `image`. */
function lineOfBaseImage(instructions, image, buildArgs) {
    const values = argValues(instructions, buildArgs);
    const wanted = canonicalImage(image);
    for (const instruction of instructions) {
        const from = /^FROM\s+(?:--\S+\s+)*(\S+)/i.exec(instruction.text);
        if (!from)
            continue;
        const written = from[1].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name) => values[name] ?? '');
        if (written !== '' && canonicalImage(written) === wanted)
            return instruction.line;
    }
    return undefined;
}
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
/** What the docker CLI itself prints around a classic build (on stderr, read after the build's output). */
const CLI_NOISE = [
    /^DEPRECATED: The legacy builder/,
    /^\s+Install the buildx component/,
    /^\s+https:\/\/docs\.docker\.com\/go\/buildx/
];
/** At most this many of the failing step's own last lines go into the message. */
const LAST_LINES = 6;
/**
 * What the failing step printed last, as docker shows it: BuildKit's log lines
 * of that step (`#7 0.123 text`, or its error block), or what the classic
 * builder printed after `Step n/m`.
 */
function lastLinesOf(lines, step) {
    let out = [];
    if (step.vertex !== undefined) {
        const prefix = `#${step.vertex} `;
        out = lines
            .filter((l) => l.startsWith(prefix))
            .map((l) => l.slice(prefix.length))
            .filter((l) => /^\d+(?:\.\d+)? /.test(l))
            .map((l) => l.replace(/^\d+(?:\.\d+)? /, ''));
    }
    if (out.length === 0 && step.errorBlock !== undefined) {
        const end = lines.findIndex((l, i) => i > step.errorBlock && /^-{4,}$/.test(l.trim()));
        out = lines.slice(step.errorBlock + 1, end < 0 ? undefined : end).map((l) => l.replace(/^\d+(?:\.\d+)? /, ''));
    }
    if (out.length === 0 && step.classic !== undefined) {
        out = lines
            .slice(step.classic + 1)
            .map((l) => l.replace(ANSI, ''))
            .filter((l) => !/^ ---> /.test(l) &&
            !/^Removing intermediate container /.test(l) &&
            !CLI_NOISE.some((re) => re.test(l)) &&
            !/^The command '.*' returned a non-zero code: \d+$/.test(l));
    }
    return out
        .map((l) => l.replace(ANSI, '').trimEnd())
        .filter((l) => l.trim() !== '')
        .slice(-LAST_LINES)
        .map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
}
/**
 * The Dockerfile line a failed build points at, and its message, for:
 * - parse errors (`dockerfile parse error line 2` / `on line 2`), every builder;
 * - a base image that cannot be loaded (BuildKit's `[internal] load metadata for
 *   <image>`): the FROM that names it, ARGs filled in;
 * - buildx's context block (`Dockerfile:3` above the failing lines);
 * - BuildKit's failing step (` > [build 3/4] RUN make:`), in its own stage;
 * - the classic builder's last `Step 3/4 : RUN make` before its failure.
 * The message ends with the step's own last lines of output, as docker printed
 * them. Undefined when the output names no line.
 */
function dockerfileError(output, dockerfile, fileName = 'Dockerfile', buildArgs = {}) {
    const lines = output.split(/\r?\n/).map((l) => l.trimEnd());
    const reason = failureReason(lines);
    const instructions = instructionsOf(dockerfile);
    const parse = /dockerfile parse error (?:on )?line (\d+): (.+)$/.exec(output.split('\n').find((l) => /dockerfile parse error/.test(l)) ?? '');
    if (parse)
        return { line: Number(parse[1]), message: `Dockerfile parse error: ${parse[2].trim()}` };
    // A base image that cannot be loaded: BuildKit's metadata step fails before any Dockerfile step.
    const metadata = lines
        .map((l) => /^#(\d+) \[internal\] load metadata for (\S+)$/.exec(l))
        .filter((m) => m !== null)
        .find((m) => lines.some((l) => l.startsWith(`#${m[1]} ERROR: `)));
    if (metadata) {
        const line = lineOfBaseImage(instructions, metadata[2], buildArgs);
        const why = lines.find((l) => l.startsWith(`#${metadata[1]} ERROR: `)).slice(`#${metadata[1]} ERROR: `.length);
        if (line !== undefined)
            return {
                line,
                message: `${clip(textAt(instructions, line))}: the base image ${metadata[2]} could not be loaded: ${undouble(why)}`
            };
    }
    const step = lines
        .map((l, i) => ({ m: /^ > \[(?:(\S+) )?(\d+)\/\d+\] (.+):$/.exec(l), i }))
        .filter((x) => x.m !== null)
        .pop();
    const vertex = step &&
        lines
            .map((l) => /^#(\d+) \[(?:\S+ )?\d+\/\d+\] (.+)$/.exec(l))
            .filter((m) => m !== null && normalise(m[2]) === normalise(step.m[3]))
            .map((m) => m[1])
            .pop();
    const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const context = lines.map((l) => new RegExp(`^${escaped}:(\\d+)$`).exec(l.trim())).find((m) => m !== null);
    if (context) {
        const line = Number(context[1]);
        return {
            line,
            message: describe(textAt(instructions, line), reason, lastLinesOf(lines, { vertex, errorBlock: step?.i }))
        };
    }
    if (step) {
        const [, stage, index, text] = step.m;
        const line = lineOfStep(instructions, stage, Number(index), text);
        if (line !== undefined)
            return {
                line,
                message: describe(textAt(instructions, line), reason, lastLinesOf(lines, { vertex, errorBlock: step.i }))
            };
    }
    const classic = lines
        .map((l, i) => ({ m: /^Step (\d+)\/\d+ : (.+)$/.exec(l), i }))
        .filter((x) => x.m !== null)
        .pop();
    if (classic) {
        const line = lineOfClassicStep(instructions, Number(classic.m[1]), classic.m[2]);
        if (line !== undefined)
            return { line, message: describe(textAt(instructions, line), reason, lastLinesOf(lines, { classic: classic.i })) };
    }
    return undefined;
}
function textAt(instructions, line) {
    return instructions.find((i) => i.line === line)?.text;
}
function clip(instruction) {
    if (instruction === undefined)
        return 'this line';
    return instruction.length > 80 ? `${instruction.slice(0, 80)}…` : instruction;
}
/** The one-line message, then the step's own last lines, indented. */
function describe(instruction, reason, last = []) {
    const head = instruction === undefined ? reason : `${clip(instruction)} failed: ${reason}`;
    // The reason may be the step's last line itself (the classic builder's error): not twice.
    const shown = last.filter((l, i) => !(i === last.length - 1 && undouble(l.trim()) === reason.trim()));
    return shown.length === 0 ? head : [head, ...shown.map((l) => `  ${l}`)].join('\n');
}
/** The builder's own last word on why it failed. */
function failureReason(lines) {
    const patterns = [
        /The command '.*' returned a non-zero code: (\d+)/,
        /did not complete successfully: exit code: (\d+)/,
        /executor failed running \[.*\]: exit code: (\d+)/
    ];
    for (const line of [...lines].reverse()) {
        for (const re of patterns) {
            const m = re.exec(line);
            if (m)
                return `exit code ${m[1]}`;
        }
    }
    const last = [...lines].reverse().find((l) => l.trim() !== '' && !/^-+$/.test(l.trim()));
    return undouble((last ?? 'the build failed')
        .replace(ANSI, '')
        .replace(/^(?:ERROR: )?(?:failed to solve(?: with frontend dockerfile\.v0)?: )?/, '')
        .trim());
}

;// CONCATENATED MODULE: ./src/phases/build.ts
// The build: the classic builder's cache images pulled first, then `docker build`
// or `docker buildx build` with each secret in the build's environment. A failed
// build points at its Dockerfile line (annotations.ts).









/** BuildKit's words for a failed push of a build's result: "failed to push localhost:5000/app:v1: …". */
const BUILDKIT_PUSH_FAULT = /\bfailed to push\b/;
/**
 * Builds the image. A build that pushes (buildx's --push) and fails tells
 * `onPushed` each tag the registry took before the failure: it is live.
 */
async function build(docker, step, plan, secrets, onPushed = () => undefined) {
    if (step.cachePulls.length > 0)
        await pullCache(docker, step.cachePulls, plan.attempts);
    const args = buildArgs(step);
    // With push, buildx pushes every tag itself: there is no push group after this one.
    return log/* group */.Os(`${step.push ? 'Building and pushing' : 'Building'} ${step.refs.join(', ')}`, async () => {
        // Each secret reaches the build in its own environment variable, never in an argument.
        const options = { env: secrets.buildEnv, input: step.dockerfileText };
        let result;
        if (step.push) {
            // buildx pushes: a transient registry fault in the push is worth another build (its steps are
            // cached by then); a fault of the build's own steps is not ("failed to push …" is BuildKit's).
            const failure = (result) => {
                for (const { ref, digest } of pushedManifests(`${result.stdout}\n${result.stderr}`))
                    onPushed(ref, digest);
                return buildFailed(docker, step, result, plan.workspace);
            };
            const registry = step.push.registries.join(', ');
            const retry = { registry, attempts: plan.attempts, failure, faultIn: BUILDKIT_PUSH_FAULT };
            result = await docker.runRetrying(args, retry, options);
        }
        else {
            result = await docker.tryRun(args, options);
            // Another run's build named the same image at the same moment (the containerd store refuses the
            // second name): the build again, from its cache, names it for this run.
            for (let attempt = 1; result.exitCode !== 0 && NAME_TAKEN.test(result.stderr) && attempt < plan.attempts; attempt++) {
                log/* warning */.$e(`Another build on this engine named the same image at the same moment (attempt ${attempt} of ${plan.attempts}); building again, from the cache.`);
                result = await docker.tryRun(args, options);
            }
            if (result.exitCode !== 0)
                throw buildFailed(docker, step, result, plan.workspace);
        }
        // buildx without a local image (several platforms, pushed) may write no image ID.
        const id = external_node_fs_.existsSync(step.iidFile) ? external_node_fs_.readFileSync(step.iidFile, 'utf8').trim() : '';
        if (step.provenance === undefined && step.platforms.length === 1)
            await checkPlatform(docker, id, step.platforms[0]);
        const cache = buildCache(`${result.stdout}\n${result.stderr}`);
        return { id, own: [id, ...builtDigests(step.metadataFile)], ...(cache ? { cache } : {}) };
    });
}
/** `os/arch[/variant]` with arm64's default variant (v8) left out, as docker treats them alike. */
function samePlatform(a, b) {
    const norm = (p) => p.replace(/^(linux\/arm64)\/v8$/, '$1');
    return norm(a) === norm(b);
}
/**
 * docker build (the classic builder, an older CLI's BuildKit) takes the base image
 * the engine has, whatever its platform: an image built for another platform than
 * the one asked for is an error before anything is saved or pushed.
 */
async function checkPlatform(docker, id, platform) {
    const format = '{{.Os}}/{{.Architecture}}{{if .Variant}}/{{.Variant}}{{end}}';
    const built = (await docker.run(inspectArgs([id], format), { silent: true })).stdout.trim();
    if (samePlatform(built, platform))
        return;
    throw new DockerError(`docker build made a ${built} image, not the ${platform} that platforms asks for: the classic builder builds on the base image the engine has, whatever its platform. Fix: build with buildx (docker/setup-buildx-action, and docker/setup-qemu-action for RUN steps of another architecture), or run this job on a ${platform} runner.`);
}
/**
 * The manifest and config digests buildx writes to its metadata file. In the
 * containerd image store the engine names an image by its manifest digest, in
 * the classic store by its config digest (which is also the --iidfile's).
 */
function builtDigests(metadataFile) {
    if (metadataFile === undefined)
        return [];
    try {
        const metadata = JSON.parse(external_node_fs_.readFileSync(metadataFile, 'utf8'));
        return ['containerimage.digest', 'containerimage.config.digest']
            .map((key) => metadata[key])
            .filter((d) => typeof d === 'string');
    }
    catch {
        return [];
    }
}
/** The build's failure, on the Dockerfile line it names when there is one. */
function buildFailed(docker, step, result, workspace) {
    const generic = docker.failed(buildArgs(step), result);
    // The network input names one the engine does not have: the input is wrong, not the RUN line.
    const network = /^network (\S+) not found$/m.exec(`${result.stdout}\n${result.stderr}`);
    if (network) {
        return new DockerError(`Input 'network': the engine has no network '${network[1]}' for the build's RUN steps. Fix: give an existing network (docker network ls), or host, none or default.`);
    }
    const file = step.dockerfile;
    if (file === undefined || generic instanceof EngineUnreachable)
        return generic;
    let text;
    try {
        text = external_node_fs_.readFileSync(file, 'utf8');
    }
    catch {
        return generic;
    }
    // The build args fill in a FROM ${ARG}, to find the FROM of a base image that cannot be loaded.
    const found = dockerfileError(`${result.stdout}\n${result.stderr}`, text, external_node_path_.basename(file), Object.fromEntries(step.buildArgs.map(({ key, value }) => [key, value])));
    if (found === undefined)
        return generic;
    const relative = external_node_path_.relative(workspace, file);
    const shown = relative.startsWith('..') ? file : relative;
    return new DockerError(`${shown}:${found.line}: ${found.message}`, { file: shown, line: found.line });
}
/** Pulls the cache-from images the classic builder needs locally; one that cannot be pulled is only a notice. */
async function pullCache(docker, refs, attempts) {
    await log/* group */.Os(`Pulling ${log/* counted */.hS(refs.length, 'cache image')}`, async () => {
        const limit = limiter(CONCURRENCY);
        await settleAll(refs.map((ref) => limit(async () => {
            try {
                await docker.runRetrying(pullArgs(ref), { registry: registryOf(ref), attempts }, { onLine: log/* prefixed */.gV(ref) });
            }
            catch (err) {
                if (!(err instanceof DockerError) || err instanceof EngineUnreachable)
                    throw err;
                // The first run of a workflow has no image to reuse yet: that is not a fault.
                const missing = /manifest unknown|not found/i.test(err.message);
                log/* notice */.lm(missing
                    ? `cache-from: ${ref} could not be pulled: it is not in the registry (yet: on a first run, or before that tag is pushed); building without it.`
                    : `cache-from: ${ref} could not be pulled (${err.message}); building without it.`);
            }
        })));
    });
}

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(7075);
;// CONCATENATED MODULE: ./src/phases/tar-names.ts
// A tarball source as `docker load` gets it: streamed through this filter, which
// takes every name out of it (manifest.json's RepoTags, index.json's name
// annotations, the legacy `repositories` file), so that loading it re-points no
// local tag (a base image's, another build's), and which counts its images: a
// tarball of several is stopped before docker load reaches the manifest, so
// nothing of it is loaded. The run then tags the one image as its targets.
// Everything else passes through byte for byte. Pure stream code: no I/O of its own.

const BLOCK = 512;
/** The files whose names docker load applies; their content is rewritten. */
const NAMED = new Set(['manifest.json', 'index.json', 'repositories']);
/** A tar header's octal (or base-256) number field. */
function numberAt(header, offset, length) {
    if ((header[offset] & 0x80) !== 0) {
        let value = 0;
        for (let i = offset + 1; i < offset + length; i++)
            value = value * 256 + header[i];
        return value;
    }
    const text = header
        .toString('ascii', offset, offset + length)
        .replace(/\0.*$/s, '')
        .trim();
    return text === '' ? 0 : parseInt(text, 8);
}
function stringAt(header, offset, length) {
    const end = header.indexOf(0, offset);
    return header.toString('utf8', offset, end < 0 || end > offset + length ? offset + length : end);
}
/** The entry's path: ustar's prefix and name, or a PAX header's `path`. */
function entryName(header, pax) {
    if (pax.path !== undefined)
        return pax.path;
    const name = stringAt(header, 0, 100);
    const prefix = header.toString('ascii', 257, 262) === 'ustar' ? stringAt(header, 345, 155) : '';
    return prefix === '' ? name : `${prefix}/${name}`;
}
/** PAX records: `<length> <key>=<value>\n`. */
function paxRecords(data) {
    const records = {};
    let at = 0;
    while (at < data.length) {
        const space = data.indexOf(0x20, at);
        if (space < 0)
            break;
        const length = Number(data.toString('ascii', at, space));
        if (!Number.isInteger(length) || length <= 0)
            break;
        const record = data.toString('utf8', space + 1, at + length - 1);
        const eq = record.indexOf('=');
        if (eq > 0)
            records[record.slice(0, eq)] = record.slice(eq + 1);
        at += length;
    }
    return records;
}
function paxData(records) {
    const lines = Object.entries(records).map(([key, value]) => {
        const body = ` ${key}=${value}\n`;
        let length = Buffer.byteLength(body) + 1;
        while (String(length).length + Buffer.byteLength(body) !== length)
            length = String(length).length + Buffer.byteLength(body);
        return `${length}${body}`;
    });
    return Buffer.from(lines.join(''), 'utf8');
}
/** The header with a new size and its checksum recomputed. */
function withSize(header, size) {
    const out = Buffer.from(header);
    out.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
    out.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of out)
        sum += byte;
    out.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    return out;
}
function padded(data) {
    const rest = data.length % BLOCK;
    return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
/** The file's content with the names taken out, and what it named. */
function unnamed(file, data) {
    const text = data.toString('utf8');
    if (file === 'repositories') {
        const json = JSON.parse(text);
        const names = Object.entries(json).flatMap(([repo, tags]) => Object.keys(tags).map((tag) => `${repo}:${tag}`));
        return { data: Buffer.from('{}'), images: 0, names };
    }
    if (file === 'manifest.json') {
        const json = JSON.parse(text);
        if (!Array.isArray(json))
            throw new Error('manifest.json is not a list');
        const names = json.flatMap((m) => m.RepoTags ?? []);
        return {
            data: Buffer.from(JSON.stringify(json.map((m) => ({ ...m, RepoTags: null })))),
            images: json.length,
            names
        };
    }
    const json = JSON.parse(text);
    const manifests = json.manifests ?? [];
    const names = manifests.flatMap((m) => ['io.containerd.image.name', 'org.opencontainers.image.ref.name'].flatMap((k) => m.annotations?.[k] ?? []));
    // One image saved under several names is one descriptor per name, of one digest: without
    // their names they are one descriptor (the engine would import the image once per copy).
    const seen = new Set();
    const stripped = manifests.flatMap((m) => {
        if (seen.has(m.digest))
            return [];
        seen.add(m.digest);
        if (!m.annotations)
            return [m];
        const annotations = { ...m.annotations };
        delete annotations['io.containerd.image.name'];
        delete annotations['org.opencontainers.image.ref.name'];
        return [{ ...m, annotations }];
    });
    const images = seen.size;
    return { data: Buffer.from(JSON.stringify({ ...json, manifests: stripped })), images, names };
}
/**
 * The filter. `found` is filled in as the named files pass; the stream fails with
 * an error naming the images when the tarball holds more than one, before the
 * file that names them reaches docker load.
 */
function tarNames(found) {
    let pending = Buffer.alloc(0);
    let state = { kind: 'header' };
    let held = [];
    // A PAX header ('x') describes the entry after it (its path, its size): kept until that entry is known.
    let pax;
    let ended = false;
    /** The held entry, complete: a PAX header is kept; a named file is emitted without its names. */
    const release = (entry, push) => {
        const data = Buffer.concat(held).subarray(0, entry.size);
        held = [];
        if (entry.file === 'pax') {
            pax = { header: entry.header, data, records: paxRecords(data) };
            return;
        }
        const rewritten = unnamed(entry.file, data);
        for (const name of rewritten.names)
            if (!found.names.includes(name))
                found.names.push(name);
        found.images = Math.max(found.images, rewritten.images);
        if (found.images > 1)
            throw new Error(`holds ${found.images} images (${found.names.join(', ') || 'without names'})`);
        if (pax) {
            // Its size record would be the old file's: the header's own size field says the new one.
            const records = { ...pax.records };
            delete records.size;
            const paxBody = paxData(records);
            push(withSize(pax.header, paxBody.length));
            push(padded(paxBody));
            pax = undefined;
        }
        push(withSize(entry.header, rewritten.data.length));
        push(padded(rewritten.data));
    };
    /** The next header: what follows it, and whether it ends the archive. */
    const begin = (header, push) => {
        const type = String.fromCharCode(header[156]);
        const records = type === 'x' ? {} : (pax?.records ?? {});
        const size = records.size !== undefined ? Number(records.size) : numberAt(header, 124, 12);
        const left = Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'x')
            return { kind: 'hold', left, size, file: 'pax', header: Buffer.from(header) };
        const name = entryName(header, records).replace(/^\.\//, '');
        if (NAMED.has(name) && (type === '0' || type === '\0')) {
            return { kind: 'hold', left, size, file: name, header: Buffer.from(header) };
        }
        if (pax) {
            push(pax.header);
            push(padded(pax.data));
            pax = undefined;
        }
        push(header);
        return { kind: 'pass', left };
    };
    return new external_node_stream_.Transform({
        transform(chunk, _encoding, callback) {
            if (ended)
                return callback(null, chunk);
            pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
            const out = [];
            const push = (b) => void out.push(b);
            try {
                while (pending.length > 0 && !ended) {
                    if (state.kind === 'header') {
                        if (pending.length < BLOCK)
                            break;
                        const header = pending.subarray(0, BLOCK);
                        pending = pending.subarray(BLOCK);
                        if (header.every((b) => b === 0)) {
                            // The end of the archive: the rest (a second zero block, padding) passes as it is.
                            push(header);
                            push(pending);
                            pending = Buffer.alloc(0);
                            ended = true;
                        }
                        else
                            state = begin(header, push);
                        continue;
                    }
                    const take = Math.min(state.left, pending.length);
                    if (state.kind === 'pass')
                        push(pending.subarray(0, take));
                    else
                        held.push(Buffer.from(pending.subarray(0, take)));
                    pending = pending.subarray(take);
                    state.left -= take;
                    if (state.left === 0) {
                        if (state.kind === 'hold')
                            release(state, push);
                        state = { kind: 'header' };
                    }
                }
            }
            catch (err) {
                return callback(err instanceof Error ? err : new Error(String(err)));
            }
            callback(null, out.length === 0 ? undefined : Buffer.concat(out));
        },
        flush(callback) {
            if (!ended)
                return callback(new Error('is not a whole tar archive (it ends inside it)'));
            callback();
        }
    });
}

;// CONCATENATED MODULE: ./src/phases/load.ts
// A tarball as the source: decompressed (zstd by the runner's zstd, gzip by Node's
// zlib), streamed through tar-names.ts, which takes the tarball's own names out and
// stops a tarball of several images before docker load reaches its manifest, into
// `docker load`; then the one image it loaded is tagged as every target. So loading
// re-points no local tag, and a damaged file is one plain error.









/** The tarball's bytes, decompressed, and how it ended: the first error of each stage, or undefined. */
async function decompressed(step) {
    if (step.decompress) {
        const unpack = filterThrough(step.decompress.program, step.decompress.args, undefined);
        const done = unpack.done.then(() => undefined, (err) => (err instanceof Error ? err.message : String(err)));
        return { stream: unpack.output, failed: () => done };
    }
    let error;
    const file = external_node_fs_.createReadStream(step.path).on('error', (err) => (error ??= err.message));
    if (formatOf(step.path) !== 'gzip')
        return { stream: file, failed: async () => error };
    const { createGunzip } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 8522, 23));
    const gunzip = createGunzip().on('error', (err) => (error ??= `gzip: ${err.message}`));
    return { stream: file.pipe(gunzip), failed: async () => error };
}
async function loadImage(docker, step, plan) {
    const refs = plan.targets.map((t) => t.ref);
    return log/* group */.Os(`Loading ${step.path} and tagging it as ${refs.join(', ')}`, async () => {
        const args = loadArgs();
        const source = await decompressed(step);
        const found = { images: 0, names: [] };
        let filterError;
        // pipeline() stops every stage when one fails; the last stage's error then ends docker load's input.
        const names = (0,external_node_stream_.pipeline)(source.stream, tarNames(found), (err) => {
            if (err)
                filterError ??= err.message;
        });
        const result = await docker.tryRun(args, { stdin: names });
        const damaged = await source.failed();
        if (found.images > 1) {
            throw new DockerError(`Input 'source-image': the tarball ${step.path} holds ${found.images} images (${found.names.join(', ') || 'without names'}), and this run pushes one; nothing of it was loaded. Fix: save one image per tarball (with as many tags as it needs).`);
        }
        if (damaged !== undefined || filterError !== undefined || result.exitCode !== 0) {
            const why = damaged ?? (filterError && `it ${filterError}`) ?? docker.failed(args, result).message;
            throw new DockerError(`Loading ${step.path} failed, and nothing of it was loaded: ${why}. Fix: check that the artifact was uploaded and downloaded whole (the file is damaged or not a tarball of docker image save).`);
        }
        const loaded = loadedImages(`${result.stdout}\n${result.stderr}`);
        const ids = new Set(loaded.ids);
        if (loaded.refs.length > 0) {
            // An engine that names an image by its digest when it has no name (the containerd store).
            const inspected = await docker.run(inspectArgs(loaded.refs, '{{.Id}}'), { silent: true });
            for (const id of inspected.stdout.split('\n').filter((l) => l.trim() !== ''))
                ids.add(id.trim());
        }
        const [id] = ids;
        if (ids.size !== 1 || id === undefined) {
            throw new DockerError(`docker load of ${step.path} loaded ${ids.size} images (${[...loaded.refs, ...loaded.ids].join(', ') || 'it said none'}), and this run pushes one.`);
        }
        if (found.names.length > 0)
            log/* info */.pq(`The tarball's own names are not applied: ${found.names.join(', ')}.`);
        for (const ref of refs)
            await docker.run(tagArgs(id, ref));
        return { id, own: [id] };
    });
}

;// CONCATENATED MODULE: ./src/phases/login.ts



async function logIn(docker, login, password, attempts) {
    const { registry, username } = login;
    await log/* group */.Os(`Logging in to ${registry} as ${username}`, async () => {
        const failure = (result) => loginFailure(registry, username, result.stderr);
        await docker.runRetrying(loginArgs(login), { registry, attempts, failure }, { input: password, silent: true });
        log/* info */.pq(`Logged in to ${registry} as ${username}.`);
    });
}

;// CONCATENATED MODULE: ./src/phases/registry.ts
// Work done in the registries rather than through the local engine: reading back
// what buildx pushed, and copying a source image registry-side (promote: its
// digest and every platform kept, nothing pulled). The merge of parts is merge.ts.








const INDEX_TYPES = /manifest\.list\.v2\+json|image\.index\.v1\+json/;
function sha256(text) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(text).digest('hex')}`;
}
/** `ref` as the registry serves it, byte for byte (buildx), with its digest; the error when it cannot be read. */
async function readRaw(docker, ref) {
    const result = await docker.tryRun(imagetoolsInspectArgs(ref), { silent: true });
    if (result.exitCode !== 0)
        return { error: errorSummary(result.stderr, result.stdout) };
    try {
        return { raw: result.stdout, digest: sha256(result.stdout), json: JSON.parse(result.stdout) };
    }
    catch {
        return { error: `${ref} is not a manifest` };
    }
}
/** The repositories of the plan's targets, once each, in order. */
function repositoriesOf(plan) {
    return [...new Set(plan.targets.map((t) => t.repository.name))];
}
/**
 * What buildx pushed: the digest from its metadata file, checked against each
 * repository's manifest or index as the registry serves it, and each platform's
 * manifest digest from that index.
 */
async function readBack(docker, plan, step) {
    let digest;
    try {
        const metadata = JSON.parse(external_node_fs_.readFileSync(step.metadataFile ?? '', 'utf8'));
        digest = metadata['containerimage.digest'];
    }
    catch {
        digest = undefined;
    }
    if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
        throw new DockerError('docker buildx build --push succeeded but wrote no image digest to its metadata file, so the digest outputs cannot be set.');
    }
    const pushedDigest = digest;
    const repositories = repositoriesOf(plan);
    return log/* group */.Os(`Reading back ${log/* counted */.hS(repositories.length, 'repository')} from the registry`, async () => {
        const limit = limiter(CONCURRENCY);
        const served = await settleAll(repositories.map((name) => limit(() => servedIndex(docker, step, name, pushedDigest))));
        const index = served.find((m) => m !== undefined);
        const platforms = index === undefined
            ? plan.platforms.map((platform) => ({ platform, digest: null }))
            : platformsOf(index, pushedDigest, plan.platforms);
        for (const { platform, digest: d } of platforms)
            log/* info */.pq(`${platform}: ${d ?? 'unknown'}`);
        return { pushed: plan.targets.map((target) => ({ target, digest: pushedDigest })), platforms };
    });
}
/**
 * The manifest or index `name@digest` as the registry serves it: buildx's raw
 * bytes, which must hash to the digest; else the docker CLI's reading. Undefined
 * (with a warning) when neither can read it: the push itself succeeded.
 */
async function servedIndex(docker, step, name, digest) {
    const ref = `${name}@${digest}`;
    const raw = await docker.tryRun(imagetoolsInspectArgs(ref, { builderName: step.builderName }), {
        silent: true
    });
    if (raw.exitCode === 0) {
        const hash = sha256(raw.stdout);
        if (hash !== digest) {
            throw new DockerError(`${name} serves a manifest whose digest is ${hash}, not the ${digest} buildx reported for its push.`);
        }
        log/* info */.pq(`${ref}: the registry serves it (${raw.stdout.length} bytes).`);
        return JSON.parse(raw.stdout);
    }
    const cli = await docker.tryRun(manifestInspectArgs(ref), { silent: true });
    if (cli.exitCode === 0) {
        log/* info */.pq(`${ref}: the registry serves it (read by docker manifest inspect).`);
        return JSON.parse(cli.stdout);
    }
    log/* warning */.$e(`Could not read ${ref} back from the registry (${errorSummary(raw.stderr)}; ${errorSummary(cli.stderr)}), so the platform digests in metadata are unknown. The push itself succeeded.`);
    return undefined;
}
/**
 * Promote registry-side: when the source is in a registry, `imagetools create`
 * copies it to every target there, keeping its digest and its platforms (an index
 * is copied as it is). Undefined when this cannot be done (the source is only in
 * the local engine, or is one manifest, which this buildx would wrap in a new
 * index): the caller then tags and pushes through the engine.
 */
async function copyInRegistry(docker, plan, step, record) {
    const { source, copy } = step;
    if (copy === undefined)
        return undefined;
    const read = await readRaw(docker, source);
    if ('error' in read) {
        log/* info */.pq(`${source} is not read from a registry (${read.error}); promoting it through the local engine.`);
        return undefined;
    }
    const mediaType = read.json.mediaType;
    let preferIndex;
    if (typeof mediaType !== 'string' || !INDEX_TYPES.test(mediaType)) {
        // One manifest is copied as it is only by a buildx that can be told not to wrap it in an index.
        if (!(await docker.helpLists(imagetoolsHelpArgs(), '--prefer-index'))) {
            log/* info */.pq(`${source} is one manifest, which this buildx's imagetools would wrap in a new index (another digest); promoting it through the local engine.`);
            return undefined;
        }
        preferIndex = false;
    }
    return log/* group */.Os(`Copying ${source} to ${log/* counted */.hS(plan.targets.length, 'reference')} in the registry`, async () => {
        log/* info */.pq(`${source} is ${read.digest}; copying it to ${step.refs.join(', ')}.`);
        const pushed = [];
        // One repository at a time, each recorded as it moves: a failure later still says what is live.
        for (const name of repositoriesOf(plan)) {
            const targets = plan.targets.filter((t) => t.repository.name === name);
            const refs = targets.map((t) => t.ref);
            const create = imagetoolsCreateArgs(refs, [source], { preferIndex });
            await docker.runRetrying(create, { registry: targets[0].repository.domain, attempts: plan.attempts });
            for (const target of targets) {
                pushed.push({ target, digest: read.digest });
                record({ target, digest: read.digest });
            }
            const served = await readRaw(docker, `${name}@${read.digest}`);
            if ('error' in served)
                log/* warning */.$e(`Could not read ${name}@${read.digest} back (${served.error}).`);
        }
        return { pushed, platforms: platformsOf(read.json, read.digest, []) };
    });
}

;// CONCATENATED MODULE: ./src/phases/merge.ts








const REVISION = `${OCI}.revision`;
const platformOf = (config) => [config.os, config.architecture, config.variant].filter((v) => typeof v === 'string' && v !== '').join('/');
/**
 * A part as the registry has it: buildx reads its image config(s) there (an index
 * gives one per platform); without buildx it is pulled (`pulled` learns of it, when
 * the engine did not have it before, for cleanup).
 */
async function partOf(docker, step, ref, platform, pulled) {
    if (step.tool === 'imagetools') {
        const result = await docker.tryRun(imagetoolsInspectArgs(ref, { format: '{{json .Image}}' }), {
            silent: true
        });
        if (result.exitCode !== 0)
            throw new DockerError(errorSummary(result.stderr, result.stdout));
        const image = JSON.parse(result.stdout);
        // One manifest gives its config; an index (a part with an attestation) one config per platform.
        const configs = image.config !== undefined || image.architecture !== undefined
            ? [image]
            : Object.values(image);
        const platforms = configs.map(platformOf).filter((p) => p !== '' && !p.startsWith('unknown'));
        const own = configs.find((c) => platformOf(c) === platform) ?? configs[0];
        return { revision: own?.config?.Labels?.[REVISION], platforms };
    }
    const before = await docker.tryRun(inspectArgs([ref], '{{.Id}}'), { silent: true });
    const fetched = await docker.tryRun(pullArgs(ref, platform), { silent: true });
    if (fetched.exitCode !== 0)
        throw new DockerError(errorSummary(fetched.stderr, fetched.stdout));
    if (before.exitCode !== 0)
        pulled.push(ref);
    const inspected = await docker.run(inspectArgs([ref], '{{json .}}'), { silent: true });
    const image = JSON.parse(inspected.stdout);
    return {
        revision: image.Config?.Labels?.[REVISION],
        platforms: [platformOf({ os: image.Os, architecture: image.Architecture, variant: image.Variant })]
    };
}
/** The digest buildx's imagetools create says it pushed to `ref` (`pushing sha256:… to <ref>`). */
function createdDigest(output, ref) {
    const escaped = ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`pushing (sha256:[a-f0-9]{64}) to ${escaped}\\s*$`, 'm').exec(output)?.[1];
}
/**
 * Every part of every repository is found and checked to be of this commit (its
 * revision label) before anything is made; then one index per repository under
 * every tag. A missing part, or one of another commit, is one error naming the
 * platforms, and no tag is moved. Each repository's references are recorded as
 * they move.
 */
async function mergeParts(docker, plan, step, record) {
    const problems = [];
    const pulled = [];
    await log/* group */.Os(`Checking the parts of commit ${step.sha.slice(0, 7)}`, async () => {
        const limit = limiter(CONCURRENCY);
        await settleAll(step.repositories.flatMap(({ parts }) => parts.map(({ platform, ref }) => limit(async () => {
            try {
                const part = await partOf(docker, step, ref, platform, pulled);
                // A part is one platform's image, the one it stands for: another platform, or an index of several, is not.
                if (part.platforms.length !== 1 || part.platforms[0] !== platform) {
                    problems.push(`${platform}: ${ref} is ${part.platforms.length === 1 ? `an image for ${part.platforms[0]}` : `an index of ${part.platforms.join(', ') || 'no platform'}`}, not one image for ${platform}`);
                }
                else if (part.revision !== step.sha) {
                    problems.push(`${platform}: ${ref} is of commit ${part.revision ?? 'unknown (no revision label)'}, not ${step.sha}`);
                }
                else
                    log/* info */.pq(`${platform}: ${ref} is the ${platform} image of commit ${step.sha.slice(0, 7)}.`);
            }
            catch (err) {
                const why = err instanceof Error ? err.message : String(err);
                problems.push(`${platform}: there is no part ${ref} (${why}); did that job's merge: part step run for this commit?`);
            }
        }))));
    });
    // The parts this run pulled to read them (without buildx) go again when the run cleans up after itself.
    if (step.removePulled && pulled.length > 0) {
        const removed = await docker.tryRun(removeArgs(pulled), { silent: true });
        if (removed.exitCode === 0)
            log/* info */.pq(`Removed the parts this run pulled to check them: ${pulled.join(', ')}.`);
    }
    if (problems.length > 0) {
        throw new DockerError(`The merge of commit ${step.sha.slice(0, 7)} cannot be made, and no tag was moved: ${problems.sort().join('; ')}.`);
    }
    const pushed = [];
    let platforms = [];
    for (const repository of step.repositories) {
        const targets = plan.targets.filter((t) => t.repository.name === repository.repository);
        const platformList = repository.parts.map((p) => p.platform).join(', ');
        await log/* group */.Os(`Merging ${platformList} into ${repository.refs.join(', ')}`, async () => {
            let digest;
            const registry = targets[0]?.repository.domain ?? '';
            const first = repository.refs[0] ?? repository.repository;
            for (const args of mergeArgs(step, repository)) {
                const result = await docker.runRetrying(args, { registry, attempts: plan.attempts });
                // What this run pushed, as the tool said it: another merge may move the tag meanwhile, the digest stays.
                digest =
                    step.tool === 'imagetools'
                        ? createdDigest(`${result.stderr}\n${result.stdout}`, first)
                        : (/^(sha256:[a-f0-9]{64})\s*$/m.exec(result.stdout)?.[1] ?? digest);
            }
            if (digest === undefined)
                throw new DockerError(`The index ${first} was made but its digest is unknown.`);
            // Read back by digest, never by tag.
            const byDigest = `${repository.repository}@${digest}`;
            if (step.tool === 'imagetools') {
                const served = await readRaw(docker, byDigest);
                if ('error' in served)
                    throw new DockerError(`The index ${byDigest} was made but cannot be read back: ${served.error}.`);
                platforms = platformsOf(served.json, served.digest, []);
            }
            else {
                const listed = await docker.run(manifestInspectArgs(byDigest, repository.insecure), { silent: true });
                platforms = platformsOf(JSON.parse(listed.stdout), digest, []);
            }
            log/* info */.pq(`${repository.repository}@${digest}`);
            for (const target of targets) {
                pushed.push({ target, digest });
                record({ target, digest });
            }
        });
    }
    return { pushed, platforms };
}

;// CONCATENATED MODULE: ./src/phases/push.ts





/**
 * Pushes every reference of `groups` (one list per repository), up to
 * CONCURRENCY at a time: the first tag of each repository first (it uploads the
 * layers), then its other tags (only manifests). `done` gets each push as it
 * completes, so a failure later still knows what was published.
 */
async function pushAll(docker, groups, attempts, done) {
    const total = groups.flat().length;
    if (total === 0)
        return [];
    const refs = groups.flat().map((t) => t.ref);
    const header = total === 1
        ? `Pushing ${refs[0]}`
        : `Pushing ${log/* counted */.hS(total, 'reference')}, up to ${CONCURRENCY} at a time: ${refs.join(', ')}`;
    return log/* group */.Os(header, async () => {
        const limit = limiter(CONCURRENCY);
        const pushOne = (target) => limit(async () => {
            const pushed = await pushReference(docker, target, total > 1, attempts);
            done(pushed);
            return pushed;
        });
        const perRepository = groups.map(async ([first, ...rest]) => [
            await pushOne(first),
            ...(await settleAll(rest.map(pushOne)))
        ]);
        return (await settleAll(perRepository)).flat();
    });
}
async function pushReference(docker, target, concurrent, attempts) {
    const { ref, repository } = target;
    const result = await docker.runRetrying(pushArgs(ref), { registry: repository.domain, attempts }, concurrent ? { onLine: log/* prefixed */.gV(ref) } : {});
    const digest = pushedDigest(result.stdout);
    if (digest === undefined) {
        throw new DockerError(`docker push ${ref} succeeded but printed no manifest digest, so the digest outputs cannot be set.`);
    }
    return { target, digest };
}
/** What the engine says each target names now: the image's ID (undefined when the tag is gone) and size. */
async function inspectTargets(docker, targets) {
    const inspect = (refs) => docker.tryRun(inspectArgs(refs, '{{.Id}} {{.Size}}'), { silent: true });
    const linesOf = (stdout) => stdout.split('\n').filter((l) => l.trim() !== '');
    const all = await inspect(targets.map((t) => t.ref));
    let lines = linesOf(all.stdout);
    // One line per image found; when a tag is gone, which line is whose can only be told one by one.
    if (all.exitCode !== 0 || lines.length !== targets.length) {
        lines = await Promise.all(targets.map(async (t) => {
            const one = await inspect([t.ref]);
            return one.exitCode === 0 ? (linesOf(one.stdout)[0] ?? '') : '';
        }));
    }
    return lines.map((line) => {
        const [id, size] = line.split(' ');
        return { id: id === '' ? undefined : id, size: Number.isFinite(Number(size)) ? Number(size) : undefined };
    });
}
/**
 * Proves that every target still names this run's image, after the pushes (and
 * the save): a tag that another run re-tagged meanwhile may have pushed (or
 * saved) that run's image. Such tags are tagged again and pushed again (`redo`),
 * up to `attempts` rounds. Returns the image's ID as the engine names it and its
 * size, for the outputs and the summary.
 */
async function verifyTargets(docker, plan, image, redo) {
    for (let round = 1;; round++) {
        const named = await inspectTargets(docker, plan.targets);
        const ours = named.filter((n) => n.id !== undefined && image.own.includes(n.id));
        const moved = plan.targets.filter((_, i) => !ours.includes(named[i]));
        // The engine's own ID of the image: what `imageid` gives, in either image store.
        if (moved.length === 0)
            return { id: ours[0]?.id ?? image.id, size: ours[0]?.size };
        if (round > plan.attempts) {
            throw new DockerError(`Another run on this engine kept re-tagging ${moved.map((t) => t.ref).join(', ')} while this run pushed it, so this run cannot tell which image the registry got. Give concurrent runs their own tags (a sha- or run-number tag), or run them one after another.`);
        }
        // What to tag from: a digest of ours the engine answered to, else each of ours (the store decides which works).
        const sources = [...new Set([...(ours[0]?.id ? [ours[0].id] : []), ...image.own].filter((d) => d !== ''))];
        log/* warning */.$e(`${moved.map((t) => t.ref).join(', ')} named another image when this run checked (another run on this engine re-tagged it); tagging it as this run's image and pushing it again.`);
        await redo(moved, sources);
    }
}

;// CONCATENATED MODULE: ./src/phases/retag.ts



async function retag(docker, step, plan) {
    return log/* group */.Os(`Tagging ${step.source} as ${step.refs.join(', ')}`, async () => {
        const inspect = inspectArgs([step.source], '{{.Id}}');
        let inspected = await docker.tryRun(inspect, { silent: true });
        let pulledDigest;
        if (inspected.exitCode !== 0) {
            log/* info */.pq(`${step.source} is not in the local engine; pulling it.`);
            const pulled = await docker.runRetrying(pullArgs(step.source), {
                registry: registryOf(step.source),
                attempts: plan.attempts
            });
            pulledDigest = /^Digest: (sha256:[a-f0-9]{64})\s*$/m.exec(pulled.stdout)?.[1];
            inspected = await docker.run(inspect, { silent: true });
        }
        for (const ref of step.refs)
            await docker.run(tagArgs(step.source, ref));
        const id = inspected.stdout.trim();
        return { id, own: [id], pulledDigest };
    });
}

;// CONCATENATED MODULE: ./src/phases/save.ts
// `docker image save` streamed to the tarball: compressed (gzip for .tar.gz/.tgz,
// zstd for .tar.zst) and hashed (sha256 of the file) in one pass, with no uncompressed copy on disk,
// into a temporary file beside the target that is renamed into place only when
// docker, the compressor and the write all succeeded. When one of them fails the
// others are stopped, so a full disk ends the step instead of hanging it.









/** The save phase: the tarball written, and said in the log. */
async function save(docker, step) {
    const { target, compressor } = step;
    return log/* group */.Os(`Saving ${log/* counted */.hS(step.refs.length, 'reference')} to ${target.path}`, async () => {
        const tarball = await saveImage(docker, saveArgs(step.refs), target, compressor);
        const how = target.format === 'tar' ? '' : `, ${target.format} level ${target.level} by ${tarball.compressor}`;
        log/* info */.pq(`Wrote ${tarball.path} (${tarball.size} bytes${how}, ${tarball.digest}).`);
        return tarball;
    });
}
/** Level and threads of each compressor program; both write to standard output. */
const PROGRAM_ARGS = {
    pigz: (level) => [`-${level}`, '--stdout'],
    zstd: (level) => [`-${level}`, '-T0', '--stdout', '--quiet']
};
async function compress(input, compressor, level) {
    if (compressor.kind === 'none')
        return { output: input, done: Promise.resolve(), stop: () => undefined };
    if (compressor.kind === 'zlib') {
        const { createGzip } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 8522, 23));
        const gzip = createGzip({ level });
        return { output: input.pipe(gzip), done: Promise.resolve(), stop: () => gzip.destroy() };
    }
    return filterThrough(compressor.path, PROGRAM_ARGS[compressor.kind](level), input);
}
/**
 * Claims the tarball's path for this run until it ends: `.<name>.lock` beside it,
 * holding this process's ID. Another live run holding it is an error, so two runs
 * never write (and describe) one file at once; a lock whose process is gone is
 * taken over. Returns the lock's path, for the caller to remove when the run ends.
 */
function claimTarget(target) {
    const dir = external_node_path_.dirname(target);
    external_node_fs_.mkdirSync(dir, { recursive: true });
    const lock = external_node_path_.join(dir, `.${external_node_path_.basename(target)}.lock`);
    for (;;) {
        try {
            external_node_fs_.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
            return lock;
        }
        catch (err) {
            if (err.code !== 'EEXIST')
                throw err;
        }
        const owner = Number(external_node_fs_.readFileSync(lock, 'utf8').trim());
        if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
            throw new DockerError(`Input 'save': another run (process ${owner}) is writing ${target} right now. Fix: give each run its own save path, such as one with the run number or the platform in its name.`);
        }
        external_node_fs_.rmSync(lock, { force: true });
    }
}
function isRunning(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return err.code === 'EPERM';
    }
}
async function saveImage(docker, args, target, compressor) {
    const dir = external_node_path_.dirname(target.path);
    external_node_fs_.mkdirSync(dir, { recursive: true });
    const partial = external_node_path_.join(dir, `.${external_node_path_.basename(target.path)}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.partial`);
    track(partial);
    // zlib and stream/promises load only when a run saves: they cost the start of every run ~7 ms.
    const { pipeline } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 6466, 23));
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let size = 0;
    const measure = new external_node_stream_.Transform({
        transform(chunk, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
        }
    });
    // No fsync: the rename makes the tarball whole or absent for every reader of this machine, and an
    // fsync of the whole file cost about 0.2 s per 160 MB here, which neither docker nor pigz spends.
    const out = external_node_fs_.createWriteStream(partial, { flags: 'wx', mode: 0o644 });
    const saving = docker.stream(args);
    const stage = await compress(saving.stdout, compressor, target.level);
    // The first of docker and the compressor to fail stops the other, so that nothing
    // waits on a pipe forever; its error is the one reported (the other was stopped).
    let first;
    const stopAll = (err) => {
        first ??= err;
        saving.kill();
        stage.stop();
    };
    let writeError;
    const write = pipeline(stage.output, measure, out).catch((err) => {
        // Stopped because docker or the compressor failed: theirs is the error to report.
        if (first !== undefined)
            return;
        const why = err.code === 'ENOSPC'
            ? 'the disk is full (no space left on device); free some space or save somewhere else'
            : err.message;
        writeError = new DockerError(`Writing the tarball ${target.path} failed: ${why}. No tarball was written; an earlier file at that path is unchanged.`);
        stopAll(writeError);
    });
    await Promise.all([write, stage.done.catch(stopAll), saving.done.catch(stopAll)]);
    // A write error explains a docker error (a broken pipe), so it is reported first.
    const failure = writeError ?? first;
    if (failure !== undefined) {
        remove(partial);
        throw failure;
    }
    external_node_fs_.renameSync(partial, target.path);
    untrack(partial);
    return { path: target.path, digest: `sha256:${hash.digest('hex')}`, size, compressor: compressor.kind };
}

;// CONCATENATED MODULE: ./src/phases/sign.ts




/** The repositories' `repository@digest`, once each, in order. */
function signedRefs(pushed) {
    return [...new Set(pushed.map((p) => `${p.target.repository.name}@${p.digest}`))];
}
async function signAll(cosign, step, pushed, env, signed) {
    const refs = signedRefs(pushed);
    if (refs.length === 0)
        return;
    await log/* group */.Os(`Signing ${log/* counted */.hS(refs.length, 'digest')} with cosign (${step.mode})`, async () => {
        for (const [i, ref] of refs.entries()) {
            const result = await cosign.run(cosignSignArgs(ref, step), { env });
            if (result.exitCode !== 0) {
                const unsigned = refs.slice(i);
                throw new DockerError(`cosign could not sign ${ref}: ${errorSummary(result.stderr, result.stdout)}. Pushed and not signed: ${unsigned.join(', ')}.`);
            }
            signed(ref);
            log/* info */.pq(`Signed ${ref}.`);
        }
    });
}

;// CONCATENATED MODULE: ./src/phases/run.ts












/** A phase failed: its error, and what the run had done by then (what was pushed is live). */
class PhaseFailure extends Error {
    phase;
    cause;
    done;
    constructor(phase, cause, done) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.phase = phase;
        this.cause = cause;
        this.done = done;
        this.name = 'PhaseFailure';
    }
}
/** Runs the plan: login, build or retag, save, push, verify, sign; each phase timed. */
async function runPhases(docker, plan, secrets, tools = {}) {
    const done = await makeAndPush(docker, plan, secrets);
    const sign = plan.sign;
    if (sign === undefined || tools.cosign === undefined)
        return done;
    const cosign = tools.cosign;
    const signed = [];
    const start = performance.now();
    try {
        await signAll(cosign, sign, done.outcome.pushed, secrets.cosignEnv, (ref) => signed.push(ref));
    }
    catch (err) {
        throw new PhaseFailure('sign', err, { ...done, outcome: { ...done.outcome, signed } });
    }
    finally {
        done.timings.sign = performance.now() - start;
    }
    return { ...done, outcome: { ...done.outcome, signed } };
}
/** Login, build or retag, save, push, verify; each phase timed. */
async function makeAndPush(docker, plan, secrets) {
    const timings = {};
    const pushed = new Map();
    // What the run has done so far, also when a phase fails.
    const done = {};
    const result = () => ({
        outcome: {
            imageId: done.image?.id ?? '',
            version: plan.version,
            labels: plan.labels,
            targets: plan.targets,
            pushed: plan.targets.flatMap((t) => pushed.get(t.ref) ?? []),
            platforms: done.platforms ??
                plan.platforms.map((platform) => ({ platform, digest: pushed.get(plan.targets[0]?.ref)?.digest ?? null })),
            tarball: done.tarball
        },
        timings,
        imageSize: done.imageSize,
        ...(done.image?.cache ? { cache: done.image.cache } : {})
    });
    // Runs one phase, timed; a failure carries the phase's name and what was done before it.
    const phase = async (name, work) => {
        const start = performance.now();
        try {
            return await work();
        }
        catch (err) {
            throw err instanceof PhaseFailure ? err : new PhaseFailure(name, err, result());
        }
        finally {
            timings[name] = (timings[name] ?? 0) + performance.now() - start;
        }
    };
    const record = (p) => void pushed.set(p.target.ref, p);
    const pushTargets = (targets) => {
        const groups = plan.pushes.map((g) => g.filter((t) => targets.includes(t))).filter((g) => g.length > 0);
        return pushAll(docker, groups, plan.attempts, record);
    };
    const saveStep = plan.save;
    // One after another: each `docker login` rewrites the run's config.json.
    if (plan.logins.length > 0) {
        await phase('login', async () => {
            for (const [i, login] of plan.logins.entries())
                await logIn(docker, login, secrets.passwords[i], plan.attempts);
        });
    }
    const registrySide = await inRegistry(docker, plan, (work) => phase('push', work), record);
    if (registrySide) {
        done.platforms = registrySide.platforms;
        return result();
    }
    // A build that pushes and fails may have pushed some tags: those are recorded as live.
    const pushedByBuild = (ref, digest) => {
        const target = plan.targets.find((t) => t.ref === ref);
        if (target)
            record({ target, digest });
    };
    const image = await phase('build', () => makeImage(docker, plan, secrets, pushedByBuild));
    done.image = image;
    const step = plan.image;
    if (step.kind === 'build' && step.push) {
        // buildx pushed every tag itself: there is no docker push to check. The engine has the
        // image only when buildx loaded it too, for a save (or the load input), and for cleanup.
        const read = await phase('push', () => readBack(docker, plan, step));
        for (const p of read.pushed)
            record(p);
        done.platforms = read.platforms;
        if (saveStep)
            done.tarball = await phase('save', () => save(docker, saveStep));
        if (plan.cleanup.length > 0)
            await removeTags(docker, plan.cleanup);
        return result();
    }
    if (saveStep)
        done.tarball = await phase('save', () => save(docker, saveStep));
    if (plan.pushes.length > 0)
        await phase('push', () => pushTargets(plan.targets));
    // The check belongs to the last phase that used the tags.
    const local = await phase(plan.pushes.length > 0 ? 'push' : saveStep ? 'save' : 'build', () => verifyTargets(docker, plan, image, async (moved, sources) => {
        for (const target of moved)
            await tagFrom(docker, sources, target.ref);
        if (saveStep)
            done.tarball = await save(docker, saveStep);
        if (plan.pushes.length > 0)
            await pushTargets(moved);
    }));
    done.image = { ...image, id: local.id };
    done.imageSize = local.size;
    warnDigestChanged(image, [...pushed.values()]);
    if (plan.cleanup.length > 0)
        await removeTags(docker, plan.cleanup);
    return result();
}
/** Builds the image, loads it from a tarball, or tags an existing one. */
function makeImage(docker, plan, secrets, onPushed) {
    const image = plan.image;
    if (image.kind === 'build')
        return build(docker, image, plan, secrets, onPushed);
    if (image.kind === 'load')
        return loadImage(docker, image, plan);
    if (image.kind === 'retag')
        return retag(docker, image, plan);
    throw new Error('a merge makes no local image');
}
/**
 * The work some runs do in the registries alone, with nothing in the local engine:
 * a merge of parts, or a promote copied registry-side, in the push phase. Each
 * reference is recorded as it moves, so a failure later still says what is live.
 * Undefined for every other run (and for a promote that has to go through the
 * engine after all).
 */
async function inRegistry(docker, plan, asPush, record) {
    const image = plan.image;
    if (image.kind === 'merge')
        return asPush(() => mergeParts(docker, plan, image, record));
    if (image.kind === 'retag' && image.copy)
        return asPush(() => copyInRegistry(docker, plan, image, record));
    return undefined;
}
/** A source pulled and pushed through the engine may get another digest (one platform of an index, a rewritten manifest): said. */
function warnDigestChanged(image, pushed) {
    const changed = image.pulledDigest && pushed.find((p) => p.digest !== image.pulledDigest);
    if (!changed || !image.pulledDigest)
        return;
    log/* warning */.$e(`${changed.target.ref} was pushed as ${changed.digest}, but the source's digest is ${image.pulledDigest}: through the local engine a promote pushes the one platform it pulled, in the engine's own manifest. With buildx installed, a source in a registry is copied there instead, keeping its digest and platforms.`);
}
/**
 * Tags `ref` from the first of `sources` the engine knows (its image store names
 * images by one of them). The containerd image store keeps no image without a
 * name: when another run took the last one, the image is gone, and that is said.
 */
async function tagFrom(docker, sources, ref) {
    for (const source of sources) {
        if ((await docker.tryRun(tagArgs(source, ref), { silent: true })).exitCode === 0)
            return;
    }
    throw new DockerError(`Another run on this engine re-tagged ${ref} while this run pushed it, and the engine no longer has this run's image under any name (an image store that keeps no image without a name), so this run cannot push it again. Give concurrent runs their own tags (a sha- or run-number tag), or run them one after another.`);
}
/**
 * Removes the local tags the run made, by name:tag (never by ID, which would take
 * tags of others with it). A tag that cannot be removed is a warning: the image is
 * delivered.
 */
async function removeTags(docker, refs) {
    const args = removeArgs(refs);
    const result = await docker.tryRun(args, { silent: true });
    if (result.exitCode === 0)
        log/* info */.pq(`Removed the local tags of this run: ${refs.join(', ')}.`);
    else
        log/* warning */.$e(`cleanup: could not remove every local tag of this run (${docker.failed(args, result).message}).`);
}

// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 1 modules
var lib = __webpack_require__(4942);
// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(9805);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./src/setup/downloads.ts
// A tool the runner lacks (buildx of a given release, cosign), fetched with
// @actions/tool-cache from a release page laid out as GitHub's
// (`<base>/download/<tag>/<asset>` beside `checksums.txt`), its sha256 checked
// against the release's checksums before anything uses it, and kept in the runner's
// tool cache (RUNNER_TOOL_CACHE) so that the next run of the machine finds it. A
// download whose checksum does not match is removed and is an error: nothing is used.








/** The architecture as release assets name it. */
function releaseArch(arch = external_node_os_.arch()) {
    const names = {
        x64: 'amd64',
        arm64: 'arm64',
        arm: 'arm-v7',
        ppc64: 'ppc64le',
        s390x: 's390x'
    };
    return names[arch] ?? arch;
}
const client = () => new lib/* HttpClient */.Qq('ship-image', [], { allowRedirects: false });
/**
 * The tag the release page's `latest` points at: GitHub (and a mirror laid out as
 * it) answers `<base>/latest` with a redirect to `<base>/tag/<tag>`.
 */
async function latestTag(base, input) {
    const url = `${base.replace(/\/+$/, '')}/latest`;
    let location;
    try {
        const response = await client().get(url);
        await response.readBody();
        const header = response.message.headers.location;
        location = Array.isArray(header) ? header[0] : header;
    }
    catch (err) {
        throw new DockerError(`Input '${input}': the latest release could not be looked up at ${url} (${err instanceof Error ? err.message : String(err)}). Fix: give a release such as v0.29.1, or check the download URL.`);
    }
    const tag = location === undefined ? undefined : /\/tag\/([^/?#]+)\/?$/.exec(location)?.[1];
    if (tag === undefined) {
        throw new DockerError(`Input '${input}': ${url} did not point at a release (no redirect to …/tag/<version>). Fix: give a release such as v0.29.1.`);
    }
    return decodeURIComponent(tag);
}
function sha256File(file) {
    return (0,external_node_crypto_.createHash)('sha256').update(external_node_fs_.readFileSync(file)).digest('hex');
}
/** The sha256 that a `checksums.txt` (sha256sum's format) gives for `asset`. */
function checksumOf(checksums, asset) {
    for (const line of checksums.split('\n')) {
        const m = /^([a-f0-9]{64})\s+\*?(\S+)\s*$/i.exec(line.trim());
        if (m && external_node_path_.basename(m[2]) === asset)
            return m[1].toLowerCase();
    }
    return undefined;
}
/**
 * The tool's binary: from the runner's tool cache when an earlier run put it
 * there, else downloaded into `temp`, checked against the release's checksums,
 * and cached. Without a tool cache (a run outside a runner) the checked download
 * in `temp` is used for this run alone.
 */
async function fetchVerified(release, temp) {
    const version = release.tag.replace(/^v/, '');
    const cache = process.env.RUNNER_TOOL_CACHE;
    if (cache) {
        const found = tool_cache/* find */.I6(release.tool, version, releaseArch());
        if (found !== '' && external_node_fs_.existsSync(external_node_path_.join(found, release.binary))) {
            log/* info */.pq(`${release.tool} ${release.tag}: from the runner's tool cache (${found}).`);
            return external_node_path_.join(found, release.binary);
        }
    }
    const from = `${release.base.replace(/\/+$/, '')}/download/${release.tag}`;
    const url = `${from}/${release.asset}`;
    return log/* group */.Os(`Fetching ${release.tool} ${release.tag} from ${url}`, async () => {
        const dir = external_node_fs_.mkdtempSync(external_node_path_.join(temp, `${release.tool}-`));
        const download = async (name) => {
            try {
                return await tool_cache/* downloadTool */.bq(`${from}/${name}`, external_node_path_.join(dir, name));
            }
            catch (err) {
                throw new DockerError(`Input '${release.input}': ${from}/${name} could not be downloaded (${err instanceof Error ? err.message : String(err)}). Fix: check that ${release.tag} is a release of ${release.tool}, and the download URL.`);
            }
        };
        const file = await download(release.asset);
        const checksums = release.checksums ?? 'checksums.txt';
        const expected = checksumOf(external_node_fs_.readFileSync(await download(checksums), 'utf8'), release.asset);
        const actual = sha256File(file);
        if (expected !== actual) {
            external_node_fs_.rmSync(dir, { recursive: true, force: true });
            throw new DockerError(`Input '${release.input}': ${url} has sha256 ${actual}, but the release's ${checksums} ${expected === undefined ? `lists no ${release.asset}` : `says ${expected}`}; it was removed and nothing was used. Fix: check the download URL (a mirror must serve the release's own files).`);
        }
        external_node_fs_.chmodSync(file, 0o755);
        log/* info */.pq(`${release.asset}: sha256 ${actual}, as the release's ${checksums} says.`);
        if (!cache)
            return file;
        const cached = await tool_cache/* cacheFile */.NJ(file, release.binary, release.tool, version, releaseArch());
        log/* info */.pq(`Kept in the runner's tool cache: ${cached}.`);
        return external_node_path_.join(cached, release.binary);
    });
}

;// CONCATENATED MODULE: ./src/setup/buildx.ts
// buildx-version: the buildx release this run uses. When the runner's buildx is
// missing or another release, that release is fetched (downloads.ts: checksum
// checked, kept in the runner's tool cache) and given to this run alone, through a
// private cli-plugins folder of the run's own docker config: the user's other
// plugins are linked in beside it, and nothing of the user's changes.





/** `0.29.1` from what `docker buildx version` prints (`github.com/docker/buildx v0.29.1 abc`, or Debian's `0.29.1+ds1`). */
function versionOf(printed) {
    return /\bv?(\d+\.\d+\.\d+)/.exec(printed)?.[1];
}
/**
 * Makes `dir` a plugin folder with every plugin the user's CLI would find but
 * docker-buildx, which is `buildx`. Returns `dir`.
 */
function pluginFolder(dir, environment, buildx) {
    external_node_fs_.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const from of [...environment.dockerConfig.pluginDirs].reverse()) {
        let names;
        try {
            names = external_node_fs_.readdirSync(from).filter((n) => n.startsWith('docker-') && n !== 'docker-buildx');
        }
        catch {
            continue;
        }
        // The CLI takes a plugin from the first folder that has it: the earlier folders win, linked last.
        for (const name of names) {
            external_node_fs_.rmSync(external_node_path_.join(dir, name), { force: true });
            external_node_fs_.symlinkSync(external_node_path_.join(from, name), external_node_path_.join(dir, name));
        }
    }
    external_node_fs_.symlinkSync(buildx, external_node_path_.join(dir, 'docker-buildx'));
    return dir;
}
/**
 * The plugin folder this run must use for buildx `release`, or undefined when the
 * runner's own buildx is that release already.
 */
async function ensureBuildx(docker, release, environment, temp) {
    const tag = release.version === 'latest' ? await latestTag(release.base, 'buildx-version') : release.version;
    const installed = environment.buildx
        ? versionOf((await docker.tryRun(buildxVersionArgs(), { silent: true })).stdout)
        : undefined;
    if (installed === tag.replace(/^v/, '')) {
        log/* info */.pq(`buildx-version: the runner's buildx is ${tag} already.`);
        return undefined;
    }
    log/* info */.pq(`buildx-version: ${installed === undefined ? 'the runner has no buildx' : `the runner's buildx is v${installed}`}; this run uses ${tag}.`);
    const binary = await fetchVerified({
        tool: 'buildx',
        input: 'buildx-version',
        base: release.base,
        tag,
        asset: `buildx-${tag}.linux-${releaseArch()}`,
        binary: 'docker-buildx'
    }, temp);
    return pluginFolder(external_node_path_.join(temp, 'cli-plugins'), environment, binary);
}

;// CONCATENATED MODULE: ./src/setup/cosign.ts


/** The cosign release fetched when the runner has none. */
const COSIGN_RELEASE = 'v3.1.1';
async function ensureCosign(signing, environment, temp) {
    if (environment.tools.cosign !== undefined) {
        log/* info */.pq(`sign: cosign of the runner (${environment.tools.cosign}).`);
        return environment.tools.cosign;
    }
    log/* info */.pq(`sign: the runner has no cosign; this run uses cosign ${COSIGN_RELEASE}.`);
    return fetchVerified({
        tool: 'cosign',
        input: 'sign',
        base: signing.downloadBase,
        tag: COSIGN_RELEASE,
        asset: `cosign-linux-${releaseArch()}`,
        binary: 'cosign',
        checksums: 'cosign_checksums.txt'
    }, temp);
}

;// CONCATENATED MODULE: ./src/plan/command-lines.ts
// The plan as the docker commands a person would type, for the dry run and its
// summary: the argument arrays render.ts makes (the same the phases run), written
// as shell lines. For display only: nothing is ever run through a shell. Pure.


/** The command a person would type for the compressor (the dry run), after `docker image save … |`. */
function compressorLine(compressor, level) {
    const commands = { none: '', zlib: `gzip -${level}`, pigz: `pigz -${level}`, zstd: `zstd -T0 -${level}` };
    return commands[compressor.kind];
}
/** An argument as a POSIX shell would need it written, for display only (nothing is ever run through a shell). */
function shellQuote(arg) {
    return /^[A-Za-z0-9_./:=@,+%^-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
/**
 * The plan as the docker commands a person would type, in order (the dry run
 * prints them). Secrets show as ***: the password goes to standard input, and
 * each build secret is an environment variable of the build.
 */
/** A command as a person would type it: each argument shown (credentials hidden) and quoted. */
function commandLine(args, program = 'docker') {
    return [program, ...args].map((arg) => shellQuote((0,log/* shownArg */.iN)(arg))).join(' ');
}
function commandLines(plan) {
    const line = (args) => commandLine(args);
    const lines = [];
    for (const login of plan.logins)
        lines.push(`echo '***' | ${line(loginArgs(login))}`);
    const image = plan.image;
    if (image.kind === 'build') {
        for (const ref of image.cachePulls)
            lines.push(line(pullArgs(ref)));
        const env = image.secrets.map(({ env }) => `${env}='***' `).join('');
        const build = `${env}${line(buildArgs(image))}`;
        // The classic builder reads the Dockerfile, with the labels in one LABEL line, on standard input.
        if (image.dockerfileText === undefined)
            lines.push(build);
        else
            lines.push(`${build} <<'DOCKERFILE'`, ...image.dockerfileText.replace(/\n$/, '').split('\n'), 'DOCKERFILE');
        // The digest is the one buildx writes to its metadata file.
        const repositories = [...new Set(plan.targets.map((t) => t.repository.name))];
        if (image.push) {
            for (const name of repositories) {
                lines.push(line(imagetoolsInspectArgs(`${name}@<digest>`, { builderName: image.builderName })));
            }
        }
    }
    else if (image.kind === 'load') {
        // The action streams the tarball in itself, its own names taken out; this is the shell's nearest line.
        lines.push("# the tarball's own names are left out on the way in: the tags below are its only ones");
        const load = line(loadArgs());
        lines.push(image.decompress
            ? `${[image.decompress.program, ...image.decompress.args].map(shellQuote).join(' ')} | ${load}`
            : `${load} < ${shellQuote(image.path)}`);
        for (const target of plan.targets)
            lines.push(line(tagArgs('<the loaded image>', target.ref)));
    }
    else if (image.kind === 'merge') {
        for (const { parts } of image.repositories) {
            for (const { ref } of parts)
                lines.push(`# check that ${ref} exists and is of commit ${image.sha}`);
        }
        for (const repository of image.repositories) {
            for (const args of mergeArgs(image, repository))
                lines.push(line(args));
        }
    }
    else {
        // A source in a registry is copied there (an index as it is); else it goes through the engine.
        if (image.copy) {
            const inspect = line(imagetoolsInspectArgs(image.source));
            lines.push(`${inspect} && ${line(imagetoolsCreateArgs(image.refs, [image.source]))} ||`);
        }
        const inspect = inspectArgs([image.source], '{{.Id}}');
        lines.push(`${line(inspect)} || ${line(pullArgs(image.source))}`);
        for (const ref of image.refs)
            lines.push(line(tagArgs(image.source, ref)));
    }
    for (const target of plan.pushes.flat())
        lines.push(line(pushArgs(target.ref)));
    if (plan.cleanup.length > 0)
        lines.push(line(removeArgs(plan.cleanup)));
    if (plan.save) {
        const { target, compressor } = plan.save;
        const pipe = compressor.kind === 'none' ? '' : ` | ${compressorLine(compressor, target.level)}`;
        lines.push(`${line(saveArgs(plan.save.refs))}${pipe} > ${shellQuote(target.path)}`);
    }
    if (plan.sign) {
        // The digests come from the push; the key from the cosign process's environment.
        const env = plan.sign.mode === 'key' ? `${COSIGN_KEY_VARIABLE}='***' COSIGN_PASSWORD='***' ` : '';
        for (const name of [...new Set(plan.targets.map((t) => t.repository.name))]) {
            lines.push(`${env}${commandLine(cosignSignArgs(`${name}@<digest>`, plan.sign), 'cosign')}`);
        }
    }
    return lines;
}

;// CONCATENATED MODULE: ./src/plan/build.ts
// The build's step of the plan: what `docker build` or `docker buildx build` is
// given for the inputs and the builder, the environment variables that carry the
// secrets, and the Dockerfile the classic builder reads with the labels in one
// line. Pure.


/** BuildKit's secret for the credentials of a Git context (and of Git sources the build fetches). */
const GIT_AUTH_TOKEN = 'GIT_AUTH_TOKEN';
/**
 * A remote context's token (`https://x-access-token:TOKEN@github.com/org/app.git`,
 * or `https://TOKEN@…`), for buildx: the URL without it, and the token, which goes
 * to BuildKit as its Git auth secret. In the URL it would reach the build's
 * provenance (its `git.fullurl`), which is pushed beside the image.
 */
function gitAuthOf(context) {
    // A Git URL as docker tells one: http(s) ending in .git, with an optional #ref:dir.
    const m = /^(https?:\/\/)([^/@\s]+)@(.*\.git(?:#.+)?)$/i.exec(context);
    if (!m)
        return undefined;
    const colon = m[2].indexOf(':');
    const token = decodeURIComponent(colon < 0 ? m[2] : m[2].slice(colon + 1));
    return token === '' ? undefined : { context: `${m[1]}${m[3]}`, token };
}
/**
 * The environment variable of the build process that carries each secret: the
 * secrets input's, and with buildx a Git context's token (unless the secrets input
 * gives BuildKit's Git auth secret itself).
 */
function secretVariables(build, builder) {
    const secrets = build.secrets.map(({ id, value }, i) => ({ name: `SHIP_IMAGE_SECRET_${i + 1}`, id, value }));
    const git = builder === 'buildx' ? gitAuthOf(build.context) : undefined;
    if (git === undefined || secrets.some((s) => s.id === GIT_AUTH_TOKEN))
        return secrets;
    return [...secrets, { name: 'SHIP_IMAGE_GIT_AUTH_TOKEN', id: GIT_AUTH_TOKEN, value: git.token }];
}
function buildStep(build, refs, facts, secretEnv) {
    const buildx = facts.builder === 'buildx';
    // The classic builder makes a step, with a container, of each --label: the labels go into
    // one LABEL line of the Dockerfile instead, given on standard input.
    const stdin = !facts.buildkit && build.labels.length > 1 ? withLabelLine(build) : undefined;
    const epoch = build.sourceDateEpoch;
    return {
        kind: 'build',
        builderName: buildx ? build.builder : '',
        // buildx: a Git context's token goes as BuildKit's Git auth secret (secretVariables), not in the URL.
        context: buildx ? (gitAuthOf(build.context)?.context ?? build.context) : build.context,
        file: stdin !== undefined ? '-' : build.file,
        refs,
        buildArgs: build.buildArgs,
        // buildx's BuildKit dates the image config and history from the commit: the same commit, the same digest.
        sourceDateEpoch: buildx && epoch !== undefined && !build.buildArgs.some((a) => a.key === 'SOURCE_DATE_EPOCH') ? epoch : undefined,
        labels: stdin === undefined ? build.labels : [],
        target: build.target,
        platforms: build.platforms,
        network: build.network,
        pull: build.pull,
        noCache: build.noCache,
        cacheFrom: facts.cache.from,
        cacheTo: facts.cache.to,
        inlineCache: facts.cache.inline,
        secrets: secretEnv.map(({ name, id }) => ({ id, env: name })),
        provenance: buildx ? build.provenance : undefined,
        exports: buildx ? exportsOf(build, facts) : [],
        iidFile: facts.iidFile,
        metadataFile: buildx ? facts.metadataFile : undefined,
        // BuildKit reads cache-from images from the registry itself; the classic builder needs them local.
        cachePulls: facts.cache.pulls,
        dockerfile: build.file !== undefined && external_node_path_.isAbsolute(build.file) ? build.file : undefined,
        dockerfileText: stdin,
        push: facts.push
    };
}
/**
 * Where buildx sends the image. Pushed by buildx, it is loaded too only when the
 * engine needs it (a save, the load input); never both with the docker driver,
 * whose two exporters would both write the image into the engine (one fails).
 * Not pushed, one platform is loaded; several are kept in the builder's cache
 * (the engine holds one platform per tag).
 */
function exportsOf(build, facts) {
    if (facts.push)
        return facts.load && build.driver !== 'docker' ? ['push', 'load'] : ['push'];
    return build.platforms.length <= 1 ? ['load'] : [];
}
/** A label value in a Dockerfile's double quotes: `\`, `"` and `$` (which would expand a variable) escaped. */
function quoted(text) {
    return `"${text.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}
/**
 * The Dockerfile with every label in one LABEL instruction at the end of the stage
 * that is built (the last, or `target`), so the classic builder commits one step for
 * them, not one each. Undefined where that cannot be done safely: an escape
 * directive (it changes the quoting), or a target stage that cannot be found.
 */
function withLabelLine(build) {
    const text = build.dockerfileText;
    if (text === undefined || hasEscapeDirective(text))
        return undefined;
    const line = `LABEL ${build.labels.map(({ key, value }) => `${quoted(key)}=${quoted(value)}`).join(' ')}`;
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    if (build.target === '')
        return [...lines, line, ''].join('\n');
    // The stage `target` ends before the next FROM after its own.
    const stages = stagesOf(instructionsOf(text));
    const own = stages.findIndex((s) => s.written !== undefined && s.name === build.target.toLowerCase());
    if (own < 0)
        return undefined;
    const next = stages[own + 1];
    if (next === undefined)
        return [...lines, line, ''].join('\n');
    const nextLine = next.instructions[0].line;
    return [...lines.slice(0, nextLine - 1), line, ...lines.slice(nextLine - 1), ''].join('\n');
}

;// CONCATENATED MODULE: ./src/plan/cache.ts



/** The branches a run's cache is keyed by: the one it writes first, then the others it reads. */
function cacheBranches(event) {
    const branch = event.ref.startsWith('refs/heads/') ? event.ref.slice('refs/heads/'.length) : undefined;
    const own = event.pullRequest !== undefined ? `pr-${event.pullRequest}` : (branch ?? event.defaultBranch ?? 'default');
    return [
        ...new Set([own, event.baseBranch, event.defaultBranch].filter((b) => b !== undefined && b !== ''))
    ];
}
/** The image tag a branch's build pushes (tags: auto), which carries an inline cache. */
function imageTagOf(branch, variant) {
    return affixed(tagOf(branch), variant);
}
/** `buildcache-<branch>`, a valid tag. */
function cacheTagOf(branch) {
    return `buildcache-${tagOf(branch)}`.slice(0, TAG_MAX);
}
function cachePlan(build, facts) {
    const { exporter, buildx } = facts;
    if (build.cache === 'false') {
        const from = build.cacheFrom.map((s) => s.type === 'registry' && s.attrs.length === 1 ? (s.attrs[0]?.[1] ?? '') : renderSpec(s));
        const to = build.cacheTo.filter((s) => buildx || s.type !== 'inline').map(renderSpec);
        return {
            from,
            to,
            // With BuildKit the image carries its cache metadata, so the next run can use it as cache-from.
            inline: exporter !== 'none' && (build.cacheFrom.length > 0 || (!buildx && build.cacheTo.length > 0)),
            pulls: exporter === 'none' ? build.cacheFrom.map((s) => s.attrs.find(([k]) => k === 'ref')?.[1] ?? '') : []
        };
    }
    const [own, ...others] = cacheBranches(facts.event);
    const branches = [own, ...others];
    if (exporter === 'all') {
        const where = (branch) => build.cache === 'gha'
            ? `type=gha,scope=${tagOf(branch)}`
            : `type=registry,ref=${facts.repository}:${cacheTagOf(branch)}`;
        // A cache that cannot be written (a registry that refuses it) does not fail a build that succeeded.
        return {
            from: branches.map(where),
            to: facts.push ? [`${where(own)},mode=max,ignore-error=true`] : [],
            inline: false,
            pulls: []
        };
    }
    // The image itself is the cache: the branches' last pushed images, and this one carries its cache inline.
    const [ownImage, ...otherImages] = branches.map((b) => `${facts.repository}:${imageTagOf(b, facts.variant)}`);
    const runImage = facts.ownTag === undefined ? [] : [`${facts.repository}:${facts.ownTag}`];
    const images = [...new Set([ownImage, ...runImage, ...otherImages])];
    return {
        from: images,
        to: buildx && facts.push ? ['type=inline'] : [],
        inline: exporter === 'inline' && !buildx,
        pulls: exporter === 'none' ? images : []
    };
}

;// CONCATENATED MODULE: ./src/plan/plan.ts






/** The compressor for `target` with the programs the machine has. */
function compressorFor(target, tools) {
    if (target.format === 'tar')
        return { kind: 'none' };
    if (target.format === 'zstd')
        return { kind: 'zstd', path: tools.zstd ?? 'zstd' };
    return tools.pigz === undefined ? { kind: 'zlib' } : { kind: 'pigz', path: tools.pigz };
}
function makePlan(inputs, facts, tokens = {}) {
    const builder = facts.buildx ? 'buildx' : 'docker';
    const buildkit = builder === 'buildx' || facts.buildkitEnv;
    const targets = inputs.images.flatMap((repository) => inputs.tags.map((tag) => ({ repository, tag, ref: `${repository.name}:${tag}` })));
    const refs = targets.map((t) => t.ref);
    const source = inputs.source;
    const secretEnv = source.kind === 'build' ? secretVariables(source.build, builder) : [];
    // buildx pushes itself what the local engine cannot hold (an index of several
    // platforms), what `docker push` of a loaded image would lose on a classic image
    // store (the provenance attestation), and whatever a builder outside the engine
    // made: loading it into the engine to push it from there would compress and
    // send every layer twice.
    const pushedByBuild = builder === 'buildx' &&
        inputs.push &&
        source.kind === 'build' &&
        (source.build.platforms.length > 1 || source.build.provenance !== 'false' || source.build.driver !== 'docker');
    const push = pushedByBuild ? { registries: registriesOf(targets) } : undefined;
    // An image buildx pushed from a builder outside the engine is in the engine only when loaded as well.
    const local = !(push && source.kind === 'build' && source.build.driver !== 'docker' && !inputs.load && !inputs.save);
    const plan = {
        logins: inputs.logins.map(({ registry, username }) => ({ registry, username })),
        keepLogin: inputs.keepLogin,
        ownDockerConfig: inputs.logins.length > 0 || (source.kind === 'merge' && builder !== 'buildx'),
        cleanup: inputs.cleanup && local ? cleanupOf(targets, source) : [],
        builder,
        buildkit,
        image: source.kind === 'image'
            ? retagStep(source.ref, refs, builder === 'buildx' && inputs.push && !inputs.save ? targets : undefined)
            : source.kind === 'tarball'
                ? loadStep(source.path, source.format === 'zstd' ? facts.zstd : undefined)
                : source.kind === 'merge'
                    ? mergeStep(inputs, targets, source.platforms, source.sha, builder === 'buildx')
                    : buildStep(source.build, refs, {
                        builder,
                        buildkit,
                        ...facts,
                        push,
                        load: inputs.load || inputs.save !== undefined,
                        cache: cachePlan(source.build, {
                            exporter: cacheExporter({ ...facts, buildx: builder === 'buildx' }, source.build.driver) ??
                                // The docker driver's store was not asked (no rule needed it): it exports inline at least.
                                'inline',
                            buildx: builder === 'buildx',
                            push: inputs.push,
                            repository: inputs.images[0]?.name ?? '',
                            event: facts.event,
                            variant: inputs.variant,
                            ownTag: targets[0]?.tag
                        })
                    }, secretEnv),
        targets,
        platforms: source.kind === 'build' ? source.build.platforms : source.kind === 'merge' ? source.platforms : [],
        pushes: inputs.push && push === undefined && source.kind !== 'merge'
            ? inputs.images.map((repository) => targets.filter((t) => t.repository === repository))
            : [],
        save: inputs.save && { target: inputs.save, refs, compressor: compressorFor(inputs.save, facts) },
        attempts: inputs.attempts,
        version: inputs.version,
        labels: source.kind === 'build' ? Object.fromEntries(source.build.labels.map((l) => [l.key, l.value])) : {},
        workspace: facts.workspace,
        summary: inputs.summary,
        ...(inputs.pushSkipped === undefined ? {} : { pushSkipped: inputs.pushSkipped }),
        ...(inputs.sign
            ? {
                sign: {
                    mode: inputs.sign.mode,
                    tlogUpload: inputs.sign.tlogUpload,
                    identity: facts.workflowRef ?? ''
                }
            }
            : {})
    };
    const step = plan.image;
    // buildx reads the cache service's token from its environment, for a type=gha cache.
    const gha = step.kind === 'build' && [...step.cacheFrom, ...step.cacheTo].some((spec) => /(?:^|,)type=gha(?:,|$)/.test(spec));
    const secrets = {
        passwords: inputs.logins.map((l) => l.password),
        buildEnv: {
            ...Object.fromEntries(secretEnv.map(({ name, value }) => [name, value])),
            ...(gha && tokens.actionsRuntime ? { ACTIONS_RUNTIME_TOKEN: tokens.actionsRuntime } : {})
        },
        // cosign reads its key from the environment (render.COSIGN_KEY_VARIABLE); keyless, the OIDC token request.
        cosignEnv: inputs.sign?.mode === 'key'
            ? { [COSIGN_KEY_VARIABLE]: inputs.sign.key, COSIGN_PASSWORD: inputs.sign.password }
            : inputs.sign?.mode === 'keyless' && tokens.oidcRequest
                ? { ACTIONS_ID_TOKEN_REQUEST_TOKEN: tokens.oidcRequest }
                : {}
    };
    return { plan, secrets };
}
/** The registries of the targets, once each, in order. */
function registriesOf(targets) {
    return [...new Set(targets.map((t) => t.repository.domain))];
}
/**
 * The tags the run made: every target, but the source image's own reference (a
 * retag of `app:v1` as `app:v1` keeps it). `docker image rm name:tag` removes the
 * tag, and the image with its last tag; an image with other tags stays.
 */
function cleanupOf(targets, source) {
    // However it is written (`app`, `docker.io/library/app:latest`), the source's own tag stays.
    const own = source.kind === 'image' ? canonicalReference(source.ref) : undefined;
    return targets.map((t) => t.ref).filter((ref) => canonicalReference(ref) !== own);
}
/** A .tar.zst goes through the runner's zstd (`zstd`; an input rule says when it is missing). */
function loadStep(file, zstd) {
    const decompress = zstd === undefined ? undefined : { program: zstd, args: ['-dc', '--quiet', file] };
    return { kind: 'load', path: file, decompress };
}
function retagStep(source, refs, copyTo) {
    // An image ID names a local image only.
    const copyable = copyTo !== undefined && !/^(?:sha256:)?[a-f0-9]{12,64}$/.test(source);
    return { kind: 'retag', source, refs, copy: copyable ? { registries: registriesOf(copyTo) } : undefined };
}
/** A registry on this machine, which the engine lets speak plain HTTP (its default insecure registries). */
function isLoopback(host) {
    return /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/.test(host);
}
function mergeStep(inputs, targets, platforms, sha, buildx) {
    return {
        kind: 'merge',
        sha,
        tool: buildx ? 'imagetools' : 'manifest',
        removePulled: !buildx && inputs.cleanup,
        repositories: inputs.images.map(({ name }) => ({
            repository: name,
            // `docker manifest` talks to the registry itself, and only plain HTTP to loopback when told, as the engine does.
            insecure: !buildx && isLoopback(registryOf(name)),
            parts: platforms.map((platform) => ({ platform, ref: `${name}:${partTag(sha, platform, inputs.variant)}` })),
            refs: targets.filter((t) => t.repository.name === name).map((t) => t.ref)
        }))
    };
}

;// CONCATENATED MODULE: ./src/report/artifacts.ts
/**
 * The lines, as the runner reads them: `oci://<repository>@sha256:<hex>` and
 * `file://<path>`. A path holding `=` (which the format reserves) or a line break
 * cannot be declared: left out, and said.
 */
function artifactLines(metadata) {
    const lines = metadata.refs.map((ref) => `oci://${ref}`);
    const skipped = [];
    const tarball = metadata.tarball?.path;
    if (tarball !== undefined) {
        if (/[=\r\n]/.test(tarball))
            skipped.push(tarball);
        else
            lines.push(`file://${tarball}`);
    }
    return { lines, skipped };
}

;// CONCATENATED MODULE: ./src/report/made.ts
// What made the image, as the summary's first line says it: the builder, the
// Dockerfile, the stage and the platforms of a build; the image retagged, the
// tarball loaded, or the parts merged. From the plan's typed steps. Pure.

function madeOf(plan) {
    const image = plan.image;
    if (image.kind === 'retag')
        return { kind: 'retag', source: image.source };
    if (image.kind === 'load')
        return { kind: 'load', source: image.path };
    if (image.kind === 'merge') {
        const platforms = image.repositories[0]?.parts.map((p) => p.platform) ?? [];
        return { kind: 'merge', platforms, imagetools: image.tool === 'imagetools' };
    }
    const dockerfile = image.dockerfile && external_node_path_.relative(plan.workspace, image.dockerfile);
    return {
        kind: 'build',
        builder: plan.builder === 'buildx' ? 'buildx' : plan.buildkit ? 'BuildKit' : 'the classic builder',
        dockerfile: dockerfile && (dockerfile.startsWith('..') ? image.dockerfile : dockerfile),
        target: image.target,
        platforms: image.platforms
    };
}

;// CONCATENATED MODULE: ./src/report/outputs.ts
// Turns what the run did into the metadata and the step outputs (pure), and
// writes them.

function metadataOf(outcome) {
    const digestOf = new Map(outcome.pushed.map((p) => [p.target.ref, p.digest]));
    const repositories = [...new Map(outcome.targets.map((t) => [t.repository.name, t.repository])).values()];
    const images = repositories.map((repository) => {
        const tags = outcome.targets
            .filter((t) => t.repository.name === repository.name)
            .map((t) => ({ tag: t.tag, ref: t.ref, digest: digestOf.get(t.ref) ?? null }));
        const digest = tags.find((t) => t.digest !== null)?.digest ?? null;
        return {
            repository: repository.name,
            registry: repository.domain,
            digest,
            ref: digest && `${repository.name}@${digest}`,
            tags
        };
    });
    return {
        imageid: outcome.imageId,
        version: outcome.version,
        labels: outcome.labels,
        digest: images.find((i) => i.digest !== null)?.digest ?? '',
        tags: outcome.targets.map((t) => t.ref),
        refs: images.flatMap((i) => (i.ref === null ? [] : [i.ref])),
        platforms: outcome.platforms,
        images,
        tarball: outcome.tarball ?? null
    };
}
/** The step outputs, each a view of the metadata; `verify`: the cosign verify command of each signed digest. */
function outputsOf(metadata, verify = []) {
    return {
        imageid: metadata.imageid,
        digest: metadata.digest,
        tags: metadata.tags.join('\n'),
        refs: metadata.refs.join('\n'),
        version: metadata.version,
        tarball: metadata.tarball?.path ?? '',
        'tarball-digest': metadata.tarball?.digest ?? '',
        'cosign-verify': verify.join('\n'),
        metadata: JSON.stringify(metadata)
    };
}
/** Sets the outputs given (a dry run knows only some of them). */
function writeOutputs(outputs) {
    for (const [name, value] of Object.entries(outputs))
        core/* setOutput */.uH(name, value);
}

;// CONCATENATED MODULE: ./src/domain/run.ts
/** The phases of a run, in the order they run. */
const PHASES = ['login', 'build', 'save', 'push', 'sign'];

;// CONCATENATED MODULE: ./src/report/summary.ts
// The job summary (GITHUB_STEP_SUMMARY) and the step's closing line, from what
// the run did: markdown and text, made purely, then written through
// @actions/core's summary. Nothing secret reaches these functions.





function formatBytes(bytes) {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit++;
    }
    return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
function formatDuration(ms) {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
/** The longest run of backticks in `text`. */
function longestTicks(text) {
    return Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
}
/** `text` as a code span that no backtick in it can end early (CommonMark), and with `|` escaped for tables. */
function code(text) {
    const fence = '`'.repeat(longestTicks(text) + 1);
    const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
    return `${fence}${padded.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')}${fence}`;
}
/** A fenced code block whose fence is longer than any run of backticks in its lines, so none can close it. */
function fenced(language, lines) {
    const fence = '`'.repeat(Math.max(3, longestTicks(lines.join('\n')) + 1));
    return [`${fence}${language}`, ...lines, fence];
}
/** `sha256:0123456789ab…`: the whole `repo@digest` is in the block below the table, to copy. */
function digestCell(digest) {
    return digest === null ? '—' : code(`${digest.slice(0, 19)}…`);
}
/** The line under the heading: the version, what made the image and how, the cache, the time. */
function madeLine(input) {
    const parts = [];
    if (input.metadata.version !== '')
        parts.push(`version ${code(input.metadata.version)}`);
    const made = input.made;
    if (made?.kind === 'build') {
        const what = made.dockerfile === undefined ? 'built' : `built ${code(made.dockerfile)}`;
        const target = made.target === '' ? '' : ` (stage ${code(made.target)})`;
        const platforms = made.platforms.length === 0 ? "for the engine's platform" : `for ${made.platforms.map(code).join(', ')}`;
        parts.push(`${what}${target} with ${made.builder} ${platforms}`);
    }
    else if (made?.kind === 'retag')
        parts.push(`retagged ${code(made.source)}, nothing built`);
    else if (made?.kind === 'load')
        parts.push(`loaded ${code(made.source)}, nothing built`);
    else if (made?.kind === 'merge')
        parts.push(`merged the parts for ${made.platforms.map(code).join(', ')} with ${code(made.imagetools ? 'buildx imagetools create' : 'docker manifest')}, nothing built`);
    const cache = input.cache;
    if (cache !== undefined && cache.steps > 0)
        parts.push(cache.cached === 0 ? `no step of ${cache.steps} cached` : `${cache.cached} of ${cache.steps} steps cached`);
    if (input.totalMs !== undefined)
        parts.push(`${formatDuration(input.totalMs)} in all`);
    const line = parts.join(' · ');
    return line === '' ? '' : `${line[0].toUpperCase()}${line.slice(1)}.`;
}
function summaryMarkdown(input) {
    const { metadata, timings, imageSize, dryRun, failed } = input;
    const out = [];
    const pushed = metadata.images.filter((i) => i.digest !== null);
    const title = dryRun
        ? 'dry run: nothing was run'
        : [
            failed ? `failed in the ${failed.phase} phase` : '',
            pushed.length > 0
                ? `pushed ${pushed.length} ${pushed.length === 1 ? 'repository' : 'repositories'}`
                : 'nothing pushed',
            metadata.tarball ? 'saved a tarball' : ''
        ]
            .filter((t) => t !== '')
            .join(', ');
    out.push(`### ship-image${input.step ? ` ${code(input.step)}` : ''}: ${title}`, '');
    if (failed) {
        const live = pushed.length > 0 || metadata.tarball ? ' What it did before is live, in the outputs and below.' : '';
        out.push(`**Failed in the ${failed.phase} phase.**${live}`, '', ...fenced('text', failed.message.split('\n')), '');
    }
    const made = madeLine(input);
    if (made !== '')
        out.push(made, '');
    if (input.pushSkipped)
        out.push(`**Not pushed:** ${input.pushSkipped}.`, '');
    out.push('| repository | tags | digest | image size in the engine |', '|---|---|---|---|');
    const size = imageSize === undefined ? '—' : formatBytes(imageSize);
    for (const image of metadata.images) {
        out.push(`| ${code(image.repository)} | ${image.tags.map((t) => code(t.tag)).join(' ')} | ${digestCell(image.digest)} | ${size} |`);
    }
    out.push('');
    if (metadata.refs.length > 0) {
        out.push(`Pushed, by digest (a tag can move, a digest cannot):`, '', ...fenced('text', metadata.refs), '');
    }
    if (input.verify && input.verify.length > 0) {
        out.push('Signed with cosign, each digest; verify with:', '', ...fenced('sh', input.verify), '');
    }
    if (metadata.platforms.length > 0) {
        // Whole, to copy: a platform's manifest digest is in no other block.
        out.push('| platform | manifest digest |', '|---|---|');
        for (const p of metadata.platforms)
            out.push(`| ${code(p.platform)} | ${p.digest === null ? '—' : code(p.digest)} |`);
        out.push('');
    }
    const phases = PHASES.flatMap((name) => {
        const ms = timings[name];
        return ms === undefined ? [] : [{ name, ms }];
    });
    if (phases.length > 0) {
        const total = input.totalMs === undefined ? [] : [formatDuration(input.totalMs)];
        const names = [...phases.map((p) => p.name), ...(total.length > 0 ? ['total'] : [])];
        out.push(`| ${names.join(' | ')} |`, `|${names.map(() => '---').join('|')}|`, `| ${[...phases.map((p) => formatDuration(p.ms)), ...total].join(' | ')} |`, '');
    }
    const tarball = metadata.tarball;
    if (tarball) {
        const name = external_node_path_.basename(tarball.path);
        const format = formatOf(tarball.path);
        const how = format === 'zstd' ? 'zstd' : tarball.compressor === 'none' ? 'not compressed' : `gzip by ${tarball.compressor}`;
        // Engines before 23.0 cannot read zstd: it is decompressed on the way in, as the action itself loads one.
        const load = format === 'zstd'
            ? `zstd -dc --quiet ${shellQuote(name)} | docker load`
            : `docker load --input ${shellQuote(name)}`;
        out.push(`**Tarball** ${code(name)}: tarball size on disk ${formatBytes(tarball.size)}, ${how}, ${code(tarball.digest)}. This job wrote it to ${code(tarball.path)}; a job that downloads it as an artifact loads it with:`, '', ...fenced('sh', [load]), '');
    }
    if (dryRun)
        out.push('The docker commands this run would make:', '', ...fenced('sh', dryRun), '');
    return out.join('\n');
}
/** The step's last log line: what was pushed and saved. */
function closingLine(metadata) {
    const parts = metadata.refs.map((ref) => `pushed ${ref}`);
    if (metadata.tarball)
        parts.push(`saved ${metadata.tarball.path} (${formatBytes(metadata.tarball.size)})`);
    return parts.length > 0
        ? `ship-image: ${parts.join('; ')}.`
        : `ship-image: built ${metadata.tags.join(', ')}; nothing pushed or saved.`;
}
/** Appends `markdown` to the job summary; nothing when the runner gives no summary file. */
async function writeSummary(markdown) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    await core/* summary */.z.addRaw(markdown, true).write();
}

;// CONCATENATED MODULE: ./src/runner/docker-config.ts
// The user's docker config (`$DOCKER_CONFIG/config.json`, else ~/.docker), read
// once: the logins it has, its credential store and helpers, and where its CLI
// plugins are. The run never writes it; credentials.ts seeds the run's own
// config from the same parsed JSON.



function objectKeys(value) {
    return typeof value === 'object' && value !== null ? Object.keys(value) : [];
}
function readDockerConfig(dir) {
    let json = {};
    try {
        const parsed = JSON.parse(external_node_fs_.readFileSync(external_node_path_.join(dir, 'config.json'), 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
            json = parsed;
    }
    catch {
        // no config, or not JSON: docker uses its defaults too
    }
    const registries = [...objectKeys(json.auths), ...objectKeys(json.credHelpers)].map((key) => registryHost(key).host);
    const extra = Array.isArray(json.cliPluginsExtraDirs)
        ? json.cliPluginsExtraDirs.filter((d) => typeof d === 'string')
        : [];
    return {
        dir,
        json,
        registries: [...new Set(registries)],
        credsStore: typeof json.credsStore === 'string' && json.credsStore !== '' ? json.credsStore : undefined,
        // The config's cliPluginsExtraDirs, the config folder's cli-plugins (where
        // docker/setup-buildx-action puts buildx), then the system folders.
        pluginDirs: [
            ...extra,
            external_node_path_.join(dir, 'cli-plugins'),
            '/usr/local/lib/docker/cli-plugins',
            '/usr/local/libexec/docker/cli-plugins',
            '/usr/lib/docker/cli-plugins',
            '/usr/libexec/docker/cli-plugins'
        ]
    };
}

;// CONCATENATED MODULE: ./src/runner/environment.ts
// The facts of the machine and the workflow run that the step depends on, read
// once, at the shell's edge: the environment, the event payload, the docker and
// buildx configuration on disk, and `git log` for the commit's time. Every other
// module gets them from here as plain values.







/** Set (through GITHUB_ENV) for the later steps of a job once a step has said that the build is the classic builder. */
const CLASSIC_BUILDER_NOTED = 'SHIP_IMAGE_CLASSIC_BUILDER_NOTED';
const nodeFs = {
    kind(p) {
        try {
            const stat = external_node_fs_.statSync(p);
            return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
        }
        catch {
            return 'missing';
        }
    },
    writable(dir) {
        try {
            external_node_fs_.accessSync(dir, external_node_fs_.constants.W_OK);
            return true;
        }
        catch {
            return false;
        }
    },
    readText(p) {
        try {
            return external_node_fs_.readFileSync(p, 'utf8');
        }
        catch {
            return undefined;
        }
    }
};
/**
 * Reads the environment. An unreadable event payload is not an error: pull
 * request tags then fall back to GITHUB_SHA, and `warnings` says so.
 */
function readEnvironment(vars = process.env) {
    const warnings = [];
    let payload;
    const file = vars.GITHUB_EVENT_PATH;
    if (file) {
        try {
            payload = JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
        }
        catch (err) {
            const why = err instanceof Error ? err.message : String(err);
            warnings.push(`Could not read the event payload ${file} (${why}); pull request tags fall back to GITHUB_SHA.`);
        }
    }
    const dockerConfig = readDockerConfig(vars.DOCKER_CONFIG || external_node_path_.join(external_node_os_.homedir(), '.docker'));
    const buildxConfig = vars.BUILDX_CONFIG || external_node_path_.join(dockerConfig.dir, 'buildx');
    const workspace = vars.GITHUB_WORKSPACE || process.cwd();
    const event = gitEventOf(vars, payload);
    const now = new Date();
    const commitTime = createdOf({
        sourceDateEpoch: vars.SOURCE_DATE_EPOCH,
        headCommit: headCommitTime(payload, event.sha),
        git: () => gitCommitTime(workspace, event.sha, vars)
    }, now);
    warnings.push(...commitTime.warnings);
    const environment = {
        workspace,
        runnerTemp: vars.RUNNER_TEMP || external_node_os_.tmpdir(),
        otherTemps: [external_node_os_.tmpdir(), '/dev/shm'],
        fs: nodeFs,
        event,
        now,
        created: commitTime.created,
        buildkitEnv: vars.DOCKER_BUILDKIT === '1',
        dockerHost: vars.DOCKER_HOST || undefined,
        dockerConfig,
        buildxConfig,
        classicBuilderNoted: vars[CLASSIC_BUILDER_NOTED] === 'true',
        buildx: dockerConfig.pluginDirs.some((dir) => isExecutable(external_node_path_.join(dir, 'docker-buildx'))),
        builders: {
            store: readBuildxStore(buildxConfig, endpointKey(vars, dockerConfig.json)),
            named: vars.BUILDX_BUILDER ?? ''
        },
        selfHosted: vars.RUNNER_ENVIRONMENT === 'self-hosted',
        tools: {
            docker: findExecutable('docker', vars.PATH),
            pigz: findExecutable('pigz', vars.PATH),
            zstd: findExecutable('zstd', vars.PATH),
            cosign: findExecutable('cosign', vars.PATH)
        },
        oidc: Boolean(vars.ACTIONS_ID_TOKEN_REQUEST_URL && vars.ACTIONS_ID_TOKEN_REQUEST_TOKEN),
        // A keyless signature's certificate identity: the workflow file at its ref, on this server.
        workflowRef: vars.GITHUB_WORKFLOW_REF
            ? `${(vars.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${vars.GITHUB_WORKFLOW_REF}`
            : ''
    };
    return { environment, warnings };
}
/**
 * The committer time of `sha` (or of HEAD, when that commit is not in the
 * clone, as with a pull request's merge checkout) by `git log` in the
 * workspace; undefined without git or a repository there.
 */
function gitCommitTime(workspace, sha, vars) {
    const git = findExecutable('git', vars.PATH);
    if (git === undefined)
        return undefined;
    // git gets the step's variables without the action's inputs, as every child of the run does.
    const env = Object.fromEntries(Object.entries(vars).filter(([key]) => !key.startsWith('INPUT_')));
    for (const revision of sha === '' ? ['HEAD'] : [sha, 'HEAD']) {
        const result = (0,external_node_child_process_.spawnSync)(git, ['-C', workspace, 'log', '-1', '--format=%cI', revision, '--'], {
            encoding: 'utf8',
            env,
            timeout: 10_000,
            stdio: ['ignore', 'pipe', 'ignore']
        });
        const time = result.status === 0 ? result.stdout.trim() : '';
        if (time !== '')
            return time;
    }
    return undefined;
}
function isExecutable(file) {
    try {
        external_node_fs_.accessSync(file, external_node_fs_.constants.X_OK);
        return external_node_fs_.statSync(file).isFile();
    }
    catch {
        return false;
    }
}
/** The first executable called `name` on `searchPath` (PATH), or undefined. */
function findExecutable(name, searchPath = '') {
    return searchPath
        .split(external_node_path_.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => external_node_path_.join(dir, name))
        .find(isExecutable);
}
/** Whether `inner` is `outer` or inside it. */
function isInside(inner, outer) {
    const relative = external_node_path_.relative(outer, inner);
    // `..` or `../…` is outside; a folder named `..temp` is not.
    const up = relative === '..' || relative.startsWith(`..${external_node_path_.sep}`);
    return relative === '' || (!up && !external_node_path_.isAbsolute(relative));
}
/**
 * Where this run's temporary folder (with its docker config and login) goes: the
 * first of RUNNER_TEMP and the others that is not inside the build context, so
 * that `COPY .` cannot put the credentials into the image. Undefined when every
 * one is inside it (a context of `/`).
 */
function tempBase(environment, context) {
    const candidates = [environment.runnerTemp, ...environment.otherTemps];
    if (context === undefined || !external_node_path_.isAbsolute(context))
        return candidates[0];
    return candidates.find((dir) => !isInside(dir, context) && environment.fs.writable(dir));
}

;// CONCATENATED MODULE: ./src/runner/artifacts.ts
// The runner's artifact declarations: lines appended to the file $GITHUB_ARTIFACTS
// names (actions/runner#4527, 2026). @actions/core 3 has no API for this file
// command yet, so it is written here, as the runner reads it: one entry per line,
// the file created by the runner before the step. Nothing is written when the
// runner gives no such file (an older runner, a run outside Actions).


/** Appends the declarations; false when the runner takes none. */
function declareArtifacts(lines, vars = process.env) {
    const file = vars.GITHUB_ARTIFACTS;
    if (!file || lines.length === 0)
        return false;
    external_node_fs_.appendFileSync(file, lines.map((line) => `${line}${external_node_os_.EOL}`).join(''));
    return true;
}

;// CONCATENATED MODULE: ./src/main.ts
// The main step, a thin shell: the environment and the inputs → the plan → the
// docker work (phases/) → the outputs and the summary (report/). Data flows one way.



























/** The main step as the bundle runs it: marks the state for the post step, and fails a run that stops early. */
function start() {
    core/* saveState */.LZ(state/* STATE_IS_POST */._p, 'true');
    let finished = false;
    // Node exits quietly with 0 when nothing is left to wait for; a run that did
    // not reach its end must not pass as a success.
    process.on('exit', (code) => {
        if (!finished && code === 0)
            log/* error */.z3('ship-image stopped before it finished (an internal error); its outputs are not set.');
    });
    void main().finally(() => {
        finished = true;
    });
}
/** The inputs as the runner passes them (INPUT_<NAME>), trimmed. */
function rawInputs() {
    return Object.fromEntries(INPUT_NAMES.map((name) => [name, core/* getInput */.V4(name)]));
}
async function main(vars = process.env, runnerFor = cliRunner) {
    const started = performance.now();
    const raw = rawInputs();
    log/* mask */.dK(raw.password);
    const { environment, warnings } = readEnvironment(vars);
    // A DOCKER_HOST may carry a password (tcp://user:password@host); docker itself prints it without.
    log/* mask */.dK(/^[a-z][a-z0-9+.-]*:\/\/[^/:@]*:([^/@]+)@/i.exec(environment.dockerHost ?? '')?.[1] ?? '');
    // Parsing prints nothing: the secrets it finds are masked before anything is printed.
    let parsed = parseInputs(raw, environment);
    for (const secret of parsed.masks)
        log/* mask */.dK(secret);
    // A rule that depends on the engine's image store asks the engine first (the only docker command before the rules).
    if (parsed.ok && parsed.inputs.source.kind === 'build' && needsImageStore(parsed.inputs.source.build)) {
        environment.containerdStore = await probeImageStore(environment, runnerFor);
        parsed = parseInputs(raw, environment);
    }
    for (const warning of warnings)
        log/* warning */.$e(warning);
    for (const notice of parsed.notices)
        log/* notice */.lm(notice.message);
    for (const warning of parsed.warnings)
        log/* warning */.$e(warning.message);
    if (!parsed.ok) {
        for (const problem of parsed.problems)
            log/* error */.z3(problem.message);
        return;
    }
    const inputs = parsed.inputs;
    // Which time the created label has (a label the user set wins): it decides whether a rebuild gives the same digest.
    const created = inputs.source.kind === 'build' ? inputs.source.build.labels.find((l) => l.key === `${OCI}.created`) : undefined;
    if (created?.value === rfc3339(environment.created.date))
        log/* info */.pq(createdLine(environment.created));
    if (inputs.dryRun)
        return dryRun(inputs, environment);
    // The run's folder (its docker config and login) must not be inside the build context.
    const context = inputs.source.kind === 'build' ? inputs.source.build.context : undefined;
    const base = tempBase(environment, context);
    if (base === undefined) {
        log/* error */.z3(`Input 'context': the build context ${context} holds every temporary folder this run could use (${[environment.runnerTemp, ...environment.otherTemps].join(', ')}), and this run's docker login would go into the image. Fix: give a context folder that does not contain RUNNER_TEMP.`);
        return;
    }
    removeOnSignals();
    const temp = external_node_fs_.mkdtempSync(external_node_path_.join(base, 'ship-image-'));
    track(temp);
    markChildren(temp);
    core/* saveState */.LZ(state/* STATE_TEMP */.j9, temp);
    const { plan, secrets } = makePlan(inputs, factsOf(planned(inputs, environment), temp), {
        actionsRuntime: vars.ACTIONS_RUNTIME_TOKEN,
        oidcRequest: vars.ACTIONS_ID_TOKEN_REQUEST_TOKEN
    });
    log/* debug */.Yz(`The plan: ${JSON.stringify(plan)}`);
    let config;
    try {
        if (plan.save)
            track(claimTarget(plan.save.target.path));
        // The buildx release asked for (buildx-version), through the run's own plugin folder.
        const plugins = inputs.buildx && (await ensureBuildx(probe(environment, runnerFor), inputs.buildx, environment, temp));
        const registries = plan.logins.map((l) => l.registry);
        config =
            plan.ownDockerConfig || plugins
                ? createDockerConfig(temp, registries, environment.dockerConfig, environment.buildxConfig, plugins || undefined)
                : undefined;
        const docker = new Docker(runnerFor(environment.tools.docker, config?.env ?? {}, environment.dockerHost), environment.dockerHost);
        // Once per job, as a notice: the build works, and every run of the job would say the same.
        if (plan.image.kind === 'build' && !plan.buildkit && !environment.classicBuilderNoted) {
            log/* notice */.lm('docker build here is the classic builder, which Docker has deprecated. Install the buildx plugin (docker/setup-buildx-action) to build with BuildKit; it is also what build secrets need. (Said once per job.)');
            core/* exportVariable */.dN(CLASSIC_BUILDER_NOTED, 'true');
        }
        // cosign, when the run signs: the runner's, or a pinned release; it gets the run's logins as docker does.
        const cosignPath = inputs.sign && (await ensureCosign(inputs.sign, environment, temp));
        const cosign = cosignPath ? runnerFor(cosignPath, config?.env ?? {}, environment.dockerHost) : undefined;
        const done = await runPhases(docker, plan, secrets, cosign ? { cosign } : {});
        if (config && plan.keepLogin)
            keepLogin(plan, config.dir, temp, environment);
        await report(plan, done, { step: vars.GITHUB_ACTION, started });
    }
    catch (err) {
        if (err instanceof PhaseFailure) {
            // A later step of the job (if: failure()) may still use the login, once it is done.
            if (config && plan.keepLogin && err.phase !== 'login')
                keepLogin(plan, config.dir, temp, environment);
            // What was pushed (or saved) before the failure is live: the outputs and the summary say so.
            await report(plan, err.done, { step: vars.GITHUB_ACTION, started }, err);
        }
        main_fail(err instanceof PhaseFailure ? err.cause : err);
    }
    finally {
        removeAll();
    }
}
/**
 * keep-login: the run's docker config (and the logins in it) stays until the job
 * ends, for the later steps, which get it as DOCKER_CONFIG; the post step removes
 * it. The user's own config is still never written.
 */
function keepLogin(plan, dir, temp, environment) {
    untrack(temp);
    core/* exportVariable */.dN('DOCKER_CONFIG', dir);
    // buildx finds its builders through DOCKER_CONFIG unless BUILDX_CONFIG says otherwise.
    core/* exportVariable */.dN('BUILDX_CONFIG', environment.buildxConfig);
    const registries = plan.logins.map((l) => l.registry).join(', ');
    log/* info */.pq(`keep-login: the later steps of this job use the login to ${registries} (DOCKER_CONFIG=${dir}); the post step removes it.`);
}
/** The outputs, the summary and the closing line: of the run, or after a failure, of what it did before. */
async function report(plan, done, run, failure) {
    const metadata = metadataOf(done.outcome);
    // The verify command of each digest cosign signed.
    const sign = plan.sign;
    const verify = sign
        ? (done.outcome.signed ?? []).map((ref) => commandLine(cosignVerifyArgs(ref, sign), 'cosign'))
        : [];
    // After a failure the outputs are set only when something is live, for `if: failure()` steps to find.
    if (!failure || done.outcome.pushed.length > 0 || done.outcome.tarball) {
        writeOutputs(outputsOf(metadata, verify));
    }
    // What was pushed and saved, declared to the runner for later steps (actions/attest), once it all succeeded.
    if (!failure) {
        const { lines, skipped } = artifactLines(metadata);
        if (declareArtifacts(lines))
            log/* info */.pq(`Declared to the runner as artifacts: ${lines.join(', ')}.`);
        for (const path of skipped)
            log/* warning */.$e(`The tarball ${path} is not declared as an artifact: the runner's format takes no '=' or line break in a path.`);
    }
    const failed = failure && { phase: failure.phase, message: failure.message };
    if (plan.summary) {
        await writeSummary(summaryMarkdown({
            ...done,
            metadata,
            failed,
            made: madeOf(plan),
            totalMs: performance.now() - run.started,
            ...(run.step ? { step: run.step } : {}),
            ...(plan.pushSkipped ? { pushSkipped: plan.pushSkipped } : {}),
            ...(verify.length > 0 ? { verify } : {})
        }));
    }
    if (!failure)
        log/* info */.pq(closingLine(metadata));
}
/** docker as the user's CLI runs it (no login of the run): for what the run asks before it logs in. */
function probe(environment, runnerFor) {
    return new Docker(runnerFor(environment.tools.docker, {}, environment.dockerHost), environment.dockerHost);
}
/**
 * Whether the engine keeps images in containerd: `docker info`, as the user's docker
 * CLI sees the engine (no login needed). Undefined when there is no CLI or engine to
 * ask: the run then fails saying so, at its first docker command.
 */
async function probeImageStore(environment, runnerFor) {
    try {
        const info = await probe(environment, runnerFor).tryRun(infoArgs('{{json .DriverStatus}}'), { silent: true });
        return info.exitCode === 0 ? info.stdout.includes('io.containerd.snapshotter') : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * The machine as the plan sees it: a buildx release asked for (buildx-version) is
 * fetched before the build, so the build is buildx's even where the runner has none
 * (as the input rules already see it, inputs.ts).
 */
function planned(inputs, environment) {
    return inputs.buildx && !environment.buildx ? { ...environment, buildx: true } : environment;
}
/** The plan's facts: the machine's, and where this run's files go (`dir`: its temp folder). */
function factsOf(environment, dir) {
    return {
        buildx: environment.buildx,
        buildkitEnv: environment.buildkitEnv,
        workspace: environment.workspace,
        iidFile: external_node_path_.join(dir, 'iid'),
        metadataFile: external_node_path_.join(dir, 'metadata.json'),
        pigz: environment.tools.pigz,
        zstd: environment.tools.zstd,
        event: environment.event,
        workflowRef: environment.workflowRef,
        ...(environment.containerdStore === undefined ? {} : { containerdStore: environment.containerdStore })
    };
}
/** One ::error:: for the failure: on the Dockerfile's line when the build names one. */
function main_fail(err) {
    if (err instanceof DockerError && err.annotation) {
        log/* error */.z3(err.message, { title: 'docker build failed', file: err.annotation.file, startLine: err.annotation.line });
    }
    else {
        const message = err instanceof Error ? err.message : String(err);
        log/* error */.z3(err instanceof DockerError ? message : `ship-image failed: ${message}`);
    }
}
/** Validates, prints the commands and sets the outputs known without running; runs no docker command. */
async function dryRun(inputs, environment) {
    const { plan } = makePlan(inputs, factsOf(planned(inputs, environment), '$RUNNER_TEMP'));
    const lines = commandLines(plan);
    const builder = plan.builder === 'buildx' ? 'with buildx' : plan.buildkit ? 'with BuildKit' : 'with the classic builder';
    await log/* group */.Os(`Dry run: the docker commands this run would make (${builder}; nothing runs)`, async () => {
        for (const line of lines)
            log/* info */.pq(line);
    });
    const metadata = metadataOf({
        imageId: '',
        version: plan.version,
        labels: plan.labels,
        targets: plan.targets,
        pushed: [],
        platforms: plan.platforms.map((platform) => ({ platform, digest: null })),
        tarball: undefined
    });
    const outputs = outputsOf(metadata);
    writeOutputs({ tags: outputs.tags, version: outputs.version, metadata: outputs.metadata });
    if (plan.summary)
        await writeSummary(summaryMarkdown({ metadata, timings: {}, imageSize: undefined, dryRun: lines }));
    log/* info */.pq(`ship-image: dry run; would tag ${plan.targets.map((t) => t.ref).join(', ')}.`);
}
/** The name @github/local-action looks for (`npx local-action run . src/main.ts .env`). */
const run = main;


/***/ }),

/***/ 7708:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $e: () => (/* binding */ warning),
/* harmony export */   Os: () => (/* binding */ group),
/* harmony export */   Yz: () => (/* binding */ debug),
/* harmony export */   a: () => (/* binding */ untrustedOutput),
/* harmony export */   dK: () => (/* binding */ mask),
/* harmony export */   gV: () => (/* binding */ prefixed),
/* harmony export */   hS: () => (/* binding */ counted),
/* harmony export */   iN: () => (/* binding */ shownArg),
/* harmony export */   lm: () => (/* binding */ notice),
/* harmony export */   pq: () => (/* binding */ info),
/* harmony export */   z3: () => (/* binding */ error)
/* harmony export */ });
/* unused harmony exports printable, GROUP_TITLE_MAX, shortTitle */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
// What the step prints, through @actions/core (the runner protocol every action
// speaks: annotations, groups, masks, debug), plus the three things core leaves to
// its caller, which ship-image needs on every line it prints:
//   - a log line shows its control characters escaped (core.info writes it raw), so
//     no input and no name can start a workflow command or a second line;
//   - a group title is cut to a readable length, with the whole title inside;
//   - a value of several lines is masked line by line too, as the runner prints it.
// Output that the run does not write itself (what docker and the build print) is
// passed through with workflow commands stopped (untrustedOutput), so a Dockerfile's
// `RUN echo ::error::…` is only text.



/** Control characters as visible escapes, so a value prints on one line and cannot start a command. */
function printable(text) {
    // eslint-disable-next-line no-control-regex
    return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
        if (c === '\n')
            return '\\n';
        if (c === '\r')
            return '\\r';
        return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    });
}
/**
 * An argument as it may be shown: a URL's user information hidden (a token in a
 * Git context URL, `https://x-access-token:TOKEN@github.com/…`; a DOCKER_HOST with a
 * password), as docker itself shows them.
 */
function shownArg(arg) {
    return arg.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
/** A log line. Its control characters are shown escaped (see printable). */
function info(line) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(printable(line));
}
/** A line only a debug run shows (ACTIONS_STEP_DEBUG): the facts and the plan behind the run. */
function debug(line) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(printable(line));
}
function notice(message) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .notice */ .lm(message);
}
function warning(message) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(message);
}
/** An error annotation (on a file's line when `properties` say so); the step fails when it ends. */
function error(message, properties = {}) {
    // core writes `::error ::` for properties that are all empty; the runner reads both, the log reads better without.
    const given = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined && value !== ''));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .error */ .z3(message, given);
    process.exitCode = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .ExitCode */ .yU.Failure;
}
/**
 * The runner hides this value wherever it would appear in the log from now on;
 * a value of several lines is also masked line by line, as it is printed.
 */
function mask(secret) {
    const lines = secret.split(/\r?\n/).filter((line) => line.trim() !== '');
    for (const value of lines.length > 1 ? [secret, ...lines] : lines)
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(value);
}
/** The longest group title: the log's group list stays readable; the rest goes inside the group. */
const GROUP_TITLE_MAX = 120;
/**
 * `title` cut to GROUP_TITLE_MAX characters: a list (`a, b, c`) after its last
 * item that fits, saying how many more there are; anything else at a space, with
 * `…`. Undefined when it fits as it is.
 */
function shortTitle(title) {
    if (title.length <= GROUP_TITLE_MAX)
        return undefined;
    const items = title.split(', ');
    for (let kept = items.length - 1; kept >= 1; kept--) {
        const short = `${items.slice(0, kept).join(', ')}, … (${items.length - kept} more)`;
        if (short.length <= GROUP_TITLE_MAX)
            return short;
    }
    const cut = title.slice(0, GROUP_TITLE_MAX - 1);
    const space = cut.lastIndexOf(' ');
    return `${space >= GROUP_TITLE_MAX / 2 ? cut.slice(0, space) : cut}…`;
}
/** Runs `work` inside a collapsible log group titled `title` (a long title is cut, and printed whole inside). */
async function group(title, work) {
    const short = shortTitle(title);
    return _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .group */ .Os(printable(short ?? title), async () => {
        if (short !== undefined)
            info(title);
        return work();
    });
}
/** Log lines of one of several commands running at once, each marked with its reference. */
function prefixed(ref) {
    return (line) => info(`[${ref}] ${line}`);
}
/** `1 reference`, `3 references`. */
function counted(n, noun) {
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
function untrustedOutput() {
    let token;
    let lastByte = 0x0a;
    return {
        write(chunk) {
            if (chunk.length === 0)
                return;
            if (token === undefined) {
                token = (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.randomUUID)();
                process.stdout.write(`::stop-commands::${token}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`);
            }
            lastByte = chunk[chunk.length - 1];
            process.stdout.write(chunk);
        },
        end() {
            if (token === undefined)
                return;
            // The token must start a line of its own.
            process.stdout.write(`${lastByte === 0x0a ? '' : node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}::${token}::${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`);
            token = undefined;
            lastByte = 0x0a;
        }
    };
}


/***/ })

};
