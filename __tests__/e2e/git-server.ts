// A Git server over HTTP for the end-to-end tests: git's smart HTTP protocol, by
// `git http-backend` (CGI) from a folder of bare repositories, on 127.0.0.1, where
// a build's BuildKit fetches a Git context from. Every request is recorded with its
// Authorization header, to see how the credentials came.
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'

export interface GitRequest {
  method: string
  /** The path and query asked for. */
  url: string
  /** The Authorization header, if one came. */
  authorization?: string
}

/** Runs git with a fixed identity; throws on failure. */
function git(args: string[], cwd?: string): void {
  const result = spawnSync('git', ['-c', 'user.name=ship', '-c', 'user.email=ship@example.test', ...args], {
    cwd,
    encoding: 'utf8'
  })
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`)
}

/**
 * A bare repository `<name>.git` below `root` whose branch `main` has one commit of
 * `files` (path → content).
 */
export function makeRepository(root: string, name: string, files: Record<string, string>): void {
  const work = path.join(root, `${name}-work`)
  fs.mkdirSync(work, { recursive: true })
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true })
    fs.writeFileSync(path.join(work, file), content)
  }
  git(['init', '--quiet', '--initial-branch', 'main', work])
  git(['add', '.'], work)
  git(['commit', '--quiet', '-m', 'the build context'], work)
  git(['clone', '--quiet', '--bare', work, path.join(root, `${name}.git`)])
}

export class GitServer {
  private server: http.Server | undefined
  /** Every request, in order. */
  readonly requests: GitRequest[] = []

  constructor(private readonly root: string) {}

  /** Listens on 127.0.0.1; resolves to `127.0.0.1:<port>`. */
  async start(): Promise<string> {
    const server = http.createServer((req, res) => this.handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.server = server
    return `127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://git.test')
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization })
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: this.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: '127.0.0.1'
      },
      stdio: ['pipe', 'pipe', 'ignore']
    })
    req.pipe(cgi.stdin)
    const chunks: Buffer[] = []
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c))
    cgi.on('close', () => {
      // A CGI answer: header lines (Status: among them), a blank line, the body.
      const out = Buffer.concat(chunks)
      const end = out.indexOf('\r\n\r\n')
      const split = end >= 0 ? end : out.indexOf('\n\n')
      const head = out.subarray(0, Math.max(split, 0)).toString('latin1')
      const body = split >= 0 ? out.subarray(split + (end >= 0 ? 4 : 2)) : out
      let status = 200
      const headers: Record<string, string> = {}
      for (const line of head.split(/\r?\n/)) {
        const colon = line.indexOf(':')
        if (colon < 0) continue
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
        else headers[name] = value
      }
      res.writeHead(status, headers)
      res.end(body)
    })
  }
}
