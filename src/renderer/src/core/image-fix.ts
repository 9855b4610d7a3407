/**
 * What a service panel offers when the service's image is missing. "Build demo image" builds one
 * tag only (demoImageTag, shared with the engine's buildDemoImage command). For any other image the
 * button builds something the service does not run, so the panel says how to get that image.
 */
import { demoImageTag } from '../../../shared/demo-image'

export type ImageFix =
  /** Building the demo image makes exactly this image. */
  | { kind: 'build-demo'; image: string }
  /** Any other image: get it with Docker, then scale again. */
  | { kind: 'docker'; image: string; pull: string; build: string }

export function missingImageFix(image: string, serviceImages: readonly string[]): ImageFix {
  if (sameImage(image, demoImageTag(serviceImages))) return { kind: 'build-demo', image }
  return { kind: 'docker', image, pull: `docker pull ${image}`, build: `docker build -t ${image} <dir>` }
}

/** Docker reads a reference without a tag or digest as `:latest` ("prescal-demo" is "prescal-demo:latest"). */
function sameImage(a: string, b: string): boolean {
  return withTag(a) === withTag(b)
}

function withTag(ref: string): string {
  const name = ref.slice(ref.lastIndexOf('/') + 1)
  return name.includes(':') || name.includes('@') ? ref : `${ref}:latest`
}
