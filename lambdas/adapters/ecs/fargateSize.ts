/** A task size Fargate accepts: CPU units (1024 = 1 vCPU) and memory in MiB. */
export interface FargateSize {
  cpu: number;
  memoryMiB: number;
}

const GiB = 1024;
const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/** Fargate's Linux CPU/memory combinations, smallest first. */
export const FargateSizes: ReadonlyArray<{ cpu: number; memoryMiB: readonly number[] }> = [
  { cpu: 256, memoryMiB: [512, 1 * GiB, 2 * GiB] },
  { cpu: 512, memoryMiB: range(1 * GiB, 4 * GiB, GiB) },
  { cpu: 1024, memoryMiB: range(2 * GiB, 8 * GiB, GiB) },
  { cpu: 2048, memoryMiB: range(4 * GiB, 16 * GiB, GiB) },
  { cpu: 4096, memoryMiB: range(8 * GiB, 30 * GiB, GiB) },
  { cpu: 8192, memoryMiB: range(16 * GiB, 60 * GiB, 4 * GiB) },
  { cpu: 16384, memoryMiB: range(32 * GiB, 120 * GiB, 8 * GiB) },
];

/** Whether Fargate accepts this exact CPU/memory pair. */
export const isFargateSize = (cpu: number, memoryMiB: number): boolean =>
  FargateSizes.some((s) => s.cpu === cpu && s.memoryMiB.includes(memoryMiB));

/**
 * The smallest Fargate size with at least `vcpu` CPUs and `memoryMb` MiB: Fargate only runs fixed
 * combinations, so a job asking for 0.5 vCPU and 512 MiB gets 0.5 vCPU and 1 GiB.
 * @returns undefined when the request exceeds the largest size.
 */
export const fargateSizeFor = (vcpu: number, memoryMb: number): FargateSize | undefined => {
  const cpuUnits = Math.ceil(vcpu * 1024);
  for (const size of FargateSizes) {
    if (size.cpu < cpuUnits) continue;
    const memoryMiB = size.memoryMiB.find((m) => m >= memoryMb);
    if (memoryMiB !== undefined) return { cpu: size.cpu, memoryMiB };
  }
  return undefined;
};
