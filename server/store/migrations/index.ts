import type { MigrationObject } from '@mikro-orm/core';
import { Migration0001Initial } from './0001-initial.js';
import { Migration0002ApprovalsRollback } from './0002-approvals-rollback.js';
import { Migration0003ImmutableReleases } from './0003-immutable-releases.js';
import { Migration0006PromotionControl } from './0006-promotion-control.js';
import { Migration0007ProgressiveRollouts } from './0007-progressive-rollouts.js';
import { Migration0008SecretsAtRest } from './0008-secrets-at-rest.js';
import { Migration0009Operations } from './0009-operations.js';
import { Migration0010Partitions } from './0010-partitions.js';

/** Every migration, in order. Listed here (not globbed) so built and source runs see the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: '0001-initial', class: Migration0001Initial },
  { name: '0002-approvals-rollback', class: Migration0002ApprovalsRollback },
  { name: '0003-immutable-releases', class: Migration0003ImmutableReleases },
  { name: '0006-promotion-control', class: Migration0006PromotionControl },
  { name: '0007-progressive-rollouts', class: Migration0007ProgressiveRollouts },
  { name: '0008-secrets-at-rest', class: Migration0008SecretsAtRest },
  { name: '0009-operations', class: Migration0009Operations },
  { name: '0010-partitions', class: Migration0010Partitions },
];
