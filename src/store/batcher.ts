/**
 * Collects the calls made while one batch runs (or within the current turn of the event loop) and serves them
 * with one call of `run`: webhook deliveries that arrive together are inserted with one statement and one
 * commit. Each caller gets its own answer; when `run` fails, every caller of that batch gets the error.
 */
export class Batcher<In, Out> {
  #pending: { input: In; resolve: (out: Out) => void; reject: (reason: unknown) => void }[] = [];
  #running = 0;
  #scheduled = false;

  /**
   * `run` answers each input, in order. At most `concurrency` batches run at once: 1 where writes are serialised
   * anyway (SQLite), more where the database takes several at once (a PostgreSQL pool).
   */
  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly concurrency = 1,
    private readonly maxBatch = 256,
  ) {}

  call(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running >= this.concurrency || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    this.#running++;
    try {
      const outs = await this.run(batch.map((item) => item.input));
      for (const [i, item] of batch.entries()) item.resolve(outs[i]!);
    } catch (error) {
      for (const item of batch) item.reject(error);
    } finally {
      this.#running--;
      // What arrived while this batch ran goes next, together.
      if (this.#pending.length > 0) this.#schedule();
    }
  }
}
