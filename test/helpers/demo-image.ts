import type Docker from 'dockerode'
import { buildDemoImage } from '../../src/main/fleet/demo-image'

export const DEMO_IMAGE = 'prescal-demo:latest'

/** Builds the demo image (no registry needed) unless the engine already has it. */
export async function ensureDemoImage(docker: Docker): Promise<void> {
  try {
    await docker.getImage(DEMO_IMAGE).inspect()
  } catch {
    await buildDemoImage(docker, DEMO_IMAGE, () => {})
  }
}
