import { describe, expect, it } from 'vitest';
import { baselineOf, computeUsage } from '../../lib/usage.js';
import { advance, GiB, makeStats, MiB, privateNetwork } from '../helpers/sample-factory.js';

const SECOND = 1e9;

describe('computeUsage: CPU', () => {
  it("applies Docker's formula: Δcontainer / Δhost × onlineCpus × 100 (one busy core = 100)", () => {
    const prev = makeStats();
    // 4 CPUs, 1 s: the host accumulates 4 s of CPU time; the container used 1 s of it.
    const usage = computeUsage(
      prev,
      advance(prev, { intervalNs: SECOND, cpuNs: SECOND, userNs: 0.75 * SECOND, systemNs: 0.25 * SECOND }),
    );
    expect(usage.cpu.percent).toBeCloseTo(100, 9);
    expect(usage.cpu.userPercent).toBeCloseTo(75, 9);
    expect(usage.cpu.systemPercent).toBeCloseTo(25, 9);
    expect(usage.reset).toBe(false);
    expect(usage.intervalNs).toBe(SECOND);
  });

  it('scales by host CPU time, not the wall clock', () => {
    const prev = makeStats();
    // /proc/stat says 2 s of host CPU time passed over 4 CPUs (0.5 s wall): 0.25 s of container time = 50 %.
    const next = advance(prev, { intervalNs: 0.5 * SECOND, hostCpuNs: 2 * SECOND, cpuNs: 0.25 * SECOND });
    expect(computeUsage(prev, next).cpu.percent).toBeCloseTo(50, 9);
  });

  it('falls back to the measured interval when /proc/stat did not move', () => {
    const prev = makeStats();
    const next = advance(prev, { intervalNs: 0.004 * SECOND, hostCpuNs: 0, cpuNs: 0.002 * SECOND });
    expect(computeUsage(prev, next).cpu.percent).toBeCloseTo(50, 9);
  });

  it('percentOfLimit is relative to the CFS quota', () => {
    const prev = makeStats({ cpu: { limitCores: 0.5 } });
    const usage = computeUsage(prev, advance(prev, { intervalNs: SECOND, cpuNs: 0.5 * SECOND }));
    expect(usage.cpu.percent).toBeCloseTo(50, 9);
    expect(usage.cpu.capacityCores).toBe(0.5);
    expect(usage.cpu.percentOfLimit).toBeCloseTo(100, 9);
  });

  it('percentOfLimit is relative to the cpuset when it is narrower than the online CPUs', () => {
    const prev = makeStats({ cpu: { cpusetCpus: 2 } });
    const usage = computeUsage(prev, advance(prev, { intervalNs: SECOND, cpuNs: SECOND }));
    expect(usage.cpu.capacityCores).toBe(2);
    expect(usage.cpu.percentOfLimit).toBeCloseTo(50, 9);
  });

  it('takes the smaller of quota and cpuset', () => {
    const prev = makeStats({ cpu: { cpusetCpus: 2, limitCores: 3 } });
    const usage = computeUsage(prev, advance(prev, { intervalNs: SECOND, cpuNs: SECOND }));
    expect(usage.cpu.capacityCores).toBe(2);
    expect(usage.cpu.percentOfLimit).toBeCloseTo(50, 9);
  });

  it('percentOfLimit is null when the container may use every CPU', () => {
    const prev = makeStats({ cpu: { cpusetCpus: 4, limitCores: null } });
    const usage = computeUsage(prev, advance(prev, { intervalNs: SECOND, cpuNs: SECOND }));
    expect(usage.cpu.percent).toBeCloseTo(100, 9);
    expect(usage.cpu.capacityCores).toBeNull();
    expect(usage.cpu.percentOfLimit).toBeNull();
  });
});

describe('computeUsage: rates', () => {
  it('divides by the measured interval, not a nominal one', () => {
    const prev = makeStats();
    // Polled "every second", but this read came 1.25 s after the previous one.
    const next = advance(prev, {
      intervalNs: 1.25 * SECOND,
      rxBytes: 125_000,
      txBytes: 25_000,
      rxPackets: 100,
      txPackets: 50,
      readBytes: 2_500_000,
      writeBytes: 1_250_000,
      readOps: 25,
      writeOps: 5,
    });
    const usage = computeUsage(prev, next);
    expect(usage.intervalNs).toBe(1.25 * SECOND);
    expect(usage.network).toEqual({
      rxBytesPerSec: 100_000,
      txBytesPerSec: 20_000,
      rxPacketsPerSec: 80,
      txPacketsPerSec: 40,
    });
    expect(usage.blkio).toEqual({
      readBytesPerSec: 2_000_000,
      writeBytesPerSec: 1_000_000,
      readOpsPerSec: 20,
      writeOpsPerSec: 4,
    });
  });

  it('Σ rate × interval gives back the counter delta', () => {
    let prev = makeStats();
    const first = prev;
    let sum = 0;
    for (const [intervalNs, rxBytes] of [
      [0.9e9, 1234],
      [1.3e9, 99_999],
      [1.01e9, 7],
    ] as const) {
      const next = advance(prev, { intervalNs, rxBytes });
      const usage = computeUsage(prev, next);
      sum += usage.network!.rxBytesPerSec! * (usage.intervalNs! / 1e9);
      prev = next;
    }
    expect(sum).toBeCloseTo(prev.network!.rxBytes! - first.network!.rxBytes!, 6);
  });
});

describe('computeUsage: baselines', () => {
  it('baselineOf keeps what the next usage needs: the same usage as from the whole previous sample', () => {
    const prev = makeStats();
    const cases = [
      advance(prev, {
        intervalNs: SECOND,
        cpuNs: SECOND / 2,
        rxBytes: 1000,
        txBytes: 10,
        readBytes: 4096,
        writeOps: 3,
      }),
      advance(prev, { intervalNs: SECOND, cpuNs: -5 * SECOND }),
      advance(prev, { intervalNs: SECOND, rxPackets: -1 }),
      { ...advance(prev, { intervalNs: SECOND }), cgroup: { ...prev.cgroup, inode: prev.cgroup.inode + 1 } },
      { ...advance(prev, { intervalNs: SECOND }), network: privateNetwork({ netns: prev.network!.netns + 1 }) },
    ];
    const kept = baselineOf(prev);
    expect(JSON.stringify(kept).length).toBeLessThan(JSON.stringify(prev).length);
    for (const next of cases) expect(computeUsage(kept, next)).toEqual(computeUsage(prev, next));
  });

  it('baselineOf(stats, reuse) writes over the given baseline: the same as a new one, network gained or lost', () => {
    const first = makeStats();
    const second = advance(first, { intervalNs: SECOND, cpuNs: SECOND / 4, rxBytes: 500 });
    const third = advance(second, { intervalNs: SECOND, cpuNs: SECOND / 2, rxBytes: 700 });
    const noNetwork = { ...advance(third, { intervalNs: SECOND }), network: null };
    const kept = baselineOf(first);
    for (const next of [second, third, noNetwork, third]) {
      const reused = baselineOf(next, kept);
      expect(reused).toBe(kept);
      expect(reused).toEqual(baselineOf(next));
    }
    // Written over, not shared: the next sample's figures land in the same object.
    const network = baselineOf(second, kept).network;
    expect(baselineOf(third, kept).network).toBe(network);
    expect(network?.rxBytes).toBe(third.network!.rxBytes);
  });

  it('a first sample has null rates but a memory percentage', () => {
    const usage = computeUsage(null, makeStats({ memory: { workingSet: 512 * MiB, limit: GiB } }));
    expect(usage.reset).toBe(false);
    expect(usage.intervalNs).toBeNull();
    expect(usage.cpu).toEqual({
      percent: null,
      percentOfLimit: null,
      capacityCores: null,
      userPercent: null,
      systemPercent: null,
    });
    expect(usage.network).toEqual({
      rxBytesPerSec: null,
      txBytesPerSec: null,
      rxPacketsPerSec: null,
      txPacketsPerSec: null,
    });
    expect(usage.blkio).toEqual({
      readBytesPerSec: null,
      writeBytesPerSec: null,
      readOpsPerSec: null,
      writeOpsPerSec: null,
    });
    expect(usage.memory).toEqual({ usage: 512 * MiB, limit: GiB, percent: 50 });
    expect(usage.pids).toEqual({ current: 3, limit: null });
    expect(computeUsage(undefined, makeStats()).cpu.percent).toBeNull();
  });

  it('a CPU counter that went backwards is a reset: no negative rate, every rate null', () => {
    const prev = makeStats();
    const next = advance(prev, { intervalNs: SECOND, cpuNs: -5 * SECOND, rxBytes: 1000 });
    const usage = computeUsage(prev, next);
    expect(usage.reset).toBe(true);
    expect(usage.cpu.percent).toBeNull();
    expect(usage.network!.rxBytesPerSec).toBeNull();
    expect(usage.blkio.readBytesPerSec).toBeNull();
  });

  it.each([
    ['block I/O bytes', { readBytes: -1 }],
    ['network bytes', { txBytes: -1 }],
    ['network packets', { rxPackets: -1 }],
    ['host CPU time', { hostCpuNs: -1 }],
  ])('%s going backwards is a reset', (_label, by) => {
    const prev = makeStats();
    const usage = computeUsage(prev, advance(prev, { intervalNs: SECOND, cpuNs: SECOND, ...by }));
    expect(usage.reset).toBe(true);
    expect(usage.cpu.percent).toBeNull();
  });

  it('a new cgroup inode under the same id is a reset, even when counters grew', () => {
    const prev = makeStats();
    const next = { ...advance(prev, { intervalNs: SECOND, cpuNs: SECOND }), cgroup: { ...prev.cgroup, inode: 2002 } };
    const usage = computeUsage(prev, next);
    expect(usage.reset).toBe(true);
    expect(usage.cpu.percent).toBeNull();
    expect(usage.memory.percent).not.toBeNull();
  });

  it('another id is a reset', () => {
    const prev = makeStats();
    const next = { ...advance(prev, { intervalNs: SECOND, cpuNs: SECOND }), id: 'b'.repeat(64) };
    expect(computeUsage(prev, next).reset).toBe(true);
  });

  it('another network namespace is a reset', () => {
    const prev = makeStats();
    const next = advance(prev, { intervalNs: SECOND, rxBytes: 10 });
    next.network = { ...next.network!, netns: 4026532999 };
    expect(computeUsage(prev, next).reset).toBe(true);
  });

  it('a clock that did not advance gives no rates and no reset', () => {
    const prev = makeStats();
    const usage = computeUsage(prev, advance(prev, { intervalNs: 0, cpuNs: 1 }));
    expect(usage.reset).toBe(false);
    expect(usage.intervalNs).toBeNull();
    expect(usage.cpu.percent).toBeNull();
  });
});

describe('computeUsage: memory', () => {
  it('an unlimited container is measured against the host memory', () => {
    const usage = computeUsage(null, makeStats({ memory: { workingSet: 2 * GiB, limit: null } }));
    expect(usage.memory).toEqual({ usage: 2 * GiB, limit: 8 * GiB, percent: 25 });
  });

  it('a limit above the host memory is capped at it', () => {
    const usage = computeUsage(null, makeStats({ memory: { workingSet: 4 * GiB, limit: 64 * GiB } }));
    expect(usage.memory.limit).toBe(8 * GiB);
    expect(usage.memory.percent).toBe(50);
  });

  it('uses the working set, not the raw usage', () => {
    const usage = computeUsage(
      null,
      makeStats({ memory: { usage: 900 * MiB, workingSet: 300 * MiB, limit: 1000 * MiB } }),
    );
    expect(usage.memory.usage).toBe(300 * MiB);
    expect(usage.memory.percent).toBeCloseTo(30, 9);
  });
});

describe('computeUsage: network', () => {
  it('is null for host networking', () => {
    const host = privateNetwork({ mode: 'host', rxBytes: null, txBytes: null, rxPackets: null, txPackets: null });
    const prev = makeStats({ network: host });
    const usage = computeUsage(prev, advance(prev, { intervalNs: SECOND, cpuNs: SECOND }));
    expect(usage.network).toBeNull();
    expect(usage.cpu.percent).toBeCloseTo(100, 9);
  });

  it('is null when network was not read', () => {
    const prev = makeStats({ network: null });
    expect(computeUsage(prev, advance(prev, { intervalNs: SECOND })).network).toBeNull();
  });

  it('has null rates when the previous sample had no network figures', () => {
    const prev = makeStats({ network: null });
    const next = { ...advance(prev, { intervalNs: SECOND, cpuNs: SECOND }), network: privateNetwork({ rxBytes: 5 }) };
    const usage = computeUsage(prev, next);
    expect(usage.reset).toBe(false);
    expect(usage.cpu.percent).toBeCloseTo(100, 9);
    expect(usage.network).toEqual({
      rxBytesPerSec: null,
      txBytesPerSec: null,
      rxPacketsPerSec: null,
      txPacketsPerSec: null,
    });
  });
});
