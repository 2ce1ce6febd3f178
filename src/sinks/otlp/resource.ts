// The OTel resource of a container's logs, in the semantic conventions' names
// (semantic-conventions: registry attributes container.*, host.*, service.*):
//
//   container.id          the full 64-hex ID
//   container.name        the name without Docker's leading `/`
//   container.image.name  the image reference as given, without tag or digest
//   container.image.tags  [tag] when the reference has one (semconv replaced the
//                         singular container.image.tag with this array in v1.22.0)
//   container.image.id    the image's sha256: ID
//   host.name             the Docker host's name (as the other sinks' `host`)
//   service.name          the container name, unless otlp-resource-attributes sets it
//
// then the labels/env attributes (Docker's `labels`, `env` options) and last the
// otlp-resource-attributes: a later key replaces an earlier one.

import type { ContainerInfo } from '../../container-info.js';
import { bareName } from '../../util/docker-names.js';

export type AttributeValue = string | readonly string[];

export interface Attribute {
  readonly key: string;
  readonly value: AttributeValue;
}

/** `registry:5000/team/app:1.2@sha256:…` → name `registry:5000/team/app`, tag `1.2`. */
export function splitImageReference(reference: string): { name: string; tag: string | undefined } {
  const at = reference.indexOf('@');
  const withoutDigest = at < 0 ? reference : reference.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last `/` belongs to a registry's port, not to a tag.
  if (colon < 0 || colon < withoutDigest.lastIndexOf('/')) return { name: withoutDigest, tag: undefined };
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}

export function containerResource(
  info: ContainerInfo,
  hostname: string,
  extraAttrs: Readonly<Record<string, string>>,
  given: readonly Attribute[],
): Attribute[] {
  const name = bareName(info.ContainerName);
  const image = splitImageReference(info.ContainerImageName);
  const attributes = new Map<string, AttributeValue>([
    ['container.id', info.ContainerID],
    ['container.name', name],
    ['container.image.name', image.name],
  ]);
  if (image.tag !== undefined && image.tag !== '') attributes.set('container.image.tags', [image.tag]);
  if (info.ContainerImageID !== '') attributes.set('container.image.id', info.ContainerImageID);
  attributes.set('host.name', hostname);
  attributes.set('service.name', name);
  for (const [key, value] of Object.entries(extraAttrs)) attributes.set(key, value);
  for (const { key, value } of given) attributes.set(key, value);
  return [...attributes].map(([key, value]) => ({ key, value }));
}
