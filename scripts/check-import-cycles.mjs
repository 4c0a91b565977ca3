#!/usr/bin/env node
// Fails when lib/ has an import cycle, between files or between folders (lib/cgroup -> lib/discovery ->
// lib/cgroup is one even when no single file cycle exists). Type-only imports count too: they say which
// layer knows about which. Usage: node scripts/check-import-cycles.mjs [root=lib]
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const root = process.argv[2] ?? 'lib';
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = sources(root);
const edges = new Map(files.map((file) => [file, new Set()]));
for (const file of files) {
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
    if (edges.has(target)) edges.get(target === file ? file : file).add(target);
  }
}

/** Every cycle's members, by Tarjan's strongly connected components (components of one node with no self edge are not cycles). */
function cycles(graph) {
  let index = 0;
  const stack = [],
    onStack = new Set(),
    indices = new Map(),
    low = new Map(),
    found = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indices.get(next)));
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

// Folders: lib/x/... is folder "x"; files directly in lib/ are each their own unit (they are the top).
const folderOf = (file) => {
  const parts = relative(root, file).split('/');
  return parts.length > 1 ? parts[0] + '/' : parts[0];
};
const folders = new Map();
for (const [file, targets] of edges) {
  const from = folderOf(file);
  if (!folders.has(from)) folders.set(from, new Set());
  for (const target of targets) {
    const to = folderOf(target);
    if (to !== from) folders.get(from).add(to);
  }
}

const fileCycles = cycles(edges);
const folderCycles = cycles(folders).filter((component) => component.some((unit) => unit.endsWith('/')));
for (const cycle of fileCycles) console.error(`file cycle: ${cycle.join(' <-> ')}`);
for (const cycle of folderCycles) console.error(`folder cycle: ${cycle.join(' <-> ')}`);
if (fileCycles.length + folderCycles.length > 0) process.exit(1);
console.log(`no import cycles among ${files.length} files in ${root}/`);
