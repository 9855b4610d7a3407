import type Docker from 'dockerode'

/** Removes every container (any state) of the given services, by their prescal.service label. */
export async function removeServiceContainers(docker: Docker, ...services: string[]): Promise<void> {
  for (const service of services) {
    const list = await docker.listContainers({ all: true, filters: { label: [`prescal.service=${service}`] } })
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})))
  }
}
