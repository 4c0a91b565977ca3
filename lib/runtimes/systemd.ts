// systemd unit names as cgroup directories.
import { SAFE_NAME } from './ids.js';

/** Undoes systemd's unit-name escaping (\x2d for "-"); null when the result could not be a machine name. */
export function unescapeSystemdName(escaped: string): string | null {
  const name = escaped.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return SAFE_NAME.test(name) ? name : null;
}

/** A directory systemd made for a unit (slice, scope, service, ...), which no runtime names a namespace or container after. */
export function isUnitName(segment: string): boolean {
  return /\.(?:slice|scope|service|mount|socket|target|swap|device|path|timer)$/.test(segment);
}
