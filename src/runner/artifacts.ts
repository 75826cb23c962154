// The runner's artifact declarations: lines appended to the file $GITHUB_ARTIFACTS
// names (actions/runner#4527, 2026). @actions/core 3 has no API for this file
// command yet, so it is written here, as the runner reads it: one entry per line,
// the file created by the runner before the step. Nothing is written when the
// runner gives no such file (an older runner, a run outside Actions).
import * as fs from 'node:fs'
import * as os from 'node:os'

/** Appends the declarations; false when the runner takes none. */
export function declareArtifacts(lines: string[], vars: Record<string, string | undefined> = process.env): boolean {
  const file = vars.GITHUB_ARTIFACTS
  if (!file || lines.length === 0) return false
  fs.appendFileSync(file, lines.map((line) => `${line}${os.EOL}`).join(''))
  return true
}
