import { describe, expect, it } from '@jest/globals'
import { limiter, settleAll } from '../../../src/docker/limit.js'

/** A promise the test settles by hand. */
function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void; reject(err: unknown): void } {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** `count` tasks through `limit`, each waiting for its own gate; records when each starts and how many run. */
function gatedTasks(limit: ReturnType<typeof limiter>, count: number) {
  const gates = Array.from({ length: count }, () => deferred<number>())
  const started: number[] = []
  let running = 0
  let most = 0
  const results = gates.map((gate, i) =>
    limit(async () => {
      started.push(i)
      running++
      most = Math.max(most, running)
      try {
        return await gate.promise
      } finally {
        running--
      }
    })
  )
  return { gates, started, results, most: () => most, running: () => running }
}

describe('limiter', () => {
  it('runs at most `limit` tasks at once, and the next as soon as one ends', async () => {
    const tasks = gatedTasks(limiter(2), 5)
    await flush()
    expect(tasks.started).toEqual([0, 1])
    tasks.gates[1].resolve(1)
    await flush()
    expect(tasks.started).toEqual([0, 1, 2])
    for (const [i, gate] of tasks.gates.entries()) gate.resolve(i)
    await expect(Promise.all(tasks.results)).resolves.toEqual([0, 1, 2, 3, 4])
    expect(tasks.most()).toBe(2)
  })

  it('starts the waiting tasks in the order they were given', async () => {
    const tasks = gatedTasks(limiter(1), 4)
    await flush()
    // The last-given task's gate opens first: it still waits for its turn.
    for (const i of [3, 2, 1, 0]) tasks.gates[i].resolve(i)
    await Promise.all(tasks.results)
    expect(tasks.started).toEqual([0, 1, 2, 3])
    expect(tasks.most()).toBe(1)
  })

  it('frees the slot of a task that rejects, and passes the rejection on', async () => {
    const tasks = gatedTasks(limiter(1), 2)
    await flush()
    tasks.gates[0].reject(new Error('push failed'))
    await expect(tasks.results[0]).rejects.toThrow('push failed')
    await flush()
    expect(tasks.started).toEqual([0, 1])
    tasks.gates[1].resolve(7)
    await expect(tasks.results[1]).resolves.toBe(7)
  })

  it('frees the slot of a task that throws before its first await', async () => {
    const limit = limiter(1)
    await expect(
      limit(() => {
        throw new Error('at once')
      })
    ).rejects.toThrow('at once')
    await expect(limit(async () => 'next')).resolves.toBe('next')
  })

  it('keeps separate limiters separate', async () => {
    const a = gatedTasks(limiter(1), 2)
    const b = gatedTasks(limiter(1), 2)
    await flush()
    expect([a.started, b.started]).toEqual([[0], [0]])
    for (const gate of [...a.gates, ...b.gates]) gate.resolve(0)
    await Promise.all([...a.results, ...b.results])
  })
})

describe('settleAll', () => {
  it('gives the values in the order of the promises, not of their ending', async () => {
    const first = deferred<string>()
    const second = deferred<string>()
    const all = settleAll([first.promise, second.promise, Promise.resolve('third')])
    second.resolve('second')
    await flush()
    first.resolve('first')
    await expect(all).resolves.toEqual(['first', 'second', 'third'])
  })

  it('waits for every promise after one has failed, then throws that failure', async () => {
    const slow = deferred<string>()
    let settled = false
    const all = settleAll([Promise.reject(new Error('first failure')), slow.promise]).finally(() => {
      settled = true
    })
    await flush()
    expect(settled).toBe(false)
    slow.resolve('done')
    await expect(all).rejects.toThrow('first failure')
  })

  it('throws the failure of the first promise in the list, whichever failed first in time', async () => {
    const early = deferred<string>()
    const late = deferred<string>()
    const all = settleAll([late.promise, early.promise])
    early.reject(new Error('failed first in time'))
    await flush()
    late.reject(new Error('first in the list'))
    await expect(all).rejects.toThrow('first in the list')
  })

  it('gives an empty list for no promises', async () => {
    await expect(settleAll([])).resolves.toEqual([])
  })
})
