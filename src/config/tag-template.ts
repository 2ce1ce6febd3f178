// Docker's `tag` option: a Go text/template (src/go/template/) executed against
// logger.Info (daemon/logger/loggerutils/log_tag.go).

import type { ContainerInfo } from '../container-info.js';
import { execute, type Pipe } from '../go/template/exec.js';
import { parseTemplate } from '../go/template/parse.js';

/** loggerutils.DefaultTemplate: the tag of every driver whose `tag` option is unset. */
export const DEFAULT_TAG_TEMPLATE = '{{.ID}}';

export interface CompiledTag {
  readonly source: string;
  readonly items: readonly (string | Pipe)[];
}

/** Parses a tag template once; throws TslogsError with Go's parse error text. */
export function compileTag(template: string): CompiledTag {
  return { source: template, items: parseTemplate(template) };
}

/** Executes a compiled tag for one container; `hostname` is what .Hostname returns. */
export function renderTag(tag: CompiledTag, info: ContainerInfo, hostname: string): string {
  return execute(tag.items, tag.source, { kind: 'info', info, hostname });
}
