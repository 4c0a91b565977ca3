// Docker: cgroups "/docker/<id>" (cgroupfs driver) and "docker-<id>.scope" (systemd driver, also inside a
// pod slice under the old dockershim); who a container is from its config.v2.json and hostconfig.json.
import { join } from 'node:path';
import { HEX64, HEX64_GLOB } from './ids.js';
import { podUidOf } from './kubernetes.js';
import { isRecord, labelsOf, stringOf, type StateFileKind } from './state-files.js';
import type { RuntimePaths } from './types.js';

const DOCKER_SCOPE = /^docker-([0-9a-f]{64})\.scope$/;

export const dockerPaths: RuntimePaths = {
  leafGlobs: [`docker-${HEX64_GLOB}.scope`, HEX64_GLOB],
  classify(segments, index) {
    const segment = segments[index]!;
    const parent = segments[index - 1];
    const scope = DOCKER_SCOPE.exec(segment);
    if (scope) {
      const podUid = podUidOf(parent, segments.slice(0, index - 1));
      return {
        runtime: 'docker',
        id: scope[1]!,
        name: null,
        sandbox: podUid === null ? false : null,
        podUid,
        containerdNamespace: null,
      };
    }
    if (parent === 'docker' && HEX64.test(segment))
      return { runtime: 'docker', id: segment, name: null, sandbox: false, podUid: null, containerdNamespace: null };
    return null;
  },
};

export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';

/** What Docker's config.v2.json says of a container. */
export interface DockerConfig {
  name: string | null;
  image: string | null;
  imageId: string | null;
  labels: Record<string, string>;
}

export const DOCKER_CONFIG: StateFileKind<DockerConfig> = {
  name: 'Docker config.v2.json',
  parse(json) {
    if (!isRecord(json)) return null;
    const config = isRecord(json['Config']) ? json['Config'] : {};
    const name = stringOf(json['Name'], 256);
    return {
      // Stored as "/name".
      name: name === null ? null : name.replace(/^\//, '') || null,
      image: stringOf(config['Image']),
      imageId: stringOf(json['Image'], 256),
      labels: labelsOf(config['Labels']),
    };
  },
};

/** What Docker's hostconfig.json says: whose network namespace the container joined ("container:<id>"). */
export interface DockerHostConfig {
  networkOwner: string | null;
  hostNetwork: boolean | null;
}

export const DOCKER_HOST_CONFIG: StateFileKind<DockerHostConfig> = {
  name: 'Docker hostconfig.json',
  parse(json) {
    if (!isRecord(json)) return null;
    const mode = stringOf(json['NetworkMode'], 256);
    // The daemon stores the owner's full id.
    const owner = mode?.startsWith('container:') ? mode.slice('container:'.length) : null;
    return {
      networkOwner: owner !== null && HEX64.test(owner) ? owner : null,
      hostNetwork: mode === null ? null : mode === 'host',
    };
  },
};

/** The state files of a container (its id checked before it becomes a path component). */
export function dockerStateFiles(root: string, id: string): { config: string; hostConfig: string } | null {
  if (!HEX64.test(id)) return null;
  const dir = join(root, 'containers', id);
  return { config: join(dir, 'config.v2.json'), hostConfig: join(dir, 'hostconfig.json') };
}
