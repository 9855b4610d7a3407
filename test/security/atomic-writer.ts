/**
 * Child process for config-atomic-write.test.ts: rewrites TARGET forever, alternating the contents
 * of files A and B, until it is killed. Mode `atomic` uses the app's writeFileAtomic; mode `plain`
 * uses writeFileSync (the control the test must catch tearing).
 *   node --import tsx atomic-writer.ts atomic|plain TARGET A B
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { writeFileAtomic } from '../../src/main/config/atomic-write'

const [mode, target, aPath, bPath] = process.argv.slice(2)
if (!mode || !target || !aPath || !bPath) throw new Error('usage: atomic-writer.ts atomic|plain TARGET A B')
const contents = [readFileSync(aPath, 'utf8'), readFileSync(bPath, 'utf8')]
const write = mode === 'plain' ? (p: string, d: string) => writeFileSync(p, d) : writeFileAtomic
process.stdout.write('writing\n')
for (let i = 1; ; i++) write(target, contents[i % 2]!)
