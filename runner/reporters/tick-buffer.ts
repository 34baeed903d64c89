/**
 * Coalesces the writes made within one turn of the event loop into one write, in order. A task
 * ending and its dependents starting print several lines at once; one write(2) for them instead
 * of one each is most of what printing costs on a large graph (two lines per task on stdout and
 * two in run.log). The buffer is written at the next setImmediate, when it reaches 64 KiB, on
 * flush(), and at process exit.
 */
export class TickBuffer {
  private parts: string[] = [];
  private size = 0;
  private scheduled = false;

  constructor(
    private readonly sink: (s: string) => void,
    private readonly limit = 1 << 16,
  ) {
    process.once('exit', this.flush);
  }

  readonly write = (s: string): void => {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.limit) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  readonly flush = (): void => {
    this.scheduled = false;
    if (!this.parts.length) return;
    const s = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.sink(s);
  };

  /** Writes what is buffered and stops flushing at exit. */
  close(): void {
    this.flush();
    process.off('exit', this.flush);
  }
}
