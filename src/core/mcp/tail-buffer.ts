/** The last `limit` characters of a stream of text, cut at a line start when possible. */
export class TailBuffer {
  private data = '';

  constructor(private readonly limit: number) {}

  append(chunk: string): void {
    this.data += chunk;
    if (this.data.length > this.limit * 2) this.data = this.data.slice(-this.limit);
  }

  text(): string {
    if (this.data.length <= this.limit) return this.data.trimEnd();
    const tail = this.data.slice(-this.limit);
    const nl = tail.indexOf('\n');
    return (nl >= 0 && nl < tail.length - 1 ? tail.slice(nl + 1) : tail).trimEnd();
  }

  clear(): void {
    this.data = '';
  }
}
