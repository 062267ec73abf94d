import { LockMode, UniqueConstraintViolationException, type EntityManager, type FindOptions } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { ServiceRow } from '../store/entities/index.js';

/**
 * Find options that serialize release numbering per service: on PostgreSQL the service row is read
 * `FOR UPDATE`, so a concurrent createRelease of the same service waits for this transaction and
 * then reads the count it left (without the lock both take the same number and one of them hits
 * the unique constraint on (service, number): issue 10 point 20). SQLite runs one write
 * transaction at a time and needs nothing.
 */
export function lockForNumbering(em: EntityManager): FindOptions<ServiceRow> {
  return em.getDriver() instanceof PostgreSqlDriver ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {};
}

/** A release numbered like another one committed at the same moment: the caller may try again. */
export function isNumberingRace(err: unknown): boolean {
  return err instanceof UniqueConstraintViolationException;
}
