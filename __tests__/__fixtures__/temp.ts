// Real temp folders for the unit tests, removed in afterEach/afterAll, and a
// wait for something that happens asynchronously (a child process exiting).
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const made: string[] = []

/** A new empty folder under the system's temp folder, removed by removeTempDirs(). */
export function tempDir(prefix = 'unit'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ship-image-${prefix}-`))
  made.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}

/** Writes `files` (relative path → content) below `root`, making folders; returns root. */
export function writeTree(root: string, files: Record<string, string>, mode?: number): string {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, content, mode === undefined ? undefined : { mode })
  }
  return root
}

/** Resolves once `condition()` holds; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
