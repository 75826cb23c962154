// The errors a run can end with. Each message is a plain sentence for `::error::`.

/** A docker command (or the work around one, such as writing the tarball) failed. */
export class DockerError extends Error {
  constructor(
    message: string,
    /** Where the fault is in the user's files (a Dockerfile line), for an annotation. */
    readonly annotation?: { file: string; line: number }
  ) {
    super(message)
    this.name = 'DockerError'
  }
}

/** The engine is not running or DOCKER_HOST points at nothing; retrying or annotating cannot help. */
export class EngineUnreachable extends DockerError {}
