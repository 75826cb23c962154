// Types of scripts/lib/services.mjs, for the TypeScript tests that import it.

export interface Services {
  /** host:port of the plain registry (loopback: every engine and BuildKit speak plain HTTP to it). */
  plain: string
  /** host:port of the TLS registry with an htpasswd login, under the name localhost (engines only reach it over TLS). */
  tls: string
  /** The same TLS registry under a non-loopback host name, which engines, buildx and BuildKit all reach over HTTPS. */
  tlsNamed: string
  username: string
  password: string
  passwordFile: string
  /** The certificate authority of the TLS registry (also trusted system-wide). */
  caFile: string
  /** The classic world's base image (each world's own is worlds.<name>.baseImage). */
  baseImage: string
  /** The registries, by what they are. */
  registries: { plain: Registry; tls: Registry; tlsNamed: Registry }
  /** Programs services.sh fetched or installed: null when not there (a world that needs them was left out). */
  tools: { cosign: string | null; crane: string | null; skopeo: string | null }
  /** The Docker worlds; a world left out by SHIP_IMAGE_WORLDS is null. */
  worlds: Record<WorldName, World | null>
}

export type WorldName = 'classic' | 'hosted' | 'builder' | 'containerd'

export interface Registry {
  /** host:port */
  host: string
  /** Whether it speaks TLS. */
  https: boolean
  /** Whether it wants the test login (username, password). */
  login: boolean
}

/** One Docker world: an engine, the CLI that drives it, and the builder a build gets. */
export interface World {
  /** DOCKER_HOST of its engine. */
  dockerHost: string
  /** Its docker CLI. */
  cli: string
  /** A folder with the docker-buildx plugin, or null (no buildx). */
  pluginsDir: string | null
  /** The engine's version. */
  engine: string
  /** The buildx plugin's version, or null. */
  buildx: string | null
  /** Whether the engine keeps images in containerd. */
  containerdStore: boolean
  /** The image a test Dockerfile starts FROM in this world (a registry's, for a builder outside the engine). */
  baseImage: string
  /** The engine's log, or null (the system's engine). */
  log: string | null
  /** The builder a build uses when it names none: null without buildx. */
  builder: Builder | null
}

/** A buildx builder. */
export interface Builder {
  /** Its name: `default` for the engine's own BuildKit (the docker driver). */
  name: string
  /** buildx's driver: `docker` (the engine's BuildKit) or `remote` (a BuildKit outside the engine). */
  driver: 'docker' | 'remote'
  /** Where a remote builder's BuildKit listens, or null. */
  endpoint: string | null
  /** A remote builder's BuildKit version, or null. */
  buildkit: string | null
  /**
   * A buildx folder (BUILDX_CONFIG) in which this builder is the current one for the
   * world's engine, as docker/setup-buildx-action leaves ~/.docker/buildx: copy it to a
   * workspace's ~/.docker/buildx. Null for the docker driver (buildx's own default).
   */
  buildxConfig: string | null
  /** The docker arguments that create it and make it current (`buildx create … --use …`), or null. */
  create: string[] | null
  /** The remote BuildKit's log, or null. */
  log: string | null
}

/** services.json (in `state`, default $SHIP_IMAGE_STATE or /var/tmp/ship-image) with the password read. */
export declare function readServices(state?: string): Services
