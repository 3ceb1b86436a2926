/** A growable set of row numbers, one bit each: a million rows take 125 kB, so resume state stays flat. */
export class BitSet {
  private bits = new Uint8Array(1024);
  size = 0;

  has(n: number): boolean {
    return (this.bits[n >> 3]! & (1 << (n & 7))) !== 0;
  }

  add(n: number): void {
    if (n >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (n >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    if (!this.has(n)) {
      this.bits[n >> 3]! |= 1 << (n & 7);
      this.size++;
    }
  }

  delete(n: number): void {
    if (!this.has(n)) return;
    this.bits[n >> 3]! &= ~(1 << (n & 7));
    this.size--;
  }

  *values(): Generator<number> {
    for (let byte = 0; byte < this.bits.length; byte++) {
      if (this.bits[byte] === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (this.bits[byte]! & (1 << bit)) yield byte * 8 + bit;
    }
  }
}
