import { describe, expect, it } from 'vitest'
import { missingImageFix } from '../../../src/renderer/src/core/image-fix'
import { demoImageTag } from '../../../src/shared/demo-image'

describe('missingImageFix', () => {
  it.each([
    { desc: 'the demo image', image: 'prescal-demo:latest', images: ['prescal-demo:latest'], kind: 'build-demo' },
    { desc: 'the demo image without a tag (Docker reads it as :latest)', image: 'prescal-demo', images: ['prescal-demo'], kind: 'build-demo' },
    { desc: 'the default demo tag, no demo service configured', image: 'prescal-demo:latest', images: ['nginx:1.27'], kind: 'build-demo' },
    { desc: 'a demo tag the config names: the build makes that tag', image: 'prescal-demo:v2', images: ['prescal-demo:v2'], kind: 'build-demo' },
    { desc: 'a registry image', image: 'nginx:1.27', images: ['nginx:1.27', 'prescal-demo:latest'], kind: 'docker' },
    { desc: 'an image of your own', image: 'myapp:dev', images: ['myapp:dev'], kind: 'docker' },
    { desc: 'a second demo tag: the build makes only the first one', image: 'prescal-demo:v2', images: ['prescal-demo:v1', 'prescal-demo:v2'], kind: 'docker' },
    { desc: 'a registry path ending in prescal-demo is another image', image: 'ghcr.io/acme/prescal-demo:latest', images: ['ghcr.io/acme/prescal-demo:latest'], kind: 'docker' }
  ])('$desc: $kind', ({ image, images, kind }) => {
    expect(missingImageFix(image, images).kind).toBe(kind)
  })

  it('any other image gets the Docker commands that make it', () => {
    expect(missingImageFix('registry:5000/team/api', ['registry:5000/team/api'])).toEqual({
      kind: 'docker',
      image: 'registry:5000/team/api',
      pull: 'docker pull registry:5000/team/api',
      build: 'docker build -t registry:5000/team/api <dir>'
    })
  })

  it('demoImageTag: the first configured prescal-demo image, else prescal-demo:latest', () => {
    expect(demoImageTag(['nginx', 'prescal-demo:v1', 'prescal-demo:v2'])).toBe('prescal-demo:v1')
    expect(demoImageTag(['nginx'])).toBe('prescal-demo:latest')
  })
})
