import { DateTimeISOResolver, JSONObjectResolver, JSONResolver } from 'graphql-scalars';

/** Scalars used across the schema; one import site so every type agrees on them. */
export const JSONScalar = JSONResolver;
export const JSONObjectScalar = JSONObjectResolver;
export const DateTimeScalar = DateTimeISOResolver;
