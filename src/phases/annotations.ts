// Where in the Dockerfile a failed build went wrong, from the builder's output, so
// the error can be an annotation on that line (it then shows on the pull request's
// diff). Pure: the output and the Dockerfile's text come in as strings.
import { instructionsOf, stagesOf } from '../domain/dockerfile.js'
import type { Instruction } from '../domain/dockerfile.js'
import { undouble } from '../docker/output.js'

export interface DockerfileError {
  line: number
  message: string
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase()

/** The line of the instruction whose text the builder printed, among `instructions`. */
function lineOfInstruction(instructions: Instruction[], printed: string): number | undefined {
  const wanted = normalise(printed)
  return instructions.find((i) => normalise(i.text) === wanted)?.line
}

/**
 * The line of BuildKit's `[name i/n] TEXT` step: the i-th instruction of that
 * stage (its FROM is 1), when its text is the one printed; else the first
 * instruction with that text in the stage, then in the whole file. Without a
 * name BuildKit means the stage being built, which is the last one that fits.
 */
function lineOfStep(
  instructions: Instruction[],
  stage: string | undefined,
  index: number,
  text: string
): number | undefined {
  const stages = stagesOf(instructions)
  const candidates = stage === undefined ? [...stages].reverse() : stages.filter((s) => s.name === stage.toLowerCase())
  for (const candidate of candidates) {
    const at = candidate.instructions[index - 1]
    if (at !== undefined && normalise(at.text) === normalise(text)) return at.line
  }
  for (const candidate of candidates) {
    const line = lineOfInstruction(candidate.instructions, text)
    if (line !== undefined) return line
  }
  return lineOfInstruction(instructions, text)
}

/** The classic builder's `Step n/m : TEXT`: the n-th instruction of the file when its text is the one printed, else the first with that text. */
function lineOfClassicStep(instructions: Instruction[], index: number, text: string): number | undefined {
  const at = instructions[index - 1]
  if (at !== undefined && normalise(at.text) === normalise(text)) return at.line
  return lineOfInstruction(instructions, text) ?? at?.line
}

/** Values the Dockerfile's global ARGs (before the first FROM) default to, then the build args given. */
function argValues(instructions: Instruction[], buildArgs: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const instruction of instructions) {
    if (/^FROM\s/i.test(instruction.text)) break
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(instruction.text)
    if (arg) values[arg[1]] = (arg[2] ?? '').replace(/^(["'])(.*)\1$/, '$2')
  }
  return { ...values, ...buildArgs }
}

/** An image reference as BuildKit prints it: `docker.io/library/alpine:latest` for `alpine`. */
function canonicalImage(ref: string): string {
  let name = ref.replace(/@sha256:[a-f0-9]+$/, '')
  const slash = name.indexOf('/')
  const first = slash < 0 ? '' : name.slice(0, slash)
  if (!(/[.:]/.test(first) || first === 'localhost')) name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) name = `${name}:latest`
  return name.toLowerCase()
}

/** The line of the FROM whose image (its ARGs filled in) is `image`. */
function lineOfBaseImage(
  instructions: Instruction[],
  image: string,
  buildArgs: Record<string, string>
): number | undefined {
  const values = argValues(instructions, buildArgs)
  const wanted = canonicalImage(image)
  for (const instruction of instructions) {
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)/i.exec(instruction.text)
    if (!from) continue
    const written = from[1].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => values[name] ?? '')
    if (written !== '' && canonicalImage(written) === wanted) return instruction.line
  }
  return undefined
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g

/** What the docker CLI itself prints around a classic build (on stderr, read after the build's output). */
const CLI_NOISE = [
  /^DEPRECATED: The legacy builder/,
  /^\s+Install the buildx component/,
  /^\s+https:\/\/docs\.docker\.com\/go\/buildx/
]

/** At most this many of the failing step's own last lines go into the message. */
const LAST_LINES = 6

/**
 * What the failing step printed last, as docker shows it: BuildKit's log lines
 * of that step (`#7 0.123 text`, or its error block), or what the classic
 * builder printed after `Step n/m`.
 */
function lastLinesOf(lines: string[], step: { vertex?: string; errorBlock?: number; classic?: number }): string[] {
  let out: string[] = []
  if (step.vertex !== undefined) {
    const prefix = `#${step.vertex} `
    out = lines
      .filter((l) => l.startsWith(prefix))
      .map((l) => l.slice(prefix.length))
      .filter((l) => /^\d+(?:\.\d+)? /.test(l))
      .map((l) => l.replace(/^\d+(?:\.\d+)? /, ''))
  }
  if (out.length === 0 && step.errorBlock !== undefined) {
    const end = lines.findIndex((l, i) => i > step.errorBlock! && /^-{4,}$/.test(l.trim()))
    out = lines.slice(step.errorBlock + 1, end < 0 ? undefined : end).map((l) => l.replace(/^\d+(?:\.\d+)? /, ''))
  }
  if (out.length === 0 && step.classic !== undefined) {
    out = lines
      .slice(step.classic + 1)
      .map((l) => l.replace(ANSI, ''))
      .filter(
        (l) =>
          !/^ ---> /.test(l) &&
          !/^Removing intermediate container /.test(l) &&
          !CLI_NOISE.some((re) => re.test(l)) &&
          !/^The command '.*' returned a non-zero code: \d+$/.test(l)
      )
  }
  return out
    .map((l) => l.replace(ANSI, '').trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-LAST_LINES)
    .map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l))
}

/**
 * The Dockerfile line a failed build points at, and its message, for:
 * - parse errors (`dockerfile parse error line 2` / `on line 2`), every builder;
 * - a base image that cannot be loaded (BuildKit's `[internal] load metadata for
 *   <image>`): the FROM that names it, ARGs filled in;
 * - buildx's context block (`Dockerfile:3` above the failing lines);
 * - BuildKit's failing step (` > [build 3/4] RUN make:`), in its own stage;
 * - the classic builder's last `Step 3/4 : RUN make` before its failure.
 * The message ends with the step's own last lines of output, as docker printed
 * them. Undefined when the output names no line.
 */
export function dockerfileError(
  output: string,
  dockerfile: string,
  fileName = 'Dockerfile',
  buildArgs: Record<string, string> = {}
): DockerfileError | undefined {
  const lines = output.split(/\r?\n/).map((l) => l.trimEnd())
  const reason = failureReason(lines)
  const instructions = instructionsOf(dockerfile)

  const parse = /dockerfile parse error (?:on )?line (\d+): (.+)$/.exec(
    output.split('\n').find((l) => /dockerfile parse error/.test(l)) ?? ''
  )
  if (parse) return { line: Number(parse[1]), message: `Dockerfile parse error: ${parse[2].trim()}` }

  // A base image that cannot be loaded: BuildKit's metadata step fails before any Dockerfile step.
  const metadata = lines
    .map((l) => /^#(\d+) \[internal\] load metadata for (\S+)$/.exec(l))
    .filter((m) => m !== null)
    .find((m) => lines.some((l) => l.startsWith(`#${m[1]} ERROR: `)))
  if (metadata) {
    const line = lineOfBaseImage(instructions, metadata[2], buildArgs)
    const why = lines.find((l) => l.startsWith(`#${metadata[1]} ERROR: `))!.slice(`#${metadata[1]} ERROR: `.length)
    if (line !== undefined)
      return {
        line,
        message: `${clip(textAt(instructions, line))}: the base image ${metadata[2]} could not be loaded: ${undouble(why)}`
      }
  }

  const step = lines
    .map((l, i) => ({ m: /^ > \[(?:(\S+) )?(\d+)\/\d+\] (.+):$/.exec(l), i }))
    .filter((x) => x.m !== null)
    .pop()
  const vertex =
    step &&
    lines
      .map((l) => /^#(\d+) \[(?:\S+ )?\d+\/\d+\] (.+)$/.exec(l))
      .filter((m) => m !== null && normalise(m[2]) === normalise(step.m![3]))
      .map((m) => m![1])
      .pop()

  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const context = lines.map((l) => new RegExp(`^${escaped}:(\\d+)$`).exec(l.trim())).find((m) => m !== null)
  if (context) {
    const line = Number(context[1])
    return {
      line,
      message: describe(textAt(instructions, line), reason, lastLinesOf(lines, { vertex, errorBlock: step?.i }))
    }
  }

  if (step) {
    const [, stage, index, text] = step.m!
    const line = lineOfStep(instructions, stage, Number(index), text)
    if (line !== undefined)
      return {
        line,
        message: describe(textAt(instructions, line), reason, lastLinesOf(lines, { vertex, errorBlock: step.i }))
      }
  }

  const classic = lines
    .map((l, i) => ({ m: /^Step (\d+)\/\d+ : (.+)$/.exec(l), i }))
    .filter((x) => x.m !== null)
    .pop()
  if (classic) {
    const line = lineOfClassicStep(instructions, Number(classic.m![1]), classic.m![2])
    if (line !== undefined)
      return { line, message: describe(textAt(instructions, line), reason, lastLinesOf(lines, { classic: classic.i })) }
  }
  return undefined
}

function textAt(instructions: Instruction[], line: number): string | undefined {
  return instructions.find((i) => i.line === line)?.text
}

function clip(instruction: string | undefined): string {
  if (instruction === undefined) return 'this line'
  return instruction.length > 80 ? `${instruction.slice(0, 80)}…` : instruction
}

/** The one-line message, then the step's own last lines, indented. */
function describe(instruction: string | undefined, reason: string, last: string[] = []): string {
  const head = instruction === undefined ? reason : `${clip(instruction)} failed: ${reason}`
  // The reason may be the step's last line itself (the classic builder's error): not twice.
  const shown = last.filter((l, i) => !(i === last.length - 1 && undouble(l.trim()) === reason.trim()))
  return shown.length === 0 ? head : [head, ...shown.map((l) => `  ${l}`)].join('\n')
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
  return undouble(
    (last ?? 'the build failed')
      .replace(ANSI, '')
      .replace(/^(?:ERROR: )?(?:failed to solve(?: with frontend dockerfile\.v0)?: )?/, '')
      .trim()
  )
}
