/**
 * What `bench:hls-load` prints beside its percentiles, to tell apart the causes of a late tail:
 * - the origin's core busy with more than the origin (other processes, interrupts), from /proc/stat;
 * - loopback TCP losing time (retransmissions, packets dropped from the kernel's backlog), from
 *   /proc/net: a dropped packet costs at least TCP's 200 ms retransmission timeout;
 * - whether the late deliveries are a few parts late for everyone (the origin or the driver
 *   stood still) or spread over many parts (the burst itself is too long).
 * The /proc counters are the whole machine's, so other work on loopback shows in them too.
 */
import { readFileSync } from 'node:fs';
import { TICKS_PER_SECOND } from './load-process.ts';

export interface MachineCounters {
  at: number;
  /** Per CPU: busy ticks (everything but idle and iowait), the part spent in irq + softirq, and steal (the hypervisor ran something else). */
  cpus: { busy: number; interrupts: number; steal: number }[];
  tcpRetransmissions: number;
  backlogDrops: number;
}

export function machineCounters(): MachineCounters {
  const cpus = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
      return { busy: user! + nice! + system! + irq! + softirq! + steal!, interrupts: irq! + softirq!, steal: steal! };
    });
  // /proc/net/snmp: a "Tcp:" header line, then a "Tcp:" values line.
  const tcp = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Tcp:'));
  const names = tcp[0]!.split(/\s+/);
  const values = tcp[1]!.split(/\s+/);
  const tcpRetransmissions = Number(values[names.indexOf('RetransSegs')]);
  // /proc/net/softnet_stat: one line per CPU, hex columns; the second is packets dropped because
  // the CPU's input backlog (net.core.netdev_max_backlog) was full.
  const backlogDrops = readFileSync('/proc/net/softnet_stat', 'utf8')
    .trim()
    .split('\n')
    .reduce((sum, line) => sum + parseInt(line.trim().split(/\s+/)[1]!, 16), 0);
  return { at: Date.now(), cpus, tcpRetransmissions, backlogDrops };
}

/** What happened on the machine between two snapshots, per core as fractions of that core. */
export function machineWindow(from: MachineCounters, to: MachineCounters) {
  const seconds = (to.at - from.at) / 1000;
  const cores = to.cpus.map((cpu, i) => ({
    busy: +((cpu.busy - from.cpus[i]!.busy) / TICKS_PER_SECOND / seconds).toFixed(2),
    interrupts: +((cpu.interrupts - from.cpus[i]!.interrupts) / TICKS_PER_SECOND / seconds).toFixed(2),
    steal: +((cpu.steal - from.cpus[i]!.steal) / TICKS_PER_SECOND / seconds).toFixed(2),
  }));
  return { cores, tcpRetransmissions: to.tcpRetransmissions - from.tcpRetransmissions, backlogDrops: to.backlogDrops - from.backlogDrops };
}

/**
 * The late deliveries (over `lateMs`) and how they fall on parts: `stalledParts` are parts whose
 * median delivery was late (every viewer waited: something stood still), the rest of the late
 * deliveries are the burst's own tail.
 */
export function lateness(delaysByPart: Map<string, number[]>, lateMs: number) {
  let late = 0;
  let lateInStalledParts = 0;
  const stalled: { part: string; medianMs: number; maxMs: number }[] = [];
  for (const [part, delays] of delaysByPart) {
    delays.sort((a, b) => a - b);
    if (delays.at(-1)! <= lateMs) continue;
    const lateHere = delays.length - delays.findIndex((d) => d > lateMs);
    late += lateHere;
    const median = delays[Math.floor(delays.length / 2)]!;
    if (median > lateMs) {
      lateInStalledParts += lateHere;
      stalled.push({ part, medianMs: Math.round(median), maxMs: Math.round(delays.at(-1)!) });
    }
  }
  stalled.sort((a, b) => b.medianMs - a.medianMs);
  return { lateDeliveries: late, partsWithLateDeliveries: [...delaysByPart.values()].filter((d) => d.at(-1)! > lateMs).length, lateInStalledParts, stalledParts: stalled.length, worstStalled: stalled.slice(0, 3) };
}

/**
 * Samples, every 100 ms through the window, how much of core 0 went to something other than the
 * origin (other processes, interrupts): the busiest second tells whether a stall of the origin was
 * another job's burst on its core. /proc counts in 10 ms ticks, so one second is read to ±0.02.
 */
export class CoreSharing {
  private readonly samples: { at: number; core: number; origin: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly originPid: number, private readonly originCpuSeconds: (pid: number) => number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.sample();
  }

  private sample(): void {
    this.samples.push({ at: Date.now(), core: machineCounters().cpus[0]!.busy / TICKS_PER_SECOND, origin: this.originCpuSeconds(this.originPid) });
  }

  /** Stops sampling; returns the share of core 0 that was not the origin in the busiest second, and when (ms after the start). */
  stop(): { busiestSecond: number; atMs: number } {
    clearInterval(this.timer);
    this.sample();
    let busiest = { busiestSecond: 0, atMs: 0 };
    let j = 0;
    for (let i = 0; i < this.samples.length; i += 1) {
      while (j < this.samples.length && this.samples[j]!.at - this.samples[i]!.at < 1000) j += 1;
      if (j >= this.samples.length) break;
      const [a, b] = [this.samples[i]!, this.samples[j]!];
      const other = (b.core - a.core - (b.origin - a.origin)) / ((b.at - a.at) / 1000);
      if (other > busiest.busiestSecond) busiest = { busiestSecond: +other.toFixed(2), atMs: a.at - this.samples[0]!.at };
    }
    return busiest;
  }
}
