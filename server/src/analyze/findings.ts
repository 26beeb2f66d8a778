import { humanSize } from '../docker/units';
import { shortInstruction } from './labels';
import type { Leftover, PairWaste } from './stack';
import type { AnalysisFinding } from './types';

/** Waste and leftovers below this many bytes are not worth a sentence. */
export const FINDING_THRESHOLD = 64 << 10;

export interface FindingLayer {
  index: number;
  createdBy: string;
  line: number | undefined;
  base: boolean;
}

/** "line 3", or "layer 4 (RUN dd …)" when the Dockerfile line is not known; `short` leaves the instruction out. */
function who(l: FindingLayer | undefined, index: number, short: boolean): string {
  if (l?.line !== undefined) return `line ${l.line}`;
  if (short || !l) return `layer ${index}`;
  const what = l.createdBy ? shortInstruction(l.createdBy, 48) : l.base ? 'base image' : '';
  return what ? `layer ${index} (${what})` : `layer ${index}`;
}

/**
 * Sentences that point at the Dockerfile: bytes one layer writes that a later layer deletes or
 * overwrites (attributed to both), and caches left in the image by a layer above the base.
 */
export function findingsOf(pairs: readonly PairWaste[], leftovers: readonly Leftover[], layers: ReadonlyMap<number, FindingLayer>, baseLayers: number): AnalysisFinding[] {
  const out: AnalysisFinding[] = [];
  for (const p of pairs) {
    // Waste inside the base image, or a layer overwriting itself, is not something the Dockerfile can fix.
    if (p.bytes < FINDING_THRESHOLD || p.superseder < baseLayers || p.writer === p.superseder) continue;
    const writer = layers.get(p.writer);
    const superseder = layers.get(p.superseder);
    const verb = p.removedBytes === p.bytes ? 'deletes' : p.removedBytes === 0 ? 'overwrites' : 'overwrites or deletes';
    let ruleId: string | undefined;
    for (const [id, bytes] of p.byRule) if (bytes * 2 >= p.bytes) ruleId = id;
    out.push({
      message: `${who(writer, p.writer, false)} adds ${humanSize(p.bytes)} that ${who(superseder, p.superseder, true)} ${verb}`,
      bytes: p.bytes,
      layer: p.writer,
      supersededBy: p.superseder,
      line: writer?.line,
      relatedLine: superseder?.line,
      ruleId,
    });
  }
  for (const l of leftovers) {
    if (l.bytes < FINDING_THRESHOLD) continue;
    const layer = layers.get(l.layer);
    out.push({
      message: `${who(layer, l.layer, false)} leaves ${humanSize(l.bytes)} of ${l.what} in /${l.dir}`,
      bytes: l.bytes,
      layer: l.layer,
      supersededBy: undefined,
      line: layer?.line,
      relatedLine: undefined,
      ruleId: l.ruleId,
    });
  }
  return out.sort((a, b) => b.bytes - a.bytes || a.layer - b.layer);
}
