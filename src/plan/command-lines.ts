// The plan as the docker commands a person would type, for the dry run and its
// summary: the argument arrays render.ts makes (the same the phases run), written
// as shell lines. For display only: nothing is ever run through a shell. Pure.
import { shownArg } from '../runner/log.js'
import * as render from './render.js'
import type { Compressor, Plan } from './steps.js'

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
/** A command as a person would type it: each argument shown (credentials hidden) and quoted. */
export function commandLine(args: string[], program = 'docker'): string {
  return [program, ...args].map((arg) => shellQuote(shownArg(arg))).join(' ')
}

export function commandLines(plan: Plan): string[] {
  const line = (args: string[]): string => commandLine(args)
  const lines: string[] = []
  for (const login of plan.logins) lines.push(`echo '***' | ${line(render.loginArgs(login))}`)
  const image = plan.image
  if (image.kind === 'build') {
    for (const ref of image.cachePulls) lines.push(line(render.pullArgs(ref)))
    const env = image.secrets.map(({ env }) => `${env}='***' `).join('')
    const build = `${env}${line(render.buildArgs(image))}`
    // The classic builder reads the Dockerfile, with the labels in one LABEL line, on standard input.
    if (image.dockerfileText === undefined) lines.push(build)
    else lines.push(`${build} <<'DOCKERFILE'`, ...image.dockerfileText.replace(/\n$/, '').split('\n'), 'DOCKERFILE')
    // The digest is the one buildx writes to its metadata file.
    const repositories = [...new Set(plan.targets.map((t) => t.repository.name))]
    if (image.push) {
      for (const name of repositories) {
        lines.push(line(render.imagetoolsInspectArgs(`${name}@<digest>`, { builderName: image.builderName })))
      }
    }
  } else if (image.kind === 'load') {
    // The action streams the tarball in itself, its own names taken out; this is the shell's nearest line.
    lines.push("# the tarball's own names are left out on the way in: the tags below are its only ones")
    const load = line(render.loadArgs())
    lines.push(
      image.decompress
        ? `${[image.decompress.program, ...image.decompress.args].map(shellQuote).join(' ')} | ${load}`
        : `${load} < ${shellQuote(image.path)}`
    )
    for (const target of plan.targets) lines.push(line(render.tagArgs('<the loaded image>', target.ref)))
  } else if (image.kind === 'merge') {
    for (const { parts } of image.repositories) {
      for (const { ref } of parts) lines.push(`# check that ${ref} exists and is of commit ${image.sha}`)
    }
    for (const repository of image.repositories) {
      for (const args of render.mergeArgs(image, repository)) lines.push(line(args))
    }
  } else {
    // A source in a registry is copied there (an index as it is); else it goes through the engine.
    if (image.copy) {
      const inspect = line(render.imagetoolsInspectArgs(image.source))
      lines.push(`${inspect} && ${line(render.imagetoolsCreateArgs(image.refs, [image.source]))} ||`)
    }
    const inspect = render.inspectArgs([image.source], '{{.Id}}')
    lines.push(`${line(inspect)} || ${line(render.pullArgs(image.source))}`)
    for (const ref of image.refs) lines.push(line(render.tagArgs(image.source, ref)))
  }
  for (const target of plan.pushes.flat()) lines.push(line(render.pushArgs(target.ref)))
  if (plan.cleanup.length > 0) lines.push(line(render.removeArgs(plan.cleanup)))
  if (plan.save) {
    const { target, compressor } = plan.save
    const pipe = compressor.kind === 'none' ? '' : ` | ${compressorLine(compressor, target.level)}`
    lines.push(`${line(render.saveArgs(plan.save.refs))}${pipe} > ${shellQuote(target.path)}`)
  }
  if (plan.sign) {
    // The digests come from the push; the key from the cosign process's environment.
    const env = plan.sign.mode === 'key' ? `${render.COSIGN_KEY_VARIABLE}='***' COSIGN_PASSWORD='***' ` : ''
    for (const name of [...new Set(plan.targets.map((t) => t.repository.name))]) {
      lines.push(`${env}${commandLine(render.cosignSignArgs(`${name}@<digest>`, plan.sign), 'cosign')}`)
    }
  }
  return lines
}
