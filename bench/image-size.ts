import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildSlipwayImage, dockerfileBase, ensureNodeBase, inspectImage } from '../test/helpers/slipway-image.js';

const run = promisify(execFile);
const TAG = 'slipway-bench/slipway:image-size';

export type ImageSizeFigures = {
  base: string;
  baseBytes: number;
  imageBytes: number;
  /** The layers slipway's Dockerfile adds to the base, oldest first, with what made each. */
  layers: { step: string; bytes: number }[];
};

/**
 * The size of slipway's image as the engine stores it (uncompressed), built from the Dockerfile as it is (on the
 * same stand-in base as test/integration/packaging-runtime.test.ts), against its floor: the base image alone.
 */
export async function imageSize(log: (line: string) => void): Promise<ImageSizeFigures> {
  const base = await dockerfileBase();
  await ensureNodeBase(base, log);
  log('building slipway\'s image');
  await buildSlipwayImage(TAG, log);
  const [image, baseImage] = await Promise.all([inspectImage(TAG), inspectImage(base)]);
  const [history, baseHistory] = await Promise.all([historyOf(TAG), historyOf(base)]);
  const layers = history.slice(0, history.length - baseHistory.length).reverse().filter((layer) => layer.bytes > 0);
  return { base, baseBytes: baseImage.Size, imageBytes: image.Size, layers };
}

async function historyOf(reference: string): Promise<{ step: string; bytes: number }[]> {
  const { stdout } = await run('docker', ['history', '--no-trunc', '--human=false', '--format', '{{.Size}}\t{{.CreatedBy}}', reference], { maxBuffer: 8 * 1024 * 1024 });
  return stdout.trim().split('\n').map((line) => {
    const [size, ...rest] = line.split('\t');
    const step = rest.join('\t').replace(/^\/bin\/sh -c (#\(nop\) )?/, '').replace(/\b(?:dir|file|multi):[0-9a-f]{64} in /, '').replace(/\s+/g, ' ').trim();
    return { step: step.length > 70 ? `${step.slice(0, 69)}…` : step, bytes: Number(size) };
  });
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export function imageSizeSection(f: ImageSizeFigures): string {
  const added = f.imageBytes - f.baseBytes;
  return [
    '## 8. Image size',
    '',
    'slipway\'s image (`docker build .`), uncompressed as the engine stores it, against its floor: the base image',
    `\`${f.base}\` alone. No base image can be pulled here, so the base is the tests' stand-in (Debian minbase with`,
    'this machine\'s Node 20 and npm, test/helpers/slipway-image.ts); the official image differs in size, the',
    'layers slipway adds do not.',
    '',
    '| | size |',
    '|---|---|',
    `| slipway's image | ${mb(f.imageBytes)} |`,
    `| floor (the base alone) | ${mb(f.baseBytes)} |`,
    `| added by the Dockerfile | ${mb(added)} (${(f.imageBytes / f.baseBytes).toFixed(2)}× the base) |`,
    '',
    'The layers it adds:',
    '',
    '| step | size |',
    '|---|---|',
    ...f.layers.map((layer) => `| \`${layer.step.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${mb(layer.bytes)} |`),
    '',
    'The apt layer is mostly Chromium and the libraries it pulls in (Mesa, LLVM, GTK), there for browser checks:',
    'the Dockerfile says to leave it out when you run none. The production dependencies are the next largest.',
    '',
  ].join('\n');
}
