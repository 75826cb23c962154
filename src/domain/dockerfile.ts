// The Dockerfile reader every stage shares: its instructions (continuation lines
// joined, comments and directives skipped) and its stages. Pure: the text comes in
// as a string.

export interface Instruction {
  /** 1-based line where the instruction starts. */
  line: number
  /** The instruction with continuation lines joined, as builders print it: `RUN make all`. */
  text: string
}

/** A parser directive in the first lines that changes the escape character (and so the quoting). */
export function hasEscapeDirective(dockerfile: string): boolean {
  return /^#\s*escape\s*=/im.test(dockerfile.split(/\r?\n/).slice(0, 5).join('\n'))
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

/** One stage: its FROM and the instructions after it. */
export interface Stage {
  /** `AS name` as written, or undefined for an unnamed stage. */
  written: string | undefined
  /** The name builders match: `AS name` lowercased, else `stage-<index>` as BuildKit names it. */
  name: string
  instructions: Instruction[]
}

export function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = []
  for (const instruction of instructions) {
    if (/^FROM\s/i.test(instruction.text)) {
      const written = /\sAS\s+(\S+)\s*$/i.exec(instruction.text)?.[1]
      stages.push({ written, name: (written ?? `stage-${stages.length}`).toLowerCase(), instructions: [instruction] })
    } else stages.at(-1)?.instructions.push(instruction)
  }
  return stages
}

/**
 * The stage names a Dockerfile declares (`FROM … AS name`), as written; undefined
 * when one is written with a variable, so the names cannot be known here.
 */
export function stageNames(dockerfile: string): string[] | undefined {
  const names = stagesOf(instructionsOf(dockerfile)).flatMap((s) => (s.written === undefined ? [] : [s.written]))
  return names.some((n) => n.includes('$')) ? undefined : names
}
