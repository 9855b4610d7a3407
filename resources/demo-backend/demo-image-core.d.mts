/** Types for demo-image-core.mjs (plain ESM shared by the CLI and src/main/fleet/demo-image.ts). */
export declare const NODE_PATH_IN_IMAGE: string
export declare const DEFAULT_DEMO_TAG: string

export declare class DemoImageError extends Error {
  readonly stage: 'platform' | 'ldd' | 'context' | 'build'
  constructor(stage: DemoImageError['stage'], message: string, cause?: unknown)
}

export interface DemoImageEngine {
  buildImage(file: NodeJS.ReadableStream, opts: Record<string, unknown>): Promise<NodeJS.ReadableStream>
}

export declare function parseLddOutput(output: string): string[]
export declare function demoDockerfile(nodeInImage?: string, port?: number): string
export declare function followBuildStream(
  stream: NodeJS.ReadableStream,
  onProgress: (line: string) => void
): Promise<void>
export declare function buildDemoImageCore(args: {
  docker: DemoImageEngine
  tag: string
  nodePath: string
  serverSource: string
  onProgress: (line: string) => void
  signal?: AbortSignal
}): Promise<void>
