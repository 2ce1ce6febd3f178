// The import graph of src/ and the layer rules of docs/architecture.md, for
// test/unit/architecture/imports.test.ts. Pure functions over { path: text } so the
// test can also feed it synthetic files.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One row of the "Layers" table: a layer, the paths it owns, the layers it may import. */
export interface Layer {
  name: string;
  /** Repository-relative paths, without a trailing slash: a file (`src/errors.ts`) or a folder (`src/go`). */
  paths: string[];
  /** Names of the other layers a file of this layer may import (its own layer is always allowed). */
  mayImport: string[];
}

export interface Edge {
  from: string;
  to: string;
}

export interface ImportGraph {
  files: string[];
  edges: Edge[];
  /** Relative specifiers that name no file of the graph. */
  unresolved: Edge[];
}

/** Every `src/**\/*.ts` of a repository, as repository-relative paths with `/`. */
export function readSources(root: string, dir = 'src'): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) out.set(child, fs.readFileSync(path.join(root, child), 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/**
 * The module specifiers of a file: static `import … from`, `import type`, side-effect
 * `import '…'`, `export … from` and dynamic `import('…')`. TypeScript's own pre-processor
 * reads them, so imports in comments and strings are not counted.
 */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The file a relative specifier names (`./x.js` → `x.ts`), or undefined when it is not relative. */
export function resolveSpecifier(from: string, specifier: string, exists: (file: string) => boolean): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [base.replace(/\.(m|c)?js$/, '.$1ts'), base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find(exists) ?? base;
}

/** The graph of relative imports between the given files. Imports that leave the set (test/, bench/) are dropped. */
export function buildGraph(sources: Map<string, string>, scope = 'src/'): ImportGraph {
  const files = [...sources.keys()].sort();
  const edges: Edge[] = [];
  const unresolved: Edge[] = [];
  const seen = new Set<string>();
  for (const from of files) {
    for (const specifier of importSpecifiers(sources.get(from) ?? '')) {
      const to = resolveSpecifier(from, specifier, (f) => sources.has(f));
      if (to === undefined) continue; // a package
      if (!to.startsWith(scope)) continue; // test/ and bench/ are outside the check
      if (!sources.has(to)) {
        unresolved.push({ from, to: specifier });
        continue;
      }
      const key = `${from}\0${to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to });
    }
  }
  return { files, edges, unresolved };
}

/**
 * The "Layers" table of docs/architecture.md: the first markdown table after the
 * `## Layers` heading, columns `layer | folder | job | may import`, lowest layer first.
 * The folder cell lists backticked paths; the may-import cell is `nothing of …`,
 * `everything above`, or a comma-separated list of layer names above the row.
 */
export function parseLayerTable(markdown: string): Layer[] {
  const section = /^## Layers\s*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1];
  if (section === undefined) throw new Error('docs/architecture.md has no "## Layers" section');
  const rows = section
    .split('\n')
    .filter((line) => line.trimStart().startsWith('|'))
    .map((line) => splitRow(line));
  const [header, rule, ...body] = rows;
  const expected = ['layer', 'folder', 'job', 'may import'];
  if (header === undefined || header.join('|').toLowerCase() !== expected.join('|')) {
    throw new Error(`the Layers table's header must be | ${expected.join(' | ')} |, found | ${header?.join(' | ')} |`);
  }
  if (rule === undefined || !rule.every((c) => /^:?-+:?$/.test(c))) throw new Error('the Layers table has no header rule');
  const layers: Layer[] = [];
  for (const cells of body) {
    const [names, folders, , may] = cells;
    if (names === undefined || folders === undefined || may === undefined) {
      throw new Error(`a Layers row has ${cells.length} cells: | ${cells.join(' | ')} |`);
    }
    const name = names.trim();
    const paths = [...folders.matchAll(/`([^`]+)`/g)].map((m) => (m[1] ?? '').replace(/\/+$/, ''));
    if (paths.length === 0 || paths.some((p) => !p.startsWith('src'))) {
      throw new Error(`layer "${name}": the folder cell must list backticked src/ paths, found "${folders}"`);
    }
    layers.push({ name, paths, mayImport: parseMayImport(name, may, layers) });
  }
  if (layers.length === 0) throw new Error('the Layers table has no rows');
  return layers;
}

function splitRow(line: string): string[] {
  const cells = line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
  return cells.map((c) => c.trim());
}

function parseMayImport(name: string, cell: string, below: Layer[]): string[] {
  const text = cell.trim();
  if (/^nothing\b/i.test(text)) return [];
  if (/^everything above\b/i.test(text)) return below.map((l) => l.name);
  const names = text
    .replace(/\(.*\)/, '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of names) {
    if (!below.some((l) => l.name === n)) {
      throw new Error(`layer "${name}" may import "${n}", which is not a layer listed above it in the table`);
    }
  }
  return names;
}

/** The layer owning a file: the longest table path equal to it or a folder containing it. */
export function layerOf(file: string, layers: Layer[]): Layer | undefined {
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of layers) {
    for (const p of layer.paths) {
      if ((file === p || file.startsWith(`${p}/`)) && (best === undefined || p.length > best.length)) {
        best = { layer, length: p.length };
      }
    }
  }
  return best?.layer;
}

export interface LayerReport {
  /** Files no row of the table owns. */
  unassigned: string[];
  /** Imports of a layer the importer's row does not allow, as `from → to`. */
  backEdges: string[];
  /** File-level cycles, each as `a → b → … → a`. */
  cycles: string[];
}

/** Checks a graph against a layer table: files without a layer, forbidden imports, cycles. */
export function checkLayers(graph: ImportGraph, layers: Layer[]): LayerReport {
  const unassigned = graph.files.filter((f) => layerOf(f, layers) === undefined);
  const backEdges: string[] = [];
  for (const { from, to } of graph.edges) {
    const a = layerOf(from, layers);
    const b = layerOf(to, layers);
    if (a === undefined || b === undefined || a === b) continue;
    if (!a.mayImport.includes(b.name)) backEdges.push(`${from} → ${to}`);
  }
  return { unassigned, backEdges, cycles: findCycles(graph) };
}

/**
 * One cycle per strongly connected component of more than one file (or a file importing
 * itself), written from its alphabetically first file: `a → b → a`.
 */
export function findCycles(graph: ImportGraph): string[] {
  const next = new Map<string, string[]>();
  for (const f of graph.files) next.set(f, []);
  for (const { from, to } of graph.edges) next.get(from)?.push(to);
  for (const list of next.values()) list.sort();

  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.files) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const succ = next.get(top.node) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.node);
        const selfLoop = component.length === 1 && (next.get(w) ?? []).includes(w);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.map((c) => cycleWithin(c, next)).sort();
}

/** A shortest cycle through the first file of a strongly connected component, staying inside it. */
function cycleWithin(component: string[], next: Map<string, string[]>): string {
  const inside = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const node = queue[k]!;
    for (const w of next.get(node) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const pathBack = [node];
        while (pathBack[0] !== start) pathBack.unshift(previous.get(pathBack[0]!)!);
        const files = component.length > pathBack.length ? ` (all of: ${component.join(', ')})` : '';
        return [...pathBack, start].join(' → ') + files;
      }
      if (!previous.has(w) && w !== start) {
        previous.set(w, node);
        queue.push(w);
      }
    }
  }
  return component.join(' → ');
}
