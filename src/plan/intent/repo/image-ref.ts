/**
 * Container image references ("nginx:1.25", "ghcr.io/org/app@sha256:…"), checked against the
 * distribution reference grammar so that arbitrary text from a file never becomes an image.
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)';
const IMAGE_REF = new RegExp(`^${DOMAIN}?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

export function isImageReference(s: string): boolean {
  return s.length <= 255 && IMAGE_REF.test(s);
}
