// A registry across a network, for the push case: a proxy in the bench's process that
// holds every request `latencyMs` before forwarding it to a loopback registry.
//
// It speaks TLS (the test certificate of scripts/services.sh) and, while it runs, puts
// that certificate in /etc/docker/certs.d/localhost:<port>/ca.crt: engine 26 tries a
// registry on a random loopback port with TLS first and does not fall back to plain
// HTTP (see __tests__/e2e/fault-proxy.ts), and engine 20.10 takes TLS there too, so
// one proxy serves both worlds.
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import * as path from 'node:path'

/** What the rows add to each registry request. */
export const DEFAULT_LATENCY_MS = 20

/**
 * Listens on localhost:<free port> and holds each request `latencyMs`, then
 * forwards it to `upstream` (http:// or https://, trusted through `caFile`) and
 * streams the answer back, pointing absolute upload URLs (Location) at itself.
 * With `tls` ({ cert, key }: PEM files) it serves HTTPS and the engine trusts it
 * through `certsDir`/localhost:<port>/ca.crt until close().
 */
export async function startLatencyProxy(
  upstream,
  { latencyMs = DEFAULT_LATENCY_MS, caFile, tls, certsDir = '/etc/docker/certs.d' } = {}
) {
  const target = new URL(upstream)
  const client = target.protocol === 'https:' ? https : http
  const agent = new client.Agent({ keepAlive: true, ca: caFile ? fs.readFileSync(caFile) : undefined })
  let origin = ''
  let requests = 0
  const handler = (req, res) => {
    requests++
    setTimeout(() => {
      const forward = client.request(
        {
          hostname: target.hostname === 'localhost' ? '127.0.0.1' : target.hostname,
          servername: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent
        },
        (up) => {
          const out = { ...up.headers }
          if (typeof out.location === 'string') out.location = out.location.replace(/^https?:\/\/[^/]+/, origin)
          res.writeHead(up.statusCode ?? 502, out)
          up.pipe(res)
        }
      )
      forward.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502)
        res.end(err.message)
      })
      req.pipe(forward)
    }, latencyMs)
  }
  const server = tls
    ? https.createServer({ cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) }, handler)
    : http.createServer(handler)
  // A client that gives up on a TLS hello (or speaks HTTP to it) is not an error here.
  server.on('clientError', (_err, socket) => socket.destroy())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `localhost:${server.address().port}`
  origin = `${tls ? 'https' : 'http'}://${host}`
  const trust = tls ? path.join(certsDir, host) : undefined
  if (trust) {
    fs.mkdirSync(trust, { recursive: true })
    fs.copyFileSync(tls.cert, path.join(trust, 'ca.crt'))
  }
  return {
    host,
    latencyMs,
    /** Requests seen so far. */
    requests: () => requests,
    close() {
      server.closeAllConnections?.()
      server.close()
      agent.destroy()
      if (trust) fs.rmSync(trust, { recursive: true, force: true })
    }
  }
}
