/** The demo backend's image, which "Build demo image" (buildDemoImage) makes. */
export const DEMO_IMAGE = 'prescal-demo:latest'

/** An image name Build demo image can make: prescal-demo, any tag. */
export function isDemoImage(image: string): boolean {
  return image.startsWith('prescal-demo')
}

/** The tag buildDemoImage builds: the first configured demo image in config order, else DEMO_IMAGE. */
export function demoImageTag(serviceImages: readonly string[]): string {
  return serviceImages.find(isDemoImage) ?? DEMO_IMAGE
}
