// Pressure stall information (Documentation/accounting/psi.rst): cpu/memory/io.pressure of a cgroup2
// directory; on a hybrid host they come from the container's directory in the unified hierarchy.
import { defineController, optional } from '../controller.js';
import { parsePressureNumbers, pressureLineAt, PRESSURE_LINE_NUMBERS } from '../parse.js';
import type { LazySource } from '../../io/lazy-property.js';
import type { FileTokens } from '../../io/tokens.js';
import type { PressureResource, PressureStats } from '../../types.js';

/** Missing before 4.20, without CONFIG_PSI or with cgroup.pressure=0; EOPNOTSUPP when booted psi=0. */
const NO_PSI = 'Linux 4.20+ with CONFIG_PSI, not booted psi=0, not cgroup.pressure=0';

const RESOURCES = ['cpu', 'memory', 'io'] as const;

/**
 * A sample's pressure as read: the numbers of the lines there are, made into PressureStats when read (a sample's
 * `pressure` is a lazy property: nine objects per container that most samples never look at).
 */
export class PressureSource implements LazySource<PressureStats> {
  /** Bit 2r: resource r's file was read; bit 2r + 1: it has a `full` line. */
  readonly #lines: number;
  /** The lines' numbers (parsePressureNumbers), file after file. */
  readonly #numbers: number[];
  #made: PressureStats | null = null;

  constructor(lines: number, numbers: number[]) {
    this.#lines = lines;
    this.#numbers = numbers;
  }

  value(): PressureStats {
    if (this.#made === null) {
      let at = 0;
      const resource = (r: number): PressureResource | null => {
        if ((this.#lines & (1 << (2 * r))) === 0) return null;
        const some = pressureLineAt(this.#numbers, at);
        at += PRESSURE_LINE_NUMBERS;
        if ((this.#lines & (1 << (2 * r + 1))) === 0) return { some, full: null };
        const full = pressureLineAt(this.#numbers, at);
        at += PRESSURE_LINE_NUMBERS;
        return { some, full };
      };
      const cpu = resource(0);
      const memory = resource(1);
      this.#made = { cpu, memory, io: resource(2) };
    }
    return this.#made;
  }
}

function pressureController<V extends 1 | 2>(version: V) {
  return defineController({
    field: 'pressure',
    version,
    // PSI files are not a controller's: every cgroup2 directory has them, also beside v1 hierarchies.
    hierarchy: 'unified',
    optional: true,
    files: () => RESOURCES.map((resource) => optional(`${resource}.pressure`, NO_PSI)),
    /** null when none of the three files can be read. */
    read(files) {
      // Room for every line, made once (growing an array as it is filled makes it again and again).
      const numbers = new Array<number>(RESOURCES.length * 2 * PRESSURE_LINE_NUMBERS);
      let at = 0;
      const parse = (tokens: FileTokens): boolean => parsePressureNumbers(tokens, numbers, at);
      let lines = 0;
      for (let r = 0; r < RESOURCES.length; r++) {
        const full = files.parseOptional(`${RESOURCES[r]!}.pressure`, parse);
        if (full === null) continue;
        lines |= 1 << (2 * r);
        at += PRESSURE_LINE_NUMBERS;
        if (full) {
          lines |= 1 << (2 * r + 1);
          at += PRESSURE_LINE_NUMBERS;
        }
      }
      return lines === 0 ? null : new PressureSource(lines, numbers);
    },
  });
}

export const pressureV1 = pressureController(1);
export const pressureV2 = pressureController(2);
