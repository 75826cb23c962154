// A release page on loopback, laid out as GitHub's: `<base>/download/<tag>/<asset>`,
// the release's checksums file beside its assets (sha256sum's format), and
// `<base>/latest` answered with a 302 to `<base>/tag/<tag>`. It stands in for
// github.com/docker/buildx/releases and github.com/sigstore/cosign/releases
// (`buildx-download-url`, `cosign-download-url`), serving binaries of this machine,
// and records every request, so a test can tell a download from a tool cache hit.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Release {
  /** The release tag, `v0.29.1`. */
  tag: string
  /** Each asset's name on the release and the file it serves. */
  assets: Record<string, string>
  /** The checksums file's name: `checksums.txt` (buildx), `cosign_checksums.txt` (cosign). */
  checksums: string
  /** The sha256 the checksums file gives for an asset, instead of its own (a mirror gone wrong). */
  wrongChecksum?: string
}

export interface Request {
  method: string
  path: string
  status: number
}

export class ReleaseServer {
  private readonly server: http.Server
  private readonly served: Request[] = []
  private readonly checksumsText: string
  private port = 0

  constructor(private readonly release: Release) {
    this.checksumsText = Object.entries(release.assets)
      .map(([name, file]) => `${release.wrongChecksum ?? sha256Of(file)}  ${name}\n`)
      .join('')
    this.server = http.createServer((req, res) => this.answer(req, res))
  }

  /** The release page: what `buildx-download-url` or `cosign-download-url` takes. */
  get base(): string {
    return `http://127.0.0.1:${this.port}/releases`
  }

  /** Every request so far, in order. */
  get requests(): Request[] {
    return [...this.served]
  }

  /** The asset downloads that were served (200) so far. */
  downloadsOf(asset: string): number {
    return this.served.filter((r) => r.status === 200 && r.path === `/releases/download/${this.release.tag}/${asset}`)
      .length
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, '127.0.0.1', () => resolve())
    })
    this.port = (this.server.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const urlPath = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const done = (status: number): void => {
      this.served.push({ method: req.method ?? '', path: urlPath, status })
    }
    const { tag, assets, checksums } = this.release
    if (urlPath === '/releases/latest') {
      res.writeHead(302, { Location: `${this.base}/tag/${tag}` }).end()
      return done(302)
    }
    const download = `/releases/download/${tag}/`
    const name = urlPath.startsWith(download) ? urlPath.slice(download.length) : undefined
    if (name === checksums) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(this.checksumsText) })
      res.end(this.checksumsText)
      return done(200)
    }
    const file = name === undefined ? undefined : assets[name]
    if (file === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found')
      return done(404)
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': fs.statSync(file).size })
    fs.createReadStream(file).pipe(res)
    done(200)
  }
}

function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}
