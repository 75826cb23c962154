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
}

/** services.json (in `state`, default $SHIP_IMAGE_STATE or /var/tmp/ship-image) with the password read. */
export declare function readServices(state?: string): Services
