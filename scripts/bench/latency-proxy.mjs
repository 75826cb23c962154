// A registry across a network, for the push case: a proxy in the bench's process that
// holds every request LATENCY_MS before forwarding it to a loopback registry.
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'

/** Added to each registry request by startLatencyProxy. */
export const LATENCY_MS = 40

/**
 * Listens on localhost:<free port> (which the engine treats as an insecure
 * registry), holds each request LATENCY_MS, then forwards it to `upstream` and
 * streams the answer back, pointing absolute upload URLs (Location) at itself.
 */
export async function startLatencyProxy(upstream, caFile) {
  const target = new URL(upstream)
  const client = target.protocol === 'https:' ? https : http
  const ca = caFile ? fs.readFileSync(caFile) : undefined
  let origin = ''
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      const headers = { ...req.headers, host: target.host }
      const forward = client.request(
        {
          hostname: target.hostname === 'localhost' ? '127.0.0.1' : target.hostname,
          servername: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          ca
        },
        (up) => {
          const out = { ...up.headers }
          if (typeof out.location === 'string') out.location = out.location.replace(/^https?:\/\/[^/]+/, origin)
          res.writeHead(up.statusCode ?? 502, out)
          up.pipe(res)
        }
      )
      forward.on('error', (err) => {
        res.writeHead(502)
        res.end(err.message)
      })
      req.pipe(forward)
    }, LATENCY_MS)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `localhost:${server.address().port}`
  origin = `http://${host}`
  return { host, close: () => server.close() }
}
