// Pressure stall information (Documentation/accounting/psi.rst): cpu/memory/io.pressure of a cgroup2
// directory; on a hybrid host they come from the container's directory in the unified hierarchy.
import { defineController, optional } from '../controller.js';
import { parsePressureNumbers, pressureLineAt, PRESSURE_LINE_NUMBERS } from '../parse.js';
import { doubleArray } from '../../io/double-array.js';
import type { LazySource } from '../../io/lazy-property.js';
import type { FileTokens } from '../../io/tokens.js';
import type { PressureResource, PressureStats } from '../../types.js';

/** Missing before 4.20, without CONFIG_PSI or with cgroup.pressure=0; EOPNOTSUPP when booted psi=0. */
const NO_PSI = 'Linux 4.20+ with CONFIG_PSI, not booted psi=0, not cgroup.pressure=0';

const RESOURCES = ['cpu', 'memory', 'io'] as const;

/** Numbers per resource: its `some` line's, then room for its `full` line's (parsePressureNumbers). */
const RESOURCE_NUMBERS = 2 * PRESSURE_LINE_NUMBERS;

/**
 * A sample's pressure as read: the numbers of the lines there are, made into PressureStats when read (a sample's
 * `pressure` is a lazy property: nine objects per container that most samples never look at).
 */
export class PressureSource implements LazySource<PressureStats> {
  /** Bit 2r: resource r's file was read; bit 2r + 1: it has a `full` line. */
  readonly #lines: number;
  /** Resource r's numbers from r × RESOURCE_NUMBERS on. */
  readonly #numbers: number[];
  #made: PressureStats | null = null;

  constructor(lines: number, numbers: number[]) {
    this.#lines = lines;
    this.#numbers = numbers;
  }

  value(): PressureStats {
    this.#made ??= { cpu: this.#resource(0), memory: this.#resource(1), io: this.#resource(2) };
    return this.#made;
  }

  #resource(r: number): PressureResource | null {
    if ((this.#lines & (1 << (2 * r))) === 0) return null;
    const at = r * RESOURCE_NUMBERS;
    return {
      some: pressureLineAt(this.#numbers, at),
      full: (this.#lines & (1 << (2 * r + 1))) === 0 ? null : pressureLineAt(this.#numbers, at + PRESSURE_LINE_NUMBERS),
    };
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
      // Room for every line, made once.
      const numbers = doubleArray(RESOURCES.length * RESOURCE_NUMBERS);
      // One parser for the three files (a closure per file would be three per container): r says where to write.
      let r = 0;
      const parse = (tokens: FileTokens): boolean => parsePressureNumbers(tokens, numbers, r * RESOURCE_NUMBERS);
      let lines = 0;
      for (; r < RESOURCES.length; r++) {
        const full = files.parseOptional(`${RESOURCES[r]!}.pressure`, parse);
        if (full === null) continue;
        lines |= (full ? 3 : 1) << (2 * r);
      }
      return lines === 0 ? null : new PressureSource(lines, numbers);
    },
  });
}

export const pressureV1 = pressureController(1);
export const pressureV2 = pressureController(2);
