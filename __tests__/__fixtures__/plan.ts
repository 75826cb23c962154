// The plan's side of the unit tests: the facts makePlan is given about the machine.
import type { PlanFacts } from '../../src/plan/plan.js'
import { WORKSPACE } from './environment.js'

/** The plan's facts of a buildx machine without pigz or zstd, with its files under /t. */
export const PLAN_FACTS: PlanFacts = {
  buildx: true,
  buildkitEnv: false,
  workspace: WORKSPACE,
  iidFile: '/t/iid',
  metadataFile: '/t/m',
  pigz: undefined,
  zstd: undefined
}

/** PLAN_FACTS on a machine with zstd. */
export const PLAN_FACTS_ZSTD: PlanFacts = { ...PLAN_FACTS, zstd: '/usr/bin/zstd' }
