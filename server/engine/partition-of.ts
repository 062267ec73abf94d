/**
 * Instances hash into a fixed number of partitions; a replica owns whole partitions (see
 * PartitionLeases). Fixed forever: the partition is stored with every instance row, so changing
 * the count would need every row rewritten.
 */
export const PARTITIONS = 64;

/** FNV-1a over the id's characters: cheap, stable across processes and versions, well spread. */
export function partitionOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % PARTITIONS;
}
