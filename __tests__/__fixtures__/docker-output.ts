// What docker prints, for the tests that read it (docker/output.ts, docker/failures.ts)
// and for the scripted docker of docker.ts: a push's output, the notices docker puts
// before an error, and the faults of pushes, pulls, logins and builds, transient and
// permanent, each as the client printed it (see the comment above the recorded ones
// for the clients and the engine) or, for the faults that could not be produced here,
// in the form Go and docker print them elsewhere. Build output is build-output.ts's.

/** The digest of PUSH_OUTPUT. */
export const PUSH_DIGEST = 'sha256:1e226b227e53c467365f7805864fa6e432d96d9071f6949fc152f62a858bc812'

/** A successful docker push, as docker prints it. */
export const PUSH_OUTPUT = [
  'The push refers to repository [localhost:5000/e/app]',
  'd0191d577827: Preparing',
  'ceb247090378: Layer already exists',
  `v1: digest: ${PUSH_DIGEST} size: 735`,
  ''
].join('\n')

/** The legacy builder's deprecation notice, as docker 28 prints it before a classic build's output. */
export const LEGACY_BUILDER = [
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.',
  '            Install the buildx component to build images with BuildKit:',
  '            https://docs.docker.com/go/buildx/',
  ''
].join('\n')

/** The warning docker login prints when it stores the credentials unencrypted in config.json. */
export const UNENCRYPTED = [
  "WARNING! Your credentials are stored unencrypted in '/tmp/ship-image-x/docker-config/config.json'.",
  'Configure a credential helper to remove this warning. See',
  'https://docs.docker.com/go/credential-store/',
  ''
].join('\n')

// Real output, recorded with __tests__/e2e/fault-proxy.ts in front of the plain
// registry (localhost:5000) or the TLS + htpasswd one (localhost:5443), engine
// 20.10.24, client /usr/local/bin/docker 28.2.2 ("28") and /usr/bin/docker
// 20.10.24 ("20.10"). Unless noted, both clients printed exactly the same text
// (push, pull and login messages come from the engine). Each fixture is stderr
// (plus stdout where it matters), as the action's errorSummary sees it.

/** Transient faults, as docker printed them. */
export const TRANSIENT_FIXTURES: [string, string, RegExp][] = [
  // 503 (JSON error body UNAVAILABLE, or an HTML body: same text) on PUT /v2/<name>/manifests/<tag>; docker push, 28 and 20.10
  [
    'push, manifest PUT 503',
    'The push refers to repository [localhost:40729/exp/p26576375]\nceb247090378: Preparing\nceb247090378: Pushed\nreceived unexpected HTTP status: 503 Service Unavailable\n',
    /^the registry answered 503 Service Unavailable$/
  ],
  // 500 / 502 / 504 with an HTML body on the manifest PUT; docker push, 28
  [
    'push, manifest PUT 500',
    'received unexpected HTTP status: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  [
    'push, manifest PUT 502',
    'received unexpected HTTP status: 502 Bad Gateway\n',
    /^the registry answered 502 Bad Gateway$/
  ],
  [
    'push, manifest PUT 504',
    'received unexpected HTTP status: 504 Gateway Timeout\n',
    /^the registry answered 504 Gateway Timeout$/
  ],
  // 500 on every POST /blobs/uploads/: the engine retried the layer 5 times (5+10+15+20 s), then; docker push, 28
  [
    'push, blob upload 500 after the engine gave up',
    'The push refers to repository [localhost:40665/exp/p2941121797]\nceb247090378: Preparing\nceb247090378: Retrying in 5 seconds\nceb247090378: Retrying in 1 second\nceb247090378: Retrying in 20 seconds\nceb247090378: Retrying in 1 second\nreceived unexpected HTTP status: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  // 429 with the registry's default JSON body {"errors":[{"code":"TOOMANYREQUESTS","message":"too many requests"}]}
  // and Retry-After: 7 (the header is not printed); docker push, 28 and 20.10
  ['push, manifest PUT 429', 'toomanyrequests\n', /^the registry answered 429 Too Many Requests$/],
  // 429 with Docker Hub's rate-limit message in the JSON body; docker push, 28
  [
    'push, 429 with a message',
    'toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // 429 with a plain-text body; docker push, 28 and 20.10
  [
    'push, 429 without a JSON body',
    'error parsing HTTP 429 response body: invalid character \'T\' looking for beginning of value: "Too Many Requests\\n"\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // 429 on HEAD+GET manifests; docker pull, 28
  [
    'pull, manifest 429',
    'Error response from daemon: toomanyrequests\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // 503 on GET manifests (by digest, after the HEAD); docker pull, 28 and 20.10
  [
    'pull, manifest GET 503',
    'Error response from daemon: received unexpected HTTP status: 503 Service Unavailable\n',
    /^the registry answered 503 Service Unavailable$/
  ],
  // 500 on every GET of the layer blob: the engine retried for 75 s, then (no "Error response from daemon:"); docker pull, 28
  [
    'pull, blob GET 500 after the engine gave up',
    'received unexpected HTTP status: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  // every GET of the layer blob cut after 100000 bytes: resumed with Range 5 times, then; docker pull, 28
  [
    'pull, blob GET truncated',
    'v1: Pulling from exp/pullsrc\n43acf0f166f0: Already exists\n4d1841e10929: Pulling fs layer\n4d1841e10929: Retrying in 1 second\nunexpected EOF\n',
    /unexpected EOF/
  ],
  // GET of the manifest by digest cut after 10 bytes (kind 'truncate'); docker pull, 28 and 20.10
  [
    'pull, manifest truncated',
    'Error response from daemon: unexpected EOF\n',
    /^the connection ended early \(unexpected EOF\)$/
  ],
  // Concurrent pushes of images sharing a layer to one repository:tag (e2e/push.test.ts): the registry's
  // filesystem store writes a link file in place, so a reader in between finds it empty ("invalid
  // checksum digest format" in the registry's log) and answers 500, or a manifest PUT finds a layer
  // missing. Recorded against the plain registry directly, engine 20.10 (client 28) and 26.
  [
    'push, manifest PUT while another push writes a layer link (20.10)',
    'errors:\ndigest invalid\nmanifest blob unknown: blob unknown to registry\n',
    /^the registry did not have a layer the manifest names \(manifest blob unknown\)$/
  ],
  [
    'push, manifest HEAD 500 (26)',
    'unexpected status from HEAD request to http://localhost:5000/v2/rrace-buildx-21000/manifests/shared: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  [
    'push, blob HEAD 500 (26)',
    'unexpected status from HEAD request to http://localhost:5000/v2/rrace-buildx-21000/blobs/sha256:351b9aed0aeac99cb3a604de6fb3f18cfa2a864c53683171cd7b10d553584b12: 500 Internal Server Error\n',
    /^the registry answered 500 Internal Server Error$/
  ],
  // 503 and 429 on GET /v2/; docker login, 28 and 20.10
  [
    'login, 503',
    'Error response from daemon: login attempt to http://localhost:34203/v2/ failed with status: 503 Service Unavailable\n',
    /^the registry answered 503 Service Unavailable$/
  ],
  [
    'login, 429',
    'Error response from daemon: login attempt to http://localhost:33785/v2/ failed with status: 429 Too Many Requests\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  // TCP RST (socket.resetAndDestroy) on the manifest PUT; docker push, 28 and 20.10
  [
    'push, manifest PUT reset',
    'Put "http://localhost:42445/v2/exp/p927912080/manifests/v1": read tcp 127.0.0.1:42784->127.0.0.1:42445: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  // TCP RST on the config blob's PATCH (the engine does not retry the config blob); docker push, 28
  [
    'push, config blob PATCH reset',
    'Patch "http://localhost:36963/v2/exp/p983424875/blobs/uploads/0a855d4e-c415-4660-9e77-5a66f678418e?_state=vxVNwyseE70wYQEJzMhKYfvoMSVNqzYLdCLXDD8wr1d7Ik5hbWUiOiJleHAvcDk4MzQyNDg3NSIsIlVVSUQiOiIwYTg1NWQ0ZS1jNDE1LTQ2NjAtOWU3Ny01YTY2ZjY3ODQxOGUiLCJPZmZzZXQiOjAsIlN0YXJ0ZWRBdCI6IjIwMjYtMTItMDFUMDY6MDM6NTIuMjk3NjIzNjVaIn0%3D": read tcp 127.0.0.1:51524->127.0.0.1:36963: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  // TCP RST on every PATCH of an 8 MB layer: the engine retried each layer 5 times, then; docker push, 28
  [
    'push, layer PATCH reset after the engine gave up',
    'write tcp 127.0.0.1:57484->127.0.0.1:33319: use of closed network connection\n',
    /closed during the transfer/
  ],
  // TCP RST on GET /v2/; docker push (no "Error response from daemon:") and docker login, 28 and 20.10
  [
    'push, ping reset',
    'Get "http://localhost:46849/v2/": read tcp 127.0.0.1:52912->127.0.0.1:46849: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  [
    'login, ping reset',
    'Error response from daemon: Get "http://localhost:35293/v2/": read tcp 127.0.0.1:37818->127.0.0.1:35293: read: connection reset by peer\n',
    /^the connection was reset$/
  ],
  // Connection closed without an answer (FIN, socket.destroy) on the manifest PUT and on GET /v2/; docker push, 28 and 20.10
  ['push, manifest PUT closed', 'Put "http://localhost:35005/v2/exp/p485814155/manifests/v1": EOF\n', /EOF/],
  [
    'push, ping closed',
    'The push refers to repository [localhost:41937/exp/p3169815752]\nGet "http://localhost:41937/v2/": EOF\n',
    /EOF/
  ],
  // Proxy stopped; docker push, pull and login, 28 and 20.10
  [
    'push, connection refused',
    'The push refers to repository [localhost:39871/exp/c11240]\nGet "http://localhost:39871/v2/": dial tcp 127.0.0.1:39871: connect: connection refused\n',
    /^connection refused$/
  ],
  [
    'pull, connection refused',
    'Error response from daemon: Get "http://localhost:39871/v2/": dial tcp 127.0.0.1:39871: connect: connection refused\n',
    /^connection refused$/
  ],
  // legacy builder, FROM through the proxy: 503 on HEAD+GET manifests, and a reset on the HEAD; docker build, 28
  [
    'build, FROM manifest 503',
    `${LEGACY_BUILDER}\nreceived unexpected HTTP status: 503 Service Unavailable\n`,
    /503 Service Unavailable/
  ],
  [
    'build, FROM manifest reset',
    `${LEGACY_BUILDER}\nHead "http://localhost:42733/v2/exp/pullsrc/manifests/v1": read tcp 127.0.0.1:47916->127.0.0.1:42733: read: connection reset by peer\n`,
    /^the connection was reset$/
  ]
]

/** Transient faults not produced here (no such fault on loopback), in the form Go and docker print them. */
export const TRANSIENT_LITERATURE: [string, string, RegExp][] = [
  // the manifest PUT of the concurrent pushes above when only a half-written layer record was found
  ['push, manifest PUT, digest invalid alone', 'errors:\ndigest invalid\n', /^the registry could not verify a digest/],
  [
    'TLS handshake timeout',
    'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: TLS handshake timeout',
    /^TLS handshake timeout$/
  ],
  [
    'i/o timeout',
    'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp 140.82.112.33:443: i/o timeout',
    /i\/o timeout/
  ],
  [
    'request canceled',
    'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    /timed out|cancelled/
  ],
  [
    'context deadline exceeded',
    'Error response from daemon: Get "https://quay.io/v2/": context deadline exceeded',
    /^the request timed out$/
  ],
  ['broken pipe', 'write tcp 10.1.0.4:51234->52.1.2.3:443: write: broken pipe', /broken pipe/],
  [
    'DNS SERVFAIL',
    'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io on 127.0.0.53:53: server misbehaving',
    /DNS/
  ],
  ['DNS EAI_AGAIN', 'dial tcp: lookup ghcr.io: Temporary failure in name resolution', /DNS/],
  [
    'BuildKit 502',
    'ERROR: failed to solve: ghcr.io/o/base:1: failed to resolve source metadata for ghcr.io/o/base:1: unexpected status code [manifests 1]: 502 Bad Gateway',
    /^the registry answered 502 Bad Gateway$/
  ],
  [
    'nginx wording',
    'received unexpected HTTP status: 503 Service Temporarily Unavailable',
    /^the registry answered 503 Service Temporarily Unavailable$/
  ],
  // engine 26's push prints the status text alone: the code is put back in front
  ['bare Service Unavailable', 'Service Unavailable', /^the registry answered 503 Service Unavailable$/],
  ['bare Gateway Time-out', 'failed to do request: Gateway Time-out', /^the registry answered 504 Gateway Time-out$/],
  // engine 28 with the containerd image store: the registry's error document, no status; docker push, 28
  [
    'containerd store, 503 UNAVAILABLE',
    'error from registry: unavailable\nunavailable\n',
    /^the registry answered 503 Service Unavailable \(UNAVAILABLE\)$/
  ],
  ['containerd store, 500 UNKNOWN', 'error from registry: unknown\nunknown\n', /internal error \(UNKNOWN\)$/],
  [
    'containerd store, 429 TOOMANYREQUESTS',
    'error from registry: toomanyrequests\ntoomanyrequests\n',
    /^the registry answered 429 Too Many Requests$/
  ],
  [
    'containerd store, manifest PUT 400 MANIFEST_BLOB_UNKNOWN',
    'error from registry: blob unknown to registry - sha256:b31f0c31460be03572b5f71302028eca525bacc5b8625bd0c619cd748501437e\n',
    /blob unknown/
  ],
  [
    'containerd store, upload PUT 400 DIGEST_INVALID',
    'error from registry: provided digest did not match uploaded content\n',
    /digest invalid/
  ],
  // the same through the engine's status where the body is not a registry error document
  [
    'containerd store, HEAD blob 503',
    'unknown: unexpected status from HEAD request to http://localhost:5095/v2/repro/b/blobs/sha256:b31f0c31460be03572b5f71302028eca525bacc5b8625bd0c619cd748501437e: 503 Service Unavailable\n',
    /^the registry answered 503 Service Unavailable$/
  ],
  [
    'containerd store, manifest PUT 502',
    'unknown: failed commit on ref "manifest-sha256:7fcea842435b7b942f1206ce8019b3608b10299ae40e0337e5401a024a887ea7": unexpected status from PUT request to http://localhost:5094/v2/repro/b/manifests/1: 502 Bad Gateway\n',
    /^the registry answered 502 Bad Gateway$/
  ]
]

/** Permanent faults, as docker printed them. */
export const PERMANENT_FIXTURES: [string, string, RegExp][] = [
  // engine 28 with the containerd image store: the registry's error document, no status; docker push, 28
  ['containerd store, 403 DENIED', 'error from registry: denied\ndenied\n', /denied access/],
  ['containerd store, 401 UNAUTHORIZED', 'error from registry: unauthorized\nunauthorized\n', /unauthorized/],
  [
    'containerd store, 404 NAME_UNKNOWN',
    'error from registry: repository name not known to registry\n',
    /name unknown/
  ],
  // a 429 or 503 whose message is the registry's own prose: nothing says it was either
  ['containerd store, 429 with its own message', 'error from registry: slow down\n', /no transient/],
  // wrong password, through the proxy to the TLS registry and to it directly; docker login, 28 and 20.10
  [
    'login, wrong password (proxy)',
    'Error response from daemon: login attempt to http://localhost:40015/v2/ failed with status: 401 Unauthorized\n',
    /401 Unauthorized/
  ],
  [
    'login, wrong password (direct)',
    'Error response from daemon: login attempt to https://localhost:5443/v2/ failed with status: 401 Unauthorized\n',
    /401 Unauthorized/
  ],
  // 403 with a DENIED JSON body on GET /v2/; docker login, 28 and 20.10
  [
    'login, 403',
    'Error response from daemon: login attempt to http://localhost:45691/v2/ failed with status: 403 Forbidden\n',
    /403 Forbidden/
  ],
  // push to the TLS registry (through the proxy) without logging in; docker push, 28
  [
    'push, no credentials',
    'The push refers to repository [localhost:38523/exp/a4783]\nceb247090378: Preparing\nno basic auth credentials\n',
    /no credentials/
  ],
  // docker pull of a tag, a repository and a digest the registry does not have; 28 and 20.10
  [
    'pull, no such tag',
    'Error response from daemon: manifest for localhost:34673/exp/pullsrc:nope not found: manifest unknown: manifest unknown\n',
    /manifest unknown/
  ],
  [
    'pull, no such repository',
    'Error response from daemon: manifest for localhost:32979/exp/nonexistent:v1 not found: manifest unknown: manifest unknown\n',
    /manifest unknown/
  ],
  // local reference errors; 28 (first) and 20.10 (second) differ
  ['push, uppercase (28)', 'invalid reference format: repository name (Exp/Upper) must be lowercase\n', /lowercase/],
  ['push, uppercase (20.10)', 'invalid reference format: repository name must be lowercase\n', /lowercase/],
  [
    'tag, bad reference',
    'Error parsing reference: "localhost:5000/exp/bad::tag" is not a valid repository/tag: invalid reference format\n',
    /not valid/
  ],
  [
    'push, no local image',
    'The push refers to repository [localhost:5000/exp/doesnotexist-xyz]\nAn image does not exist locally with the tag: localhost:5000/exp/doesnotexist-xyz\n',
    /does not exist locally/
  ],
  ['save, no local image', 'Error response from daemon: reference does not exist\n', /does not exist locally/],
  // NXDOMAIN; docker pull, 28 and 20.10
  [
    'pull, no such host',
    'Error response from daemon: Get "https://nosuchhost.invalid/v2/": dial tcp: lookup nosuchhost.invalid on 10.255.255.53:53: no such host\n',
    /no such host/
  ],
  // legacy builder; docker build, 28
  [
    'build, RUN failed',
    `${LEGACY_BUILDER}\nThe command '/bin/sh -c false' returned a non-zero code: 1\n`,
    /Dockerfile/
  ],
  [
    'build, parse error',
    `${LEGACY_BUILDER}\nError response from daemon: dockerfile parse error line 2: unknown instruction: RUNN\n`,
    /Dockerfile/
  ]
]

/** Permanent faults in the form registries and docker print them elsewhere. */
export const PERMANENT_LITERATURE: [string, string, RegExp][] = [
  ['Docker Hub denied', 'denied: requested access to the resource is denied', /denied/],
  [
    'GHCR unauthorized',
    'unauthorized: unauthenticated: User cannot be authenticated with the token provided.',
    /credentials/
  ],
  [
    'authentication required',
    'Error response from daemon: Head "https://ghcr.io/v2/o/x/manifests/1": unauthorized: authentication required',
    /credentials|authentication/
  ],
  ['name unknown', 'name unknown: repository name not known to registry', /name unknown/],
  ['no such image', 'Error response from daemon: No such image: nosuch:latest', /no such image/],
  [
    'x509',
    'Error response from daemon: Get "https://localhost:5443/v2/": x509: certificate signed by unknown authority',
    /certificate/
  ],
  [
    'engine down',
    'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    /engine/
  ],
  [
    'BuildKit step failed',
    'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
    /Dockerfile/
  ],
  [
    'BuildKit COPY',
    'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref x::y: "/missing": not found',
    /Dockerfile/
  ]
]

/** A recorded or literature fixture above, by its label. */
export function fixture(label: string): string {
  const found = [...TRANSIENT_FIXTURES, ...TRANSIENT_LITERATURE, ...PERMANENT_FIXTURES, ...PERMANENT_LITERATURE].find(
    ([name]) => name === label
  )
  if (found === undefined) throw new Error(`no fixture '${label}'`)
  return found[1]
}
