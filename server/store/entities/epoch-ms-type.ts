import { Type, type EntityProperty, type Platform } from '@mikro-orm/core';

/**
 * Timestamps stored as epoch milliseconds (bigint) on both databases. MikroORM 6.6's datetime type
 * on SQLite snapshots a Date but compares a number, so every loaded row looked dirty and an
 * unchanged re-apply wrote (and bumped versions). Numbers compare exactly on both databases.
 */
export class EpochMsType extends Type<Date | null | undefined, number | null | undefined> {
  override convertToDatabaseValue(value: Date | number | string | null | undefined): number | null | undefined {
    if (value === null || value === undefined) return value;
    return value instanceof Date ? value.getTime() : new Date(value).getTime();
  }

  override convertToJSValue(value: Date | number | string | null | undefined): Date | null | undefined {
    if (value === null || value === undefined) return value;
    return value instanceof Date ? value : new Date(Number(value));
  }

  override compareAsType(): string {
    return 'number';
  }

  override getColumnType(_prop: EntityProperty, _platform: Platform): string {
    return 'bigint';
  }
}
