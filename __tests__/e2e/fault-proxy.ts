// A small fault-injecting HTTP proxy in front of a registry, for the end-to-end
// tests of retries: docker talks plain HTTP to localhost:<port> (the engine treats
// every localhost:PORT as an insecure registry), the proxy forwards each request to
// the real registry and streams the answer back, unless a fault rule matches the
// request first. Rules answer with a status (503, 429, …), destroy the socket
// (connection reset), or cut a forwarded response short (unexpected EOF).
//
// With `tls`, docker talks HTTPS to it instead: engine 26 tries a registry on a
// random loopback port with TLS first and does not fall back to plain HTTP, so the
// proxy serves the test certificate and, while it runs, puts its CA in
// /etc/docker/certs.d/localhost:<port>/ca.crt (removed again by close()).
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as http from 'node:http'
import * as https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

export interface FaultRule {
  /** Request method to match (exact, case-insensitive, or a RegExp); any when omitted. */
  method?: string | RegExp
  /** Matched against the request path with its query string; any when omitted. */
  path?: RegExp
  /**
   * What to do with a matching request:
   *  - 'status' (the default): answer `status` with `headers` and `body` and do not forward;
   *  - 'reset': abort the client's connection with a TCP RST (docker: "connection reset by peer");
   *  - 'close': close the client's connection without an answer (docker: "EOF");
   *  - 'truncate': forward, send the registry's status and headers and `truncateAfter`
   *    bytes of its body, then destroy the socket (docker sees "unexpected EOF");
   *  - 'delay': hold the request `delayMs`, then forward it, unless docker has gone
   *    away meanwhile (a slow link; a cancelled push must then never reach the registry).
   */
  kind?: 'status' | 'reset' | 'close' | 'truncate' | 'delay'
  /** HTTP status for kind 'status' (default 503). */
  status?: number
  /** Extra response headers for kind 'status' (Retry-After, say). */
  headers?: Record<string, string>
  /**
   * Response body for kind 'status'. Default: a registry error document
   * (`{"errors":[{"code":…,"message":…}]}`) whose code suits the status.
   */
  body?: string
  /** Bytes of the body to pass before the socket is destroyed, for kind 'truncate' (default 0). */
  truncateAfter?: number
  /** How many matching requests the rule applies to; then it lets them through. Default: all. */
  times?: number
  /** Matching requests to let through before the rule starts applying (default 0). */
  skip?: number
  /** Wait this long before answering (or resetting), in milliseconds. */
  delayMs?: number
}

/** One request the proxy saw: what it did with it. */
export interface ProxyRequest {
  method: string
  path: string
  /** The status docker received (0 for a reset or an upstream error). */
  status: number
  /** Index of the rule that handled it (in the latest setFaults list), undefined when forwarded untouched. */
  rule?: number
}

export interface FaultProxyOptions {
  /** The registry to forward to (default http://127.0.0.1:5000). */
  upstream?: string
  /** CA certificate file for an https upstream. */
  caFile?: string
  /** Serve HTTPS with this certificate and key (PEM files), trusted by the engine while the proxy lives. */
  tls?: { cert: string; key: string }
  /** Where the engine looks for registry certificates (default /etc/docker/certs.d). */
  certsDir?: string
  /**
   * The name in `host` (default localhost). buildx reaches a localhost registry over
   * plain HTTP only, so a TLS proxy that buildx talks to goes by another name of
   * 127.0.0.1 that the certificate holds (services.json's tlsNamed host).
   */
  hostname?: string
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade'
])

const ERROR_CODES: Record<number, [string, string]> = {
  401: ['UNAUTHORIZED', 'authentication required'],
  403: ['DENIED', 'requested access to the resource is denied'],
  404: ['NAME_UNKNOWN', 'repository name not known to registry'],
  429: ['TOOMANYREQUESTS', 'too many requests'],
  503: ['UNAVAILABLE', 'service unavailable']
}

function defaultBody(status: number): string {
  const [code, message] = ERROR_CODES[status] ?? [
    'UNKNOWN',
    http.STATUS_CODES[status]?.toLowerCase() ?? 'unknown error'
  ]
  return JSON.stringify({ errors: [{ code, message, detail: null }] }) + '\n'
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

interface ActiveRule {
  rule: FaultRule
  seen: number
  hits: number
}

/**
 * Usage:
 *   const proxy = new FaultProxy()                      // upstream http://127.0.0.1:5000
 *   const host = await proxy.start()                    // 'localhost:41234'
 *   proxy.setFaults([{ method: 'PUT', path: /\/manifests\//, status: 503, times: 2 }])
 *   // docker push ${host}/team/app:v1 … fails twice, then passes
 *   proxy.hits(0)                                       // 2
 *   proxy.passed('PUT', /\/manifests\//, 201)            // 1
 *   await proxy.stop()                                  // connection refused from now on
 *   await proxy.start()                                 // same port again
 *   await proxy.close()                                 // in afterAll
 * docker must run asynchronously (spawn, not spawnSync): the proxy answers from the
 * test's own event loop.
 */
export class FaultProxy {
  private server: http.Server | undefined
  private readonly sockets = new Set<Socket>()
  private readonly upstream: URL
  private readonly agent: http.Agent
  private rules: ActiveRule[] = []
  private port = 0
  private readonly tls: { cert: Buffer; key: Buffer } | undefined
  private readonly certsDir: string
  private readonly hostname: string
  /** Every request received, in order (faulted or forwarded). */
  readonly requests: ProxyRequest[] = []

  constructor(options: FaultProxyOptions = {}) {
    this.upstream = new URL(options.upstream ?? 'http://127.0.0.1:5000')
    this.agent =
      this.upstream.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca: options.caFile ? fs.readFileSync(options.caFile) : undefined })
        : new http.Agent({ keepAlive: true })
    this.tls = options.tls && { cert: fs.readFileSync(options.tls.cert), key: fs.readFileSync(options.tls.key) }
    this.certsDir = options.certsDir ?? '/etc/docker/certs.d'
    this.hostname = options.hostname ?? 'localhost'
  }

  /** The engine's certificate folder for this proxy's host, when it serves TLS. */
  private get trustDir(): string | undefined {
    return this.tls && this.port !== 0 ? path.join(this.certsDir, this.host) : undefined
  }

  /** Starts listening on 127.0.0.1 (a free port the first time); resolves to `localhost:<port>`. */
  async start(): Promise<string> {
    if (this.server) return this.host
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.handle(req, res)
    const server = this.tls ? https.createServer({ ...this.tls }, handler) : http.createServer(handler)
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    // docker first tries HTTPS on an insecure registry: a TLS hello is a client error here.
    server.on('clientError', (_err, socket) => socket.destroy())
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.port = (server.address() as AddressInfo).port
    this.server = server
    const trust = this.trustDir
    if (trust && this.tls) {
      fs.mkdirSync(trust, { recursive: true })
      fs.writeFileSync(path.join(trust, 'ca.crt'), this.tls.cert)
    }
    return this.host
  }

  /** `localhost:<port>` (or the hostname given): the registry part of image references (not 127.0.0.1, see the engine's insecure list). */
  get host(): string {
    if (this.port === 0) throw new Error('FaultProxy: not started')
    return `${this.hostname}:${this.port}`
  }

  /**
   * Stops forwarding: closes the listener and every open connection, so new
   * connections are refused. start() listens again on the same port.
   */
  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    await closed
  }

  /** Stops for good: the listener and the keep-alive connections to the registry. */
  async close(): Promise<void> {
    await this.stop()
    this.agent.destroy()
    const trust = this.trustDir
    if (trust) fs.rmSync(trust, { recursive: true, force: true })
  }

  /** The scheme docker speaks to the proxy with. */
  get scheme(): 'http' | 'https' {
    return this.tls ? 'https' : 'http'
  }

  /** Replaces the fault rules (and their counters). An empty list forwards everything. */
  setFaults(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, seen: 0, hits: 0 }))
  }

  /** How many requests rule `index` (of the latest setFaults list) has handled. */
  hits(index = 0): number {
    const active = this.rules[index]
    if (!active) throw new Error(`FaultProxy: no rule ${index}`)
    return active.hits
  }

  /** Requests forwarded untouched whose method and path match (and, if given, whose status matches). */
  passed(method: string, path: RegExp, status?: number): number {
    return this.requests.filter(
      (r) =>
        r.rule === undefined &&
        r.method === method &&
        path.test(r.path) &&
        (status === undefined || r.status === status)
    ).length
  }

  /** Forgets the request log (rules and their counters stay). */
  clearLog(): void {
    this.requests.length = 0
  }

  private match(req: http.IncomingMessage): number | undefined {
    for (const [index, active] of this.rules.entries()) {
      const { rule } = active
      if (rule.method !== undefined) {
        const ok =
          typeof rule.method === 'string'
            ? rule.method.toUpperCase() === req.method
            : rule.method.test(req.method ?? '')
        if (!ok) continue
      }
      if (rule.path) {
        rule.path.lastIndex = 0 // a /g or /y RegExp keeps state between tests
        if (!rule.path.test(req.url ?? '')) continue
      }
      active.seen++
      if (active.seen <= (rule.skip ?? 0)) continue
      if (active.hits >= (rule.times ?? Infinity)) continue
      active.hits++
      return index
    }
    return undefined
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const index = this.match(req)
    const record: ProxyRequest = { method: req.method ?? '', path: req.url ?? '', status: 0, rule: index }
    this.requests.push(record)
    const rule = index === undefined ? undefined : this.rules[index].rule
    if (rule?.delayMs) await sleep(rule.delayMs)
    const kind = rule?.kind ?? 'status'
    if (rule && kind === 'reset') {
      // A TLS socket cannot send an RST itself: the TCP socket under it (its _parent on a server) can.
      const tcp = (req.socket as Socket & { _parent?: Socket })._parent ?? req.socket
      tcp.resetAndDestroy()
      return
    }
    if (rule && kind === 'close') {
      req.socket.destroy()
      return
    }
    if (rule && kind === 'delay') {
      if (req.socket.destroyed) return
      this.forward(req, res, record, undefined)
      return
    }
    if (rule && kind === 'status') {
      const status = rule.status ?? 503
      const body = rule.body ?? defaultBody(status)
      const headers: Record<string, string | number> = {
        'Content-Type': rule.body === undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        ...rule.headers
      }
      // Read (and drop) the request body so the connection stays usable.
      req.resume()
      record.status = status
      res.writeHead(status, headers)
      res.end(req.method === 'HEAD' ? undefined : body)
      return
    }
    this.forward(req, res, record, rule)
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: ProxyRequest,
    truncate: FaultRule | undefined
  ): void {
    const proxyOrigin = `${this.scheme}://${req.headers.host ?? this.host}`
    const headers: http.OutgoingHttpHeaders = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value
    }
    headers.host = this.upstream.host
    const client = this.upstream.protocol === 'https:' ? https : http
    const upstreamReq = client.request(
      {
        protocol: this.upstream.protocol,
        hostname: this.upstream.hostname,
        port: this.upstream.port,
        servername: this.upstream.hostname,
        method: req.method,
        path: req.url,
        headers,
        agent: this.agent
      },
      (upstreamRes) => {
        const out: http.OutgoingHttpHeaders = {}
        for (const [name, value] of Object.entries(upstreamRes.headers)) {
          if (HOP_BY_HOP.has(name) || value === undefined) continue
          out[name] = name === 'location' || name === 'www-authenticate' ? this.rewrite(value, proxyOrigin) : value
        }
        record.status = upstreamRes.statusCode ?? 0
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, out)
        if (truncate) {
          let left = truncate.truncateAfter ?? 0
          res.flushHeaders()
          const cut = (): void => {
            upstreamRes.destroy()
            req.socket.destroy()
          }
          if (left <= 0) return void setImmediate(cut)
          upstreamRes.on('data', (chunk: Buffer) => {
            if (left <= 0) return
            const part = chunk.subarray(0, left)
            left -= part.length
            res.write(part)
            if (left <= 0) setImmediate(cut)
          })
          upstreamRes.on('end', cut)
          return
        }
        upstreamRes.on('error', () => req.socket.destroy())
        upstreamRes.pipe(res)
      }
    )
    upstreamReq.on('error', () => {
      if (!res.headersSent) {
        record.status = 502
        res.writeHead(502, { 'Content-Type': 'text/plain' })
        res.end('fault proxy: upstream error\n')
      } else req.socket.destroy()
    })
    // docker gave up (or a rule cut the connection): drop the registry request too.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy()
    })
    req.on('error', () => upstreamReq.destroy())
    res.on('error', () => undefined)
    req.pipe(upstreamReq)
  }

  /** Points the registry's own absolute URLs (upload locations, auth realms) back at the proxy. */
  private rewrite(value: string | string[], proxyOrigin: string): string | string[] {
    if (Array.isArray(value)) return value.map((v) => this.rewrite(v, proxyOrigin) as string)
    const origins = [
      this.upstream.origin,
      `${this.upstream.protocol}//localhost:${this.upstream.port}`,
      `${this.upstream.protocol}//127.0.0.1:${this.upstream.port}`
    ]
    for (const origin of origins) if (value.includes(origin)) return value.split(origin).join(proxyOrigin)
    return value
  }
}
