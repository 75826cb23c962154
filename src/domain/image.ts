// What the stages hand each other about the image: the references it gets, what
// was pushed and saved, its platforms and its build's cache. Pure types and the
// few rules every stage shares about them (the platform and tarball names).
import type { Repository } from './reference.js'

/** One full reference the image gets: repository × tag. */
export interface Target {
  repository: Repository
  tag: string
  /** `localhost:5000/app:v1` */
  ref: string
}

/** A target the registry has: the manifest (or index) digest it reported. */
export interface Pushed {
  target: Target
  digest: string
}

export interface PlatformDigest {
  /** `linux/arm64`, `linux/arm/v7` */
  platform: string
  digest: string | null
}

/** A platform as docker writes one: `os/arch[/variant]`, lowercase. */
export function isPlatform(value: string): boolean {
  return /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_]+)?$/.test(value)
}

interface Descriptor {
  digest?: unknown
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown }
}

/**
 * Each platform's manifest digest in an index as a registry serves it
 * (attestations, `unknown/unknown`, left out); a plain manifest is its own, for
 * each platform `asked`.
 */
export function platformsOf(manifest: unknown, digest: string, asked: string[]): PlatformDigest[] {
  const entries = (manifest as { manifests?: unknown } | null)?.manifests
  if (!Array.isArray(entries)) return asked.map((platform) => ({ platform, digest }))
  return (entries as Descriptor[]).flatMap((d) => {
    const p = d.platform
    if (typeof d.digest !== 'string' || typeof p?.os !== 'string' || typeof p.architecture !== 'string') return []
    if (p.os === 'unknown') return []
    const variant = typeof p.variant === 'string' && p.variant !== '' ? `/${p.variant}` : ''
    return [{ platform: `${p.os}/${p.architecture}${variant}`, digest: d.digest }]
  })
}

/** How a tarball is compressed, by its name: `.tar`, `.tar.gz`/`.tgz` (gzip) or `.tar.zst` (zstd). */
export type TarballFormat = 'tar' | 'gzip' | 'zstd'

export const TARBALL_NAMES = '.tar, .tar.gz, .tgz or .tar.zst'

/** The format a file name says, or undefined when it is no tarball name. */
export function formatOf(file: string): TarballFormat | undefined {
  const lower = file.toLowerCase()
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'gzip'
  if (lower.endsWith('.tar.zst')) return 'zstd'
  if (lower.endsWith('.tar')) return 'tar'
  return undefined
}

/** What compresses a tarball: pigz or zstd (every core), Node's zlib (one thread), or nothing. */
export type CompressorKind = 'none' | 'zlib' | 'pigz' | 'zstd'

/** A tarball the run wrote. */
export interface Tarball {
  path: string
  /** sha256 of the file as written. */
  digest: string
  size: number
  compressor: CompressorKind
}

/** Steps of a build (a FROM is none) and how many of them the builder took from its cache. */
export interface BuildCache {
  steps: number
  cached: number
}
