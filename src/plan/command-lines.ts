// The plan as the docker commands a person would type, for the dry run and its
// summary. For display only: nothing is ever run through a shell. Pure.
import { shownArg } from '../docker/output.js'
import { tagArgs } from './plan.js'
import type { Compressor, Plan } from './plan.js'

/** The command a person would type for the compressor (the dry run), after `docker image save … |`. */
function compressorLine(compressor: Compressor, level: number): string {
  const commands = { none: '', zlib: `gzip -${level}`, pigz: `pigz -${level}`, zstd: `zstd -T0 -${level}` }
  return commands[compressor.kind]
}

/** An argument as a POSIX shell would need it written, for display only (nothing is ever run through a shell). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@,+%^-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/**
 * The plan as the docker commands a person would type, in order (the dry run
 * prints them). Secrets show as ***: the password goes to standard input, and
 * each build secret is an environment variable of the build.
 */
export function commandLines(plan: Plan): string[] {
  const line = (args: string[]): string => ['docker', ...args].map((arg) => shellQuote(shownArg(arg))).join(' ')
  const lines: string[] = []
  for (const login of plan.logins) lines.push(`echo '***' | ${line(login.args)}`)
  const image = plan.image
  if (image.kind === 'build') {
    for (const pull of image.cachePulls) lines.push(line(pull.args))
    const env = image.secretEnv.map(({ name }) => `${name}='***' `).join('')
    // The classic builder reads the Dockerfile, with the labels in one LABEL line, on standard input.
    if (image.dockerfileText === undefined) lines.push(`${env}${line(image.args)}`)
    else
      lines.push(
        `${env}${line(image.args)} <<'DOCKERFILE'`,
        ...image.dockerfileText.replace(/\n$/, '').split('\n'),
        'DOCKERFILE'
      )
    // The digest is the one buildx writes to its metadata file.
    const repositories = [...new Set(plan.targets.map((t) => t.repository.name))]
    if (image.push) for (const name of repositories) lines.push(`${line(image.push.inspect)} ${name}@<digest>`)
  } else if (image.kind === 'load') {
    const from = image.decompress
      ? `${[image.decompress.program, ...image.decompress.args].map(shellQuote).join(' ')} | `
      : ''
    lines.push(`${from}${line(image.args)}`)
    for (const target of plan.targets) lines.push(line(tagArgs('<the loaded image>', target.ref)))
  } else if (image.kind === 'merge') {
    for (const { parts } of image.repositories) {
      for (const { ref } of parts) lines.push(`# check that ${ref} exists and is of commit ${image.sha}`)
    }
    for (const { create } of image.repositories) for (const args of create) lines.push(line(args))
  } else {
    // A source in a registry is copied there (an index as it is); else it goes through the engine.
    const { copy } = image
    if (copy) lines.push(`${line([...copy.imagetools, 'inspect', '--raw', image.source])} && ${line(copy.create)} ||`)
    lines.push(`${line(image.inspect)} || ${line(image.pull)}`)
    for (const tag of image.tag) lines.push(line(tag))
  }
  for (const push of plan.pushes.flat()) lines.push(line(push.args))
  for (const args of plan.cleanup) lines.push(line(args))
  if (plan.save) {
    const { target, compressor } = plan.save
    const pipe = compressor.kind === 'none' ? '' : ` | ${compressorLine(compressor, target.level)}`
    lines.push(`${line(plan.save.args)}${pipe} > ${shellQuote(target.path)}`)
  }
  return lines
}
