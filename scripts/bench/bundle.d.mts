// Types of scripts/bench/bundle.mjs, for the unit tests that import it.

/** Whether action.yml (or the given inputs) has an input of this name. */
export declare function hasInput(name: string, inputs?: { name: string }[]): boolean
