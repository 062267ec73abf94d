import { Field, Int, ObjectType } from 'type-graphql';
import type { UserErrorCode, UserErrorData } from '../../server/domain/user-error.js';
import { UserErrorCodeEnum } from './enums.js';

@ObjectType({ description: 'An expected failure of a mutation: validation, conflicts, forbidden actions.' })
export class UserError {
  @Field(() => UserErrorCodeEnum)
  code!: UserErrorCode;

  @Field(() => String, { description: 'One line a person can act on.' })
  message!: string;

  @Field(() => [String], { description: 'Where: input field names, or documents/<index>/<Kind name>/<field path>.' })
  path!: string[];

  @Field(() => Int, { nullable: true, description: 'Line in the submitted YAML, when known.' })
  line?: number;

  static from(data: UserErrorData): UserError {
    return Object.assign(new UserError(), data);
  }
}

export function toUserErrors(errors: UserErrorData[]): UserError[] {
  return errors.map(UserError.from);
}
