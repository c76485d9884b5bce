/**
 * Node capacity table and best-fit bin-packing, the way kube-scheduler's MostAllocated scoring packs pods:
 * among ready, schedulable nodes where the pod's (cpu, memory) requests fit and the pod count is below
 * maxPods, pick the one left with the least free capacity (normalised cpu + memory). Nothing fits → Pending.
 * Struct-of-arrays so 10,000 nodes are a handful of typed arrays.
 */
export class NodeTable {
  size = 0;
  cpuAlloc = new Float64Array(16);
  memAlloc = new Float64Array(16);
  cpuReq = new Float64Array(16);
  memReq = new Float64Array(16);
  pods = new Int32Array(16);
  maxPods = new Int32Array(16);
  /** 1 when the node is Ready and not cordoned. */
  schedulable = new Uint8Array(16);

  /** Appends a node (unschedulable until marked) and returns its index. */
  add(cpuAlloc: number, memAlloc: number, maxPods: number): number {
    if (this.size === this.cpuAlloc.length) this.grow(this.size * 2);
    const i = this.size++;
    this.cpuAlloc[i] = cpuAlloc;
    this.memAlloc[i] = memAlloc;
    this.maxPods[i] = maxPods;
    return i;
  }

  private grow(n: number): void {
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.cpuAlloc = g(this.cpuAlloc, (k) => new Float64Array(k));
    this.memAlloc = g(this.memAlloc, (k) => new Float64Array(k));
    this.cpuReq = g(this.cpuReq, (k) => new Float64Array(k));
    this.memReq = g(this.memReq, (k) => new Float64Array(k));
    this.pods = g(this.pods, (k) => new Int32Array(k));
    this.maxPods = g(this.maxPods, (k) => new Int32Array(k));
    this.schedulable = g(this.schedulable, (k) => new Uint8Array(k));
  }

  fits(i: number, cpu: number, mem: number): boolean {
    return (
      this.schedulable[i] === 1 &&
      this.pods[i] < this.maxPods[i] &&
      this.cpuReq[i] + cpu <= this.cpuAlloc[i] &&
      this.memReq[i] + mem <= this.memAlloc[i]
    );
  }

  /** Best fit: the fitting node with the least normalised free capacity left; ties → lowest index. −1 if none. */
  bestFit(cpu: number, mem: number): number {
    let best = -1;
    let bestScore = Infinity;
    for (let i = 0; i < this.size; i++) {
      if (!this.fits(i, cpu, mem)) continue;
      const score = (this.cpuAlloc[i] - this.cpuReq[i] - cpu) / this.cpuAlloc[i] + (this.memAlloc[i] - this.memReq[i] - mem) / this.memAlloc[i];
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  place(i: number, cpu: number, mem: number): void {
    this.cpuReq[i] += cpu;
    this.memReq[i] += mem;
    this.pods[i]++;
  }

  release(i: number, cpu: number, mem: number): void {
    // Clamp tiny negative float residue so an empty node reads exactly empty.
    this.cpuReq[i] = this.pods[i] === 1 ? 0 : Math.max(0, this.cpuReq[i] - cpu);
    this.memReq[i] = this.pods[i] === 1 ? 0 : Math.max(0, this.memReq[i] - mem);
    this.pods[i]--;
  }
}
