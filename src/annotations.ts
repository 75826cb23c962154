// Where in the Dockerfile a failed build went wrong, from the builder's output, so
// the error can be an annotation on that line (it then shows on the pull request's
// diff). Pure: the output and the Dockerfile's text come in as strings.

export interface Instruction {
  /** 1-based line where the instruction starts. */
  line: number
  /** The instruction with continuation lines joined, as builders print it: `RUN make all`. */
  text: string
}

/** The instructions of a Dockerfile, in order (comments, blank lines and parser directives skipped). */
export function instructionsOf(dockerfile: string): Instruction[] {
  const lines = dockerfile.split(/\r?\n/)
  const escape = /^#\s*escape\s*=\s*`/i.test(lines[0] ?? '') ? '`' : '\\'
  const instructions: Instruction[] = []
  let current: Instruction | undefined
  lines.forEach((raw, i) => {
    const line = raw.trim()
    if (current === undefined && (line === '' || line.startsWith('#'))) return
    if (current !== undefined && line.startsWith('#')) return // comments inside a continued instruction
    const continues = line.endsWith(escape)
    const part = continues ? line.slice(0, -1).trim() : line
    if (current === undefined) current = { line: i + 1, text: part }
    else if (part !== '') current.text = `${current.text} ${part}`
    if (!continues) {
      instructions.push(current)
      current = undefined
    }
  })
  if (current !== undefined) instructions.push(current)
  return instructions
}

export interface DockerfileError {
  line: number
  message: string
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase()

/** The line of the instruction whose text the builder printed. */
function lineOfInstruction(instructions: Instruction[], printed: string): number | undefined {
  const wanted = normalise(printed)
  return instructions.find((i) => normalise(i.text) === wanted)?.line
}

/**
 * The Dockerfile line a failed build points at, and a one-line message, for:
 * - parse errors (`dockerfile parse error line 2` / `on line 2`), every builder;
 * - buildx's context block (`Dockerfile:3` above the failing lines);
 * - BuildKit's failing step (` > [build 3/4] RUN make:`);
 * - the classic builder's last `Step 3/4 : RUN make` before its failure.
 * Undefined when the output names no line (a missing base image, say).
 */
export function dockerfileError(
  output: string,
  dockerfile: string,
  fileName = 'Dockerfile'
): DockerfileError | undefined {
  const lines = output.split(/\r?\n/).map((l) => l.trimEnd())
  const reason = failureReason(lines)
  const instructions = instructionsOf(dockerfile)

  const parse = /dockerfile parse error (?:on )?line (\d+): (.+)$/.exec(
    output.split('\n').find((l) => /dockerfile parse error/.test(l)) ?? ''
  )
  if (parse) return { line: Number(parse[1]), message: `Dockerfile parse error: ${parse[2].trim()}` }

  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const context = lines.map((l) => new RegExp(`^${escaped}:(\\d+)$`).exec(l.trim())).find((m) => m !== null)
  if (context) {
    const line = Number(context[1])
    return { line, message: describe(textAt(instructions, line), reason) }
  }

  const step = lines
    .map((l) => /^ > \[(?:[^\]]* )?\d+\/\d+\] (.+):$/.exec(l))
    .filter((m) => m !== null)
    .pop()
  if (step) {
    const line = lineOfInstruction(instructions, step[1])
    if (line !== undefined) return { line, message: describe(textAt(instructions, line), reason) }
  }

  const classic = lines
    .map((l) => /^Step (\d+)\/\d+ : (.+)$/.exec(l))
    .filter((m) => m !== null)
    .pop()
  if (classic) {
    const line = lineOfInstruction(instructions, classic[2]) ?? instructions[Number(classic[1]) - 1]?.line
    if (line !== undefined) return { line, message: describe(textAt(instructions, line), reason) }
  }
  return undefined
}

function textAt(instructions: Instruction[], line: number): string | undefined {
  return instructions.find((i) => i.line === line)?.text
}

function describe(instruction: string | undefined, reason: string): string {
  return instruction === undefined
    ? reason
    : `${instruction.length > 80 ? `${instruction.slice(0, 80)}…` : instruction} failed: ${reason}`
}

/** The builder's own last word on why it failed. */
function failureReason(lines: string[]): string {
  const patterns = [
    /The command '.*' returned a non-zero code: (\d+)/,
    /did not complete successfully: exit code: (\d+)/,
    /executor failed running \[.*\]: exit code: (\d+)/
  ]
  for (const line of [...lines].reverse()) {
    for (const re of patterns) {
      const m = re.exec(line)
      if (m) return `exit code ${m[1]}`
    }
  }
  const last = [...lines].reverse().find((l) => l.trim() !== '' && !/^-+$/.test(l.trim()))
  return (last ?? 'the build failed')
    .replace(/^(?:ERROR: )?(?:failed to solve(?: with frontend dockerfile\.v0)?: )?/, '')
    .trim()
}
