// Which containers the sidecar forwards: include/exclude by label, name and image,
// with `docker ps --filter` semantics (several values of one kind: any may match;
// different kinds: all must match), and the `tslogs.enable=false` label as the
// container's own opt-out.
import { parseGoBool } from '../go/strconv.js';
import { tslogsError } from '../errors.js';
import type { ContainerInfo } from '../container-info.js';
import { bareName } from '../util/docker-names.js';

/** The label a container sets to `false` to opt out (any Go boolean spelling: false, 0, f, FALSE…). */
export const OPT_OUT_LABEL = 'tslogs.enable';

export interface LabelMatch {
  key: string;
  /** undefined: the label only has to be present. */
  value: string | undefined;
}

export interface SelectionRules {
  includeLabels: LabelMatch[];
  excludeLabels: LabelMatch[];
  /** Globs over the name without its leading `/`. */
  includeNames: string[];
  excludeNames: string[];
  /** Globs over the image as the user wrote it (`Config.Image`), or an image ID prefix (`sha256:…`). */
  includeImages: string[];
  excludeImages: string[];
}

export const EMPTY_RULES: SelectionRules = {
  includeLabels: [], excludeLabels: [], includeNames: [], excludeNames: [], includeImages: [], excludeImages: [],
};

/** `key` or `key=value`. */
export function parseLabelMatch(text: string): LabelMatch {
  const eq = text.indexOf('=');
  const key = eq < 0 ? text : text.slice(0, eq);
  if (key === '') throw tslogsError('TSLOGS_SIDECAR_LABEL_FILTER', text);
  return { key, value: eq < 0 ? undefined : text.slice(eq + 1) };
}

/** Shell-style glob: `*` any run of characters, `?` one, `[abc]`/`[a-z]`/`[!a]` classes. Anchored. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Compiled rules: `reason(info)` says why a container is not forwarded, or undefined when it is. */
export class Selection {
  private readonly includeNames: RegExp[];
  private readonly excludeNames: RegExp[];
  private readonly includeImages: RegExp[];
  private readonly excludeImages: RegExp[];

  constructor(private readonly rules: SelectionRules) {
    this.includeNames = rules.includeNames.map(globToRegExp);
    this.excludeNames = rules.excludeNames.map(globToRegExp);
    this.includeImages = rules.includeImages.map(globToRegExp);
    this.excludeImages = rules.excludeImages.map(globToRegExp);
  }

  reason(info: ContainerInfo): string | undefined {
    const labels = info.ContainerLabels;
    const optOut = labels[OPT_OUT_LABEL];
    if (optOut !== undefined && isFalse(optOut)) return `label ${OPT_OUT_LABEL}=${optOut}`;
    const name = bareName(info.ContainerName);
    const image = info.ContainerImageName;
    const excludedLabel = this.rules.excludeLabels.find((m) => labelMatches(labels, m));
    if (excludedLabel !== undefined) return `excluded by label ${show(excludedLabel)}`;
    if (this.excludeNames.some((re) => re.test(name))) return `excluded by name (${name})`;
    if (this.excludeImages.some((re, i) => imageMatches(image, info.ContainerImageID, re, this.rules.excludeImages[i]!))) return `excluded by image (${image})`;
    if (this.rules.includeLabels.length > 0 && !this.rules.includeLabels.some((m) => labelMatches(labels, m))) return 'no included label';
    if (this.includeNames.length > 0 && !this.includeNames.some((re) => re.test(name))) return `name not included (${name})`;
    if (this.includeImages.length > 0 && !this.includeImages.some((re, i) => imageMatches(image, info.ContainerImageID, re, this.rules.includeImages[i]!))) {
      return `image not included (${image})`;
    }
    return undefined;
  }
}

function isFalse(value: string): boolean {
  try {
    return !parseGoBool(value);
  } catch {
    return false;
  }
}

function labelMatches(labels: Record<string, string>, m: LabelMatch): boolean {
  if (!Object.hasOwn(labels, m.key)) return false;
  return m.value === undefined || labels[m.key] === m.value;
}

function show(m: LabelMatch): string {
  return m.value === undefined ? m.key : `${m.key}=${m.value}`;
}

/**
 * `nginx` matches `nginx` and `nginx:1.25` (a pattern without a tag ignores the tag, as
 * `docker ps --filter ancestor=nginx` does); `sha256:ab…` matches the image ID by prefix.
 */
function imageMatches(image: string, imageId: string, re: RegExp, pattern: string): boolean {
  if (pattern.startsWith('sha256:') && imageId.startsWith(pattern)) return true;
  if (re.test(image)) return true;
  const untagged = withoutTag(image);
  return untagged !== image && !patternHasTag(pattern) && re.test(untagged);
}

function withoutTag(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(0, at);
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
}

function patternHasTag(pattern: string): boolean {
  return pattern.includes('@') || pattern.lastIndexOf(':') > pattern.lastIndexOf('/');
}
