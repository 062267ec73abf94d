import { Field, ObjectType } from 'type-graphql';
import type { ReleaseGroupRow } from '../../server/store/entities/index.js';
import { Node } from './node.js';
import { DateTimeScalar } from './scalars.js';

@ObjectType('ReleaseGroup', { implements: Node, description: 'A release of several services of one application, moving through the channels together in service order, failing or rolling back there as a whole.' })
export class ReleaseGroup extends Node {
  readonly __typename = 'ReleaseGroup';
  row!: ReleaseGroupRow;
  @Field(() => String, { description: 'e.g. "migrate v3 + api v7 + web v2".' }) label!: string;
  @Field(() => String) createdBy!: string;
  @Field(() => DateTimeScalar) createdAt!: Date;
}
