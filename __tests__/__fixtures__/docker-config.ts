// Docker config folders on disk, for the tests that read one (runner/docker-config.ts,
// runner/environment.ts): made in temp folders that removeTempDirs() removes.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { tempDir, writeTree } from './temp.js'

/** The folders docker looks for CLI plugins in after the config's own. */
export const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins'
]

/**
 * Whether this machine has buildx in a system plugin folder (hosted runners do):
 * then it is found whatever the config folder holds, and a test of a config
 * without a usable plugin can only expect true.
 */
export const systemBuildx = SYSTEM_PLUGIN_DIRS.some((dir) => {
  try {
    fs.accessSync(path.join(dir, 'docker-buildx'), fs.constants.X_OK)
    return true
  } catch {
    return false
  }
})

/** A docker config folder with the given files; docker-buildx files are made with `mode`. */
export function dockerConfig(files: Record<string, string>, mode = 0o755): string {
  const dir = tempDir('docker-config')
  for (const [relative, content] of Object.entries(files)) {
    writeTree(dir, { [relative]: content }, path.basename(relative) === 'docker-buildx' ? mode : undefined)
  }
  return dir
}
