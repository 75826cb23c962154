// Types of scripts/lib/services.mjs, for the TypeScript tests that import it.

export interface Services {
  /** host:port of the plain registry. */
  plain: string
  /** host:port of the TLS registry with an htpasswd login. */
  tls: string
  username: string
  password: string
  passwordFile: string
  /** The certificate authority of the TLS registry. */
  caFile: string
  /** The tiny base image every test Dockerfile starts FROM. */
  baseImage: string
  /** The Docker worlds (absent in a services.json of an older services.sh; buildx null with SHIP_IMAGE_BUILDX=0). */
  worlds?: { classic: World; buildx: World | null }
}

/** One Docker world: an engine and the CLI that drives it. */
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
}

/** services.json (in `state`, default $SHIP_IMAGE_STATE or /var/tmp/ship-image) with the password read. */
export declare function readServices(state?: string): Services
