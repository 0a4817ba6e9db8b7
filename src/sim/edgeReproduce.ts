/** Placeholder replaced below. */
export async function reproduceEdge(_options: { profiles: string; outDir: string; arrivals: unknown; durationS: number; seed: number; workers?: number; onProgress: (line: string) => void }): Promise<{ reportFile: string; edgeJson: string }> {
  throw new Error('not yet');
}
