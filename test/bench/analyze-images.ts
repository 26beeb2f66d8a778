import { BUSYBOX_IMAGE } from '../support/images';

/** An image the Analyze Image benches build: small files in one layer, one big file, then deletions (wasted bytes). */
export interface AnalyzeImageSpec {
  tag: string;
  files: number;
  fileKiB: number;
  bigMiB: number;
}

/** The two shapes, about 100 MB and 1 GB, under a tag prefix of each bench's own so their images never collide. */
export function analyzeImageSpecs(prefix: string): AnalyzeImageSpec[] {
  return [
    { tag: `${prefix}-100m:1`, files: 1000, fileKiB: 48, bigMiB: 48 },
    { tag: `${prefix}-1g:1`, files: 10000, fileKiB: 48, bigMiB: 560 },
  ];
}

export function analyzeImageDockerfile(s: AnalyzeImageSpec): string {
  return [
    `FROM ${BUSYBOX_IMAGE}`,
    `RUN mkdir -p /data/files && cd /data/files && i=0; while [ $i -lt ${s.files} ]; do dd if=/dev/urandom of=f$i bs=1024 count=${s.fileKiB} 2>/dev/null; i=$((i+1)); done`,
    `RUN dd if=/dev/zero of=/data/big.bin bs=1048576 count=${s.bigMiB}`,
    'RUN rm -f /data/files/f1*',
    'RUN echo done > /data/done',
    '',
  ].join('\n');
}
