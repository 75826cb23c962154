// The plan's steps, as typed data: what each docker command is for and with what
// (a build's tags, build args, target and platforms; a merge's parts), never its
// argument array. render.ts alone turns a step into docker arguments, for the
// phases that run it and for the lines the dry run prints. The secrets travel
// beside the plan (Secrets), never in it, so the plan can be printed as it is.
import type { KeyValue } from '../inputs/parse.js'
import type { Provenance } from '../inputs/builder.js'
import type { SaveTarget } from '../inputs/tarball.js'
import type { Target } from '../domain/image.js'

/**
 * How `docker build` is reached: `buildx` when the buildx plugin is installed
 * (hosted runners), `docker` for the CLI's own `docker build` (the classic builder,
 * or BuildKit built into an older CLI with DOCKER_BUILDKIT=1).
 */
export type Builder = 'buildx' | 'docker'

/** `docker login` to one registry; the password goes to its standard input (Secrets.passwords). */
export interface Login {
  registry: string
  username: string
}

/**
 * A push made by the build (`docker buildx build --push`), for every tag of every
 * repository at once: the pushed digest comes from buildx's metadata file, and
 * each repository's manifest or index is then read back from the registry.
 */
export interface BuildPush {
  /** The registries pushed to, for messages. */
  registries: string[]
}

/** A build: every field an argument of `docker build` or `docker buildx build` (render.ts). */
export interface BuildStep {
  kind: 'build'
  /** An existing buildx builder (`--builder`), or '' for buildx's own choice. */
  builderName: string
  /** Absolute path of a local context, or a remote context (URL) as written. */
  context: string
  /** The Dockerfile to give (`--file`): a path, `-` for dockerfileText on standard input, or undefined for the default. */
  file: string | undefined
  /** Every reference the image is tagged as (`--tag`). */
  refs: string[]
  buildArgs: KeyValue[]
  /** BuildKit's SOURCE_DATE_EPOCH, as a build arg after the user's (undefined: none). */
  sourceDateEpoch: number | undefined
  /** The labels as `--label`s (none when they are in dockerfileText). */
  labels: KeyValue[]
  target: string
  /** `os/arch[/variant]` each; empty for the engine's own. */
  platforms: string[]
  network: string
  pull: boolean
  noCache: boolean
  /** Where the build may reuse layers from (`--cache-from`): image references, or buildx cache specs. */
  cacheFrom: string[]
  /** Where buildx writes the build's cache (`--cache-to`). */
  cacheTo: string[]
  /** BuildKit writes its cache metadata into the image (BUILDKIT_INLINE_CACHE), so a later run can use it as cache-from. */
  inlineCache: boolean
  /** The environment variable of the build process that carries each secret (`--secret id=…,env=…`). */
  secrets: { id: string; env: string }[]
  /** buildx's `--provenance`; undefined for docker build. */
  provenance: Provenance | undefined
  /**
   * Where buildx's result goes: to the registries (`--push`), into the engine
   * (`--load`), both, or nowhere but its cache; empty for docker build, which
   * always writes into the engine.
   */
  exports: ('push' | 'load')[]
  /** Where the build writes the image ID (`--iidfile`). */
  iidFile: string
  /** Where buildx writes the image's digests (`--metadata-file`); the classic builder writes none. */
  metadataFile: string | undefined
  /** The cache-from images to `docker pull` first, when the builder needs them local (the classic builder). */
  cachePulls: string[]
  /** The Dockerfile, for an annotation on the line a failed build names (a local context's only). */
  dockerfile: string | undefined
  /** The Dockerfile the build reads on standard input (`--file -`): the classic builder's, with the labels in one line. */
  dockerfileText: string | undefined
  /** Set when buildx pushes the image itself. */
  push: BuildPush | undefined
}

/**
 * `docker load` of a tarball, then a tag per target. A .tar.zst goes through the
 * runner's zstd (`decompress`), a .tar.gz through Node's zlib, so that the tarball's
 * own names can be taken out on the way (and engines before 23.0, which cannot read
 * zstd, load a .tar.zst).
 */
export interface LoadStep {
  kind: 'load'
  path: string
  decompress: { program: string; args: string[] } | undefined
}

/**
 * An existing image tagged as every target: through the engine (inspected, pulled
 * when it is not local, tagged), or with buildx and a push (and no save), copied
 * registry-side when it is in a registry: its digest and every platform kept,
 * nothing pulled.
 */
export interface RetagStep {
  kind: 'retag'
  source: string
  refs: string[]
  copy: { registries: string[] } | undefined
}

/** One repository of a merge: the parts found and checked, then one index under every tag. */
export interface MergeRepository {
  repository: string
  /** `docker manifest --insecure`: a registry on this machine, which the engine reaches over plain HTTP. */
  insecure: boolean
  parts: { platform: string; ref: string }[]
  /** The references the index gets. */
  refs: string[]
}

/**
 * A merge job: every part of this commit found and checked, then one index per
 * repository: with buildx one `imagetools create` (it copies indexes and
 * attestations as they are); without, `docker manifest create` and `push` per tag
 * (single manifests only), speaking plain HTTP to a loopback registry as the engine
 * does, with its lists in the run's own docker config (never another run's).
 */
export interface MergeStep {
  kind: 'merge'
  sha: string
  tool: 'imagetools' | 'manifest'
  repositories: MergeRepository[]
  /** Remove the parts pulled to check them (docker manifest only; the cleanup input). */
  removePulled: boolean
}

export type ImageStep = BuildStep | RetagStep | LoadStep | MergeStep

/**
 * How the tarball is compressed: a .tar.gz by pigz when it is installed (it uses
 * every core, and is about twice as fast as zlib on two: docs/benchmarks.md),
 * else by Node's zlib (both write standard gzip); a .tar.zst by zstd with every
 * core (`-T0`); `none` for a plain .tar.
 */
export type Compressor =
  { kind: 'none' } | { kind: 'zlib' } | { kind: 'pigz'; path: string } | { kind: 'zstd'; path: string }

/** `docker image save` of every target, compressed and written to the tarball. */
export interface SaveStep {
  target: SaveTarget
  refs: string[]
  compressor: Compressor
}

export interface Plan {
  /** One `docker login` per registry, in order, into this run's docker config. */
  logins: Login[]
  /** Keep the run's docker config (with the logins) for the later steps of the job. */
  keepLogin: boolean
  /**
   * The run gets its own docker config (removed when it ends): for its logins, and
   * for `docker manifest`, which keeps its lists there, so that a list another run
   * left, or is writing, is never this run's.
   */
  ownDockerConfig: boolean
  /** The local tags to remove once the image is pushed or saved (cleanup): by name:tag, never by ID. */
  cleanup: string[]
  builder: Builder
  /** Whether the build runs on BuildKit (buildx, or DOCKER_BUILDKIT=1 with an older CLI), not the classic builder. */
  buildkit: boolean
  image: ImageStep
  targets: Target[]
  /** The platforms asked for (`platforms`); empty for the engine's own, and for a retag. */
  platforms: string[]
  /**
   * One list per repository. The first push of a repository uploads its layers;
   * the others then only upload a manifest, so they wait for it. Repositories
   * are independent of each other.
   */
  pushes: Target[][]
  save: SaveStep | undefined
  /** Attempts for each login, pull and push (1: no retry). */
  attempts: number
  /** The version and the labels the image gets, for the outputs. */
  version: string
  labels: Record<string, string>
  /** Where relative paths in messages start (the workspace). */
  workspace: string
  summary: boolean
  /** Why push: true is not done (a fork's pull request without credentials), for the summary. */
  pushSkipped?: string
  /** cosign signs every pushed digest (its key and password are Secrets.cosign). */
  sign?: SignStep
}

/** Signing every pushed `repository@digest` with cosign (after the push phase: the digests come from it). */
export interface SignStep {
  mode: 'keyless' | 'key'
  tlogUpload: boolean
  /** A keyless signature's certificate identity (the workflow), for the verify command. */
  identity: string
}

/** What must never be printed: it goes to docker's standard input or the build's environment. */
export interface Secrets {
  /** The password of each login (plan.logins, in order), for `docker login --password-stdin`. */
  passwords: string[]
  /** The build process's environment: each build secret in its own variable (`--secret id=…,env=…`). */
  buildEnv: Record<string, string>
  /** The cosign process's environment (sign): the key and its password, or the OIDC token request. */
  cosignEnv: Record<string, string>
}
