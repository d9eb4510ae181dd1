// Folds many small writes of the same kind into one statement: a fan-out to thousands of agents
// made one claim and one accept UPDATE per device, and DPoP replay keys one INSERT per request.

export interface StatementBatcher<I, O> {
  /** Resolves with this item's share of the batch result; rejects when its batch failed. */
  add(item: I): Promise<O>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
}

/**
 * Items added in one turn of the event loop (and while a batch runs) go out together, at most
 * `max` per statement and one statement at a time. `run` answers one output per item, in order.
 */
export function createStatementBatcher<I, O>(run: (items: I[]) => Promise<O[]>, options: { readonly max: number }): StatementBatcher<I, O> {
  let queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  let running: Promise<void> | null = null;

  const drain = async () => {
    while (queue.length) {
      const batch = queue.slice(0, options.max);
      queue = queue.slice(batch.length);
      try {
        const out = await run(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(out[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
  };
  const start = () => {
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(drain)
      .finally(() => {
        running = null;
        // Items added by continuations of the last batch, after its loop saw an empty queue.
        if (queue.length) start();
      });
  };

  return {
    add(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!running) start();
      });
    },
    async idle() {
      while (running) await running;
    },
  };
}
