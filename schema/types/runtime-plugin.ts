import { Field, ObjectType, registerEnumType } from 'type-graphql';

export const PluginStatusEnum = { LOADED: 'LOADED', REFUSED: 'REFUSED' } as const;
registerEnumType(PluginStatusEnum, { name: 'PluginStatus', description: 'LOADED: usable by runtimes; REFUSED: the server did not load it (see reason).' });

/** A discovered runtime plugin package. Where it lives on disk is the server's business, not the API's. */
@ObjectType('RuntimePlugin', { description: 'A runtime plugin package the server discovered, and whether it loaded.' })
export class RuntimePlugin {
  @Field(() => String, { description: 'What a Runtime document names in `plugin`.' }) name!: string;
  @Field(() => String) version!: string;
  @Field(() => String) packageName!: string;
  @Field(() => PluginStatusEnum) status!: 'LOADED' | 'REFUSED';
  @Field(() => String, { nullable: true, description: 'Why the plugin was refused.' }) reason?: string | null;
}
