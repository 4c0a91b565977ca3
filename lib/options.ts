// Every option of the public API checked once, where it enters, with a typed error naming the option:
// InvalidOptionError (code ERR_INVALID_OPTION, `option` the name the caller used). Paths must be
// absolute (a relative one would silently mean the working directory), counts finite integers.
import { InvalidOptionError } from './errors.js';
import type { HostOptions } from './types.js';

/** The options object itself: undefined means none; anything but a plain object is refused. */
export function optionsObject<T extends object>(options: T | undefined, what = 'options'): T | Record<string, never> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(
      what,
      `expected an object or undefined; got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  return options;
}

/** An absolute path with no NUL byte, or undefined. */
export function absolutePath(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.startsWith('/') || value.includes('\0') || value.length > 4096) {
    throw new InvalidOptionError(option, `expected an absolute path; got ${describe(value)}`);
  }
  return value;
}

export function absolutePaths(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 64)
    throw new InvalidOptionError(option, `expected an array of absolute paths; got ${describe(value)}`);
  return value.map((entry, i) => absolutePath(entry, `${option}[${i}]`)!);
}

export function booleanOption(value: unknown, option: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidOptionError(option, `expected true or false; got ${describe(value)}`);
}

/** An integer from min to max, or undefined. */
export function integerOption(value: unknown, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `expected an integer from ${min} to ${max}; got ${describe(value)}`);
  }
  return value;
}

/** A finite number from min to max, or undefined. */
export function numberOption(value: unknown, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidOptionError(option, `expected a number from ${min} to ${max}; got ${describe(value)}`);
  }
  return value;
}

/** HostOptions checked: the roots absolute paths. */
export function hostOptions(options: HostOptions | undefined): HostOptions {
  const given = optionsObject(options) as HostOptions;
  return {
    procRoot: absolutePath(given.procRoot, 'procRoot'),
    sysRoot: absolutePath(given.sysRoot, 'sysRoot'),
    dockerRoot: absolutePath(given.dockerRoot, 'dockerRoot'),
    podmanRoots: absolutePaths(given.podmanRoots, 'podmanRoots'),
    containerdRoots: absolutePaths(given.containerdRoots, 'containerdRoots'),
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
