// Imports in src/ point down the layer order of docs/architecture.md ("Layers"), never
// up, and never in a circle. The table is read from the doc, so the two cannot drift.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  checkLayers,
  importSpecifiers,
  layerOf,
  parseLayerTable,
  readSources,
  type Layer,
} from '../../helpers/import-graph.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
const LAYERS = parseLayerTable(DOC);

describe('the layer table of docs/architecture.md', () => {
  it('lists the layers bottom to top, each allowed only layers below it', () => {
    expect(LAYERS.map((l) => l.name)).toEqual([
      'leaves',
      'config',
      'codec',
      'store',
      'sinks',
      'router',
      'protocol',
      'daemon',
      'cli, sidecar',
    ]);
    expect(LAYERS[0]?.mayImport).toEqual([]);
    LAYERS.forEach((layer, i) => {
      const below = LAYERS.slice(0, i).map((l) => l.name);
      for (const name of layer.mayImport) expect(below).toContain(name);
    });
  });

  it('owns every file of src/', () => {
    const unowned = [...readSources(ROOT).keys()].filter((f) => layerOf(f, LAYERS) === undefined);
    expect(unowned).toEqual([]);
  });
});

describe('imports in src/', () => {
  const graph = buildGraph(readSources(ROOT));
  const report = checkLayers(graph, LAYERS);

  it('all name a file that exists', () => {
    expect(graph.unresolved.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('never point to a layer the importer may not import', () => {
    expect(report.backEdges).toEqual([]);
  });

  it('form no cycle between files', () => {
    expect(report.cycles).toEqual([]);
  });
});

describe('the checker', () => {
  const layers: Layer[] = parseLayerTable(DOC);
  const check = (files: Record<string, string>) => checkLayers(buildGraph(new Map(Object.entries(files))), layers);

  it('reads every kind of import, and none in comments or strings', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import './side-effect.js';",
      "export * from './c.js';",
      "export { d } from './d.js';",
      "const e = await import('./e.js');",
      "// import { f } from './f.js';",
      "const g = \"import { g } from './g.js'\";",
      "import fs from 'node:fs';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./a.js', '../b.js', './side-effect.js', './c.js', './d.js', './e.js', 'node:fs']);
  });

  it('catches a synthetic back edge, with its direction', () => {
    const report = check({
      'src/errors.ts': "export const E = 1;\n",
      'src/store/x.ts': "import { E } from '../errors.js';\nexport const X = E;\n",
      'src/config/y.ts': "import type { X } from '../store/x.js';\nexport type Y = X;\n",
      'src/sinks/z.ts': "export const z = async () => import('../router/w.js');\n",
      'src/router/w.ts': "import { X } from '../store/x.js';\nexport const W = X;\n",
    });
    expect(report.backEdges).toEqual(['src/config/y.ts → src/store/x.ts', 'src/sinks/z.ts → src/router/w.ts']);
    expect(report.cycles).toEqual([]);
  });

  it('applies the may-import column, not only the order (protocol may not import sinks)', () => {
    const report = check({
      'src/sinks/sink.ts': 'export interface Sink {}\n',
      'src/protocol/p.ts': "import type { Sink } from '../sinks/sink.js';\nexport type P = Sink;\n",
    });
    expect(report.backEdges).toEqual(['src/protocol/p.ts → src/sinks/sink.ts']);
  });

  it('catches a synthetic cycle inside one layer and names its files', () => {
    const report = check({
      'src/protocol/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/protocol/b.ts': "import { c } from './c.js';\nexport const b = c;\n",
      'src/protocol/c.ts': "export { a as c } from './a.js';\n",
      'src/protocol/d.ts': "import { a } from './a.js';\nexport const d = a;\n",
      'src/util/self.ts': "import './self.js';\n",
    });
    expect(report.backEdges).toEqual([]);
    expect(report.cycles).toEqual([
      'src/protocol/a.ts → src/protocol/b.ts → src/protocol/c.ts → src/protocol/a.ts',
      'src/util/self.ts → src/util/self.ts',
    ]);
  });

  it('reports files no layer owns', () => {
    expect(check({ 'src/elsewhere/x.ts': '' }).unassigned).toEqual(['src/elsewhere/x.ts']);
  });

  it('refuses a table whose may-import column names a layer above the row', () => {
    const doc = DOC.replace('| leaves, config, codec |', '| leaves, config, codec, router |');
    expect(doc).not.toBe(DOC);
    expect(() => parseLayerTable(doc)).toThrow(/"router", which is not a layer listed above it/);
  });
});
